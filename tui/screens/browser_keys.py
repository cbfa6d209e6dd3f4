"""The image browser's keys, in one place: the footer, the help screen and the command
palette all read them, so none of them can drift from what the keys do."""

from __future__ import annotations

from textual.binding import Binding

# The footer shows them in this order and cuts what does not fit: `?` (every key) comes
# first, so it is there on any terminal.
BROWSER_KEYS = [
    Binding("question_mark", "help", "Help", key_display="?", id="help", tooltip="Every key"),
    # A priority binding runs as the key arrives, before the keys typed after it are routed,
    # so a fast typist's (or a paste's) next keys land in the search box, not on the table.
    Binding("slash", "focus_search", "Search", key_display="/", id="search", priority=True,
            tooltip="Type to filter what is loaded"),
    Binding("c", "copy_path", "Copy path", id="copy-path", tooltip="Copy the highlighted image's path (also Enter)"),
    Binding("y", "copy_menu", "Copy…", id="copy-menu", tooltip="Copy version, id, digest, JSON or a docker pull line"),
    Binding("l", "launch", "Launch", id="launch", tooltip="Launch a container instance from the highlighted image"),
    Binding("i", "instances", "Instances", id="instances", tooltip="Your container instances in this region"),
    Binding("d", "toggle_details", "Details", id="toggle-details", tooltip="Show or hide the details pane"),
    Binding("r", "reload", "Reload", id="reload", tooltip="Ask the server again"),
    Binding("p", "switch_region", "Region", id="switch-region",
            tooltip="Switch to another stored profile (region) without restarting"),
    Binding("s", "cycle_sort", "Sort", id="sort", tooltip="Sort by the next column (the palette sorts by any)"),
    Binding("S", "reverse_sort", "Reverse", key_display="S", id="reverse-sort", show=False,
            tooltip="Reverse the sort order"),
    Binding("a", "open_filter('accelerator')", "Accelerator", id="accelerator", show=False,
            tooltip="Choose the accelerator filter (asks the server)"),
    Binding("t", "open_filter('image-type')", "Image type", id="image-type", show=False,
            tooltip="Choose the image type filter (asks the server)"),
    Binding("escape", "clear_search", "Clear search", show=False, id="clear-search",
            tooltip="Clear the search box and go back to the table; stop a load in progress"),
    Binding("down", "focus_table", "Table", show=False, id="focus-table", tooltip="From the search box to the table"),
]
