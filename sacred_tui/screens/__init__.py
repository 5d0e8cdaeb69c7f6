"""Screens of the sacred-tui application."""
