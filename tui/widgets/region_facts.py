"""What the details pane says of an image when every region is shown: each region that has
this exact name:tag (its path there), and the free cards of the groups there that can run
it, where the platform said, with where the figure comes from and how old it is."""

from __future__ import annotations

import time
from typing import Callable, Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..api.capacity import SOURCE, Capacity
from ..api.models import Image
from ..cache import describe_age
from ..i18n import _, join, ngettext
from ..safe_text import printable
from .merged_source import Holder


def free_text(capacity: Capacity | None, cluster_id: str, accelerator: str) -> str:
    """`5 free (dcu-k100-4 3, dcu-z100-2 2)`, or "" when the platform did not say."""
    if capacity is None or not cluster_id or not capacity.knows(cluster_id):
        return ""
    groups = capacity.in_region(cluster_id, accelerator)
    total = sum(group.free for group in groups)
    detail = join(f"{group.group} {group.free}" for group in groups)
    return _("{count} free ({groups})").format(count=total, groups=detail) if groups else _("0 free")


def group_free_text(capacity: Capacity | None, cluster_id: str, group: str) -> str:
    """What the launch form says of the chosen group's free cards, with where the figure comes
    from and how old it is; "" when the platform did not say (nothing is guessed)."""
    free = next((entry.free for entry in capacity.in_region(cluster_id) if entry.group == group), None) \
        if capacity is not None and cluster_id else None
    if free is None:
        return ""
    return ngettext("Free now in {group}: {count} card ({source}, asked {age})",
                    "Free now in {group}: {count} cards ({source}, asked {age})", free).format(
        group=group, count=free, source=SOURCE, age=describe_age(time.time() - capacity.asked_at))


def render_where(image: Image, holders: Sequence[Holder], capacity: Capacity | None,
                 cluster_of: Callable[[str], str]) -> Group:
    """The regions section of the pane: one row per region that has the image."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for holder in holders:
        here = holder.image is image
        mark = Text("●" if here else "○", style="bold green" if here else "dim")
        free = free_text(capacity, cluster_of(holder.region), image.accelerator_type)
        line = Text(printable(holder.region), style="bold")
        if free:
            line.append("  " + free, style="green")
        if holder.image.path != image.path:  # another registry there: its own path
            line.append("\n" + printable(holder.image.path), style="dim")
        table.add_row(mark, line)
    if capacity is None:
        said = _("Free cards: the platform did not say (nothing is guessed).")
    else:
        said = _("Free cards: {source}, asked {age}.").format(source=SOURCE,
                                                              age=describe_age(time.time() - capacity.asked_at))
    title = ngettext("In {count} region", "In {count} regions", len(holders)).format(count=len(holders))
    return Group(Text(title, style="bold underline"), table, Text(said, style="dim"), Text(""))
