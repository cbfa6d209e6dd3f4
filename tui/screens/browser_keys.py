"""The image browser's keys, in one place: the footer, the help screen and the command
palette all read them, so none of them can drift from what the keys do."""

from __future__ import annotations

from textual.binding import Binding

from ..i18n import N_

# The footer shows them in this order; on a narrow terminal the keys BROWSER_GIVES_WAY names
# are left out, first to last, until the rest fit (`?` lists them all, and quit always stays).
BROWSER_KEYS = [
    Binding("question_mark", "help", N_("Help"), key_display="?", id="help", tooltip=N_("Every key")),
    # A priority binding runs as the key arrives, before the keys typed after it are routed,
    # so a fast typist's (or a paste's) next keys land in the search box, not on the table.
    Binding("slash", "focus_search", N_("Search"), key_display="/", id="search", priority=True,
            tooltip=N_("Type to filter what is loaded")),
    Binding("c", "copy_path", N_("Copy path"), id="copy-path", tooltip=N_("Copy the highlighted image's path (also Enter)")),
    Binding("y", "copy_menu", N_("Copy…"), id="copy-menu", tooltip=N_("Copy version, id, digest, JSON or a docker pull line")),
    Binding("l", "launch", N_("Launch"), id="launch", tooltip=N_("Launch a container instance from the highlighted image")),
    Binding("i", "instances", N_("Instances"), id="instances", tooltip=N_("Your container instances in this region")),
    Binding("d", "toggle_details", N_("Details"), id="toggle-details", tooltip=N_("Show or hide the details pane")),
    Binding("r", "reload", N_("Reload"), id="reload", tooltip=N_("Ask the server again")),
    Binding("p", "switch_region", N_("Region"), id="switch-region",
            tooltip=N_("Switch to another stored profile (region), or to all regions at once")),
    Binding("s", "cycle_sort", N_("Sort"), id="sort", tooltip=N_("Sort by the next column (the palette sorts by any)")),
    Binding("S", "reverse_sort", N_("Reverse"), key_display="S", id="reverse-sort", show=False,
            tooltip=N_("Reverse the sort order")),
    Binding("a", "open_filter('accelerator')", N_("Accelerator"), id="accelerator", show=False,
            tooltip=N_("Choose the accelerator filter (asks the server)")),
    Binding("t", "open_filter('image-type')", N_("Image type"), id="image-type", show=False,
            tooltip=N_("Choose the image type filter (asks the server)")),
    Binding("escape", "clear_search", N_("Clear search"), show=False, id="clear-search",
            tooltip=N_("Clear the search box and go back to the table; stop a load in progress")),
    Binding("down", "focus_table", N_("Table"), show=False, id="focus-table", tooltip=N_("From the search box to the table")),
]

BROWSER_GIVES_WAY = ("copy_menu", "toggle_details", "cycle_sort", "reload", "switch_region", "instances", "launch",
                     "copy_path", "focus_search")
