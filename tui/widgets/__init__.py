"""The browser's widgets, one idea per file."""
