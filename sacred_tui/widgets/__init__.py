"""Widgets of the sacred-tui application."""
