"""The instances view's table: the columns that fit, the id never cut, the run time ticking.

Columns are listed most needed first and give way from the last when the table is narrow
(the pane beside or under it shows every field): the name, the id and the status stay. The
id is shown as the shortest prefix, of at least `SHORT_ID` characters, that tells the listed
instances apart: every shell command takes such a prefix. A running instance's run time is
the platform's `duration` when listed plus the time since, so it ticks between lists.
"""

from __future__ import annotations

import time
from typing import Callable, NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from ..api.container_models import Instance, status_word
from ..i18n import N_, _, join, ngettext
from ..safe_text import fit_cells, printable

# The fewest characters of an id shown (docker shows 12; 32 hex characters are rarely alike).
SHORT_ID = 8
STATUS_STYLES = {"Running": "bold green", "Deploying": "yellow", "Waiting": "yellow", "Failed": "bold red",
                 "Terminated": "dim", "Completed": "dim"}


class Column(NamedTuple):
    key: str
    title: str  # marked with N_, translated when shown
    cap: int  # the most cells a value takes (cut with an ellipsis beyond)
    value: Callable[[Instance], str]


# Most needed first: the last ones give way on a narrow terminal.
COLUMNS = (
    Column("name", N_("Name"), 28, lambda i: i.name),
    Column("id", N_("ID"), 32, lambda i: i.id),  # shown as its short unique prefix
    Column("status", N_("Status"), 12, lambda i: status_word(i.status)),
    Column("time", N_("Run time"), 12, lambda i: i.duration),
    Column("resources", N_("Resources"), 18, lambda i: i.resources),
    Column("type", N_("Type"), 10, lambda i: i.task_type),
    Column("image", N_("Image"), 32, lambda i: i.version),
    Column("group", N_("Group"), 16, lambda i: i.resource_group),
    Column("created", N_("Created"), 19, lambda i: i.create_time),
)
KEPT = 3  # name, id and status never give way


def short_ids(ids: list[str]) -> int:
    """The fewest leading characters (at least SHORT_ID) that tell every id of `ids` apart."""
    length = SHORT_ID
    while length < max((len(i) for i in ids), default=0) and len({i[:length] for i in ids}) < len(set(ids)):
        length += 1
    return length


