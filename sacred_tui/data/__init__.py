"""Read model of a runs folder for the terminal UI (never imports textual)."""
