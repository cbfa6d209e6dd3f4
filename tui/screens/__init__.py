"""The browser's screens, one idea per file."""