def clock_text(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def seconds_of(text: str) -> int | None:
    """`HH:MM:SS` (hours may pass 99) in seconds; None for anything else (`--`, `14d 23h`)."""
    parts = text.strip().split(":")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return None
    hours, minutes, seconds = (int(part) for part in parts)
    return hours * 3600 + minutes * 60 + seconds


def status_summary(instances: list[Instance], looking_for: str = "") -> str:
    """The line under the table: `3 instances: 1 deploying, 2 running`, that the list refreshes
    on its own while one starts, and the launch it looks for (`looking_for`, a name)."""
    counts: dict[str, int] = {}
    for instance in instances:
        counts[instance.status] = counts.get(instance.status, 0) + 1
    # Said as the interface says them (one the documentation does not list, as it came).
    # Translators: one status's count in the line under the instances ("2 running"; Chinese "2 个运行中").
    summary = join(_("{count} {status}").format(count=number, status=printable(status_word(status)).lower())
                   for status, number in sorted(counts.items()))
    total = len(instances)
    if not total:
        text = _("No instances in this region yet: press Esc, pick an image, press l.")
    elif any(instance.busy for instance in instances):
        text = ngettext("{count} instance: {summary} · refreshing on its own while one starts",
                        "{count} instances: {summary} · refreshing on its own while one starts", total)
    else:
        text = ngettext("{count} instance: {summary}", "{count} instances: {summary}", total)
    text = text.format(count=total, summary=summary)
    if looking_for:
        text += " · " + _("looking for {name}, whose launch may have happened…").format(name=printable(looking_for))
    return text


class InstanceTable(DataTable[Text]):
    """The instances, one row each, keyed by id; `show` updates them in place."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(id="instances", cursor_type="row", zebra_stripes=True)
        self.clock = clock  # monotonic seconds (tests move it)
        self.instances: dict[str, Instance] = {}
        self._listed_at = clock()  # when the platform answered the list shown
        self._shown: tuple[str, ...] = ()  # the keys of the columns shown
        self._widths: tuple[int, ...] = ()  # and their widths, measured when they were laid out
        self._id_length = SHORT_ID

    def on_mount(self) -> None:
        self.set_interval(1.0, self.tick)

    # --- rows ----------------------------------------------------------------------------------

    def show(self, instances: list[Instance]) -> None:
        """Show `instances` (the platform's answer just now): rows updated in place, the cursor
        stays on its instance."""
        current = self.highlighted_id
        fresh = {instance.id: instance for instance in instances}
        self._listed_at = self.clock()
        length = short_ids(list(fresh))
        grown, self._id_length = length != self._id_length, length  # measured below at its new length
        columns = self._fitting(list(fresh.values()))
        if columns != self._layout or grown or list(fresh) != list(self.instances):
            # Another set of columns, or of rows (a new one goes where the list puts it: first).
            self.instances = fresh
            self._rebuild(columns, current)
            return
        for instance in instances:
            if instance != self.instances[instance.id]:
                for key, cell in zip(self._shown, self._cells(instance)):
                    self.update_cell(instance.id, key, cell)
        self.instances = fresh

    def move_to(self, instance_id: str) -> None:
        if instance_id in self.instances:
            self.move_cursor(row=self.get_row_index(instance_id))

    @property
    def highlighted_id(self) -> str:
        if not self.row_count:
            return ""
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return str(key.value) if key.value is not None else ""

    def _cells(self, instance: Instance) -> tuple[Text, ...]:
        cells = []
        for key in self._shown:
            column = next(column for column in COLUMNS if column.key == key)
            cells.append(self._cell(column, instance))
        return tuple(cells)

    def _cell(self, column: Column, instance: Instance, cap: int | None = None) -> Text:
        """The cell, cut at `cap` (by default the column's width as laid out, else its cap)."""
        if column.key == "id":
            return Text(printable(instance.id[: self._id_length]))
        if column.key == "time":
            return Text(self._run_time(instance))
        cap = cap or dict(self._layout).get(column.key) or column.cap
        text = fit_cells(printable(column.value(instance) or "—"), cap)  # in cells: 中文 takes two each
        return Text(text, style=STATUS_STYLES.get(instance.status, "") if column.key == "status" else "")

    def _run_time(self, instance: Instance) -> str:
        """The platform's run time; a running instance's counted on from the list's answer."""
        listed = seconds_of(instance.duration)
        if instance.status == "Running" and listed is not None:
            return clock_text(listed + self.clock() - self._listed_at)
        return printable(instance.duration or "—")

    def tick(self) -> None:
        if "time" not in self._shown:
            return
        for instance in self.instances.values():
            if instance.status == "Running" and seconds_of(instance.duration) is not None:
                self.update_cell(instance.id, "time", Text(self._run_time(instance)))

    # --- columns -------------------------------------------------------------------------------

    def on_resize(self) -> None:
        columns = self._fitting(list(self.instances.values()))
        if columns != self._layout:
            self._rebuild(columns, self.highlighted_id)

    @property
    def _layout(self) -> tuple[tuple[str, int], ...]:
        return tuple(zip(self._shown, self._widths))

    def _fitting(self, instances: list[Instance]) -> tuple[tuple[str, int], ...]:
        """The columns that fit the table's width, most needed first, each with its width."""
        room = self.size.width - 2  # the scrollbar's gutter
        fitting: list[tuple[str, int]] = []
        for index, column in enumerate(COLUMNS):
            widest = max((self._cell(column, instance, column.cap).cell_len for instance in instances), default=0)
            width = max(widest, Text(_(column.title)).cell_len)
            if index >= KEPT and room < width + 2 * self.cell_padding:
                break
            fitting.append((column.key, width))
            room -= width + 2 * self.cell_padding
        # What no further column fits in goes to the ones cut at their cap (the image, mostly).
        for at, (key, width) in enumerate(fitting):
            column = next(column for column in COLUMNS if column.key == key)
            if room <= 0 or key in ("id", "time"):
                continue
            whole = max((cell_len(printable(column.value(instance) or "—")) for instance in instances), default=0)
            grow = min(room, whole - width)
            if grow > 0:
                fitting[at], room = (key, width + grow), room - grow
        return tuple(fitting)

    def _rebuild(self, columns: tuple[tuple[str, int], ...], current: str) -> None:
        self._shown, self._widths = tuple(key for key, _width in columns), tuple(width for _key, width in columns)
        self.clear(columns=True)
        for key, width in columns:
            column = next(column for column in COLUMNS if column.key == key)
            # Its width given: the rows are drawn right at once, not once the table next idles.
            self.add_column(_(column.title), key=key, width=width)
        for instance in self.instances.values():
            self.add_row(*self._cells(instance), key=instance.id)
        self.move_to(current)

    def retranslate(self) -> None:
        """The titles and the statuses in the language now chosen; the rows and the cursor stay."""
        self._rebuild(self._fitting(list(self.instances.values())), self.highlighted_id)
