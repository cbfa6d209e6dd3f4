"""What the shell commands print, and how: one place for every line a person reads.

Messages go to stderr as `scnet-images: ...`; tables are aligned in terminal
cells (a Chinese character takes two). The commands and the account code both
print through here.
"""

from __future__ import annotations

import sys
from typing import Any, Mapping, Sequence, TextIO

from ..i18n import _
from ..safe_text import csv_cell, json_safe, printable, redact

PROG = "scnet-images"
# Secrets this process knows (the token in use, a password typed at login): never printed.
_HIDDEN: list[str] = []


def hide(*secrets: str) -> None:
    """Mask these wherever a message would print them."""
    _HIDDEN.extend(secret for secret in secrets if secret)


def safe_line(text: str) -> str:
    """`text` as it may be printed: known secrets masked, controls and invisibles escaped."""
    return printable(redact(text, tuple(_HIDDEN)))


def say(message: str) -> None:
    """One line on stderr: `scnet-images: message`, whatever the message quotes."""
    print(f"{PROG}: {safe_line(message)}", file=sys.stderr)


def warn(message: str) -> None:
    say(_("warning: {message}").format(message=message))


def note(message: str) -> None:
    say(_("note: {message}").format(message=message))


# No column of a printed table is wider than this (a longer cell ends in "…"): one
# 200,000-character name must not pad every other row to its width.
MAX_COLUMN_WIDTH = 60


def aligned_lines(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Mapping[str, int] | None = None,
    *,
    fit: int | None = None,
    keep: Sequence[str] = (),
    drop: Sequence[str] = (),
    floors: Mapping[str, int] | None = None,
    last_to_go: str | None = None,
    middle: bool = False,
) -> list[str]:
    """The header line and one line per row, columns padded to their widest cell (in
    terminal cells: a Chinese character takes two), two spaces apart; a cell wider than
    its column's limit (`widths` by header, else MAX_COLUMN_WIDTH) ends in "…".

    With `fit` (the terminal's width) the table is narrowed to it as gh and kubectl do:
    the columns in `drop` leave (in that order) while the others cut to their floors would
    not leave the column `last_to_go` (the path; by default the last column) whole; then the
    widest columns give way, that one only after every other has; with `middle` it is cut in
    the middle (a path keeps its name:tag, which tells rows apart). A column in
    `keep` (an id a command needs whole) is never cut, none narrower than its floor (`floors`
    by header, else MIN_COLUMN_WIDTH) or its header."""
    from rich.cells import cell_len

    from ..safe_text import fit_cells

    limits = [(widths or {}).get(header, MAX_COLUMN_WIDTH) for header in headers]
    kept_whole = headers.index(last_to_go) if last_to_go is not None else len(headers) - 1
    table = [[fit_cells(cell, limit, middle=middle and i == kept_whole) for i, (cell, limit) in enumerate(zip(cells, limits))]
             for cells in [headers, *rows]]
    sizes = [max(cell_len(cells[i]) for cells in table) for i in range(len(headers))]
    if fit is not None and headers:
        least = [max(cell_len(header), (floors or {}).get(header, MIN_COLUMN_WIDTH)) for header in headers]
        table, sizes = _narrowed(table, sizes, fit, [size if header in keep else min(size, floor) for header, size, floor
                                                     in zip(headers, sizes, least)],
                                 [headers.index(h) for h in drop if headers.index(h) != kept_whole], kept_whole, middle)
    return ["  ".join(cell + " " * (width - cell_len(cell)) for cell, width in zip(cells, sizes)).rstrip() for cells in table]


# A column given way is never narrower than its header or than this: "py…" says nothing.
MIN_COLUMN_WIDTH = 6


def _narrowed(table: list[list[str]], sizes: list[int], total: int, floors: list[int],
              drop: list[int], kept_whole: int, middle: bool) -> tuple[list[list[str]], list[int]]:
    """The table cut to `total` cells: columns in `drop` leave (in that order) while the
    others at their floors and column `kept_whole` whole would not fit; then the others are
    narrowed, `kept_whole` last (cut in the middle with `middle`)."""
    from ..safe_text import fit_cells

    shown = list(range(len(sizes)))
    for gone in drop:
        if sum(floors[i] for i in shown if i != kept_whole) + sizes[kept_whole] + 2 * (len(shown) - 1) <= total:
            break
        shown.remove(gone)
    widths = fitted([sizes[i] for i in shown], [floors[i] for i in shown], total, shown.index(kept_whole))
    return ([[fit_cells(cells[i], width, middle=middle and i == kept_whole) for i, width in zip(shown, widths)]
             for cells in table], widths)


def fitted(sizes: Sequence[int], floors: Sequence[int], total: int, last: int | None = None) -> list[int]:
    """Column widths that fit `total` cells with two-space gaps: the widest column of the
    others loses a cell at a time, down to its floor; then column `last` (by default the
    last one). As close as the floors allow when they do not fit."""
    widths = list(sizes)
    excess = sum(widths) + 2 * (len(widths) - 1) - total
    last = len(widths) - 1 if last is None else last
    others = [i for i in range(len(widths)) if i != last]
    for stage in (others, [last]):
        while excess > 0:
            open_ = [i for i in stage if widths[i] > floors[i]]
            if not open_:
                break
            widest = max(open_, key=lambda i: widths[i])
            widths[widest] -= 1
            excess -= 1
    return widths


def terminal_width(out: TextIO) -> int | None:
    """The width of the terminal `out` writes to, or None when it is not one (a pipe, a
    file: what a script reads stays whole)."""
    import shutil

    try:
        if not out.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return shutil.get_terminal_size().columns


def write_json(value: Any, out: TextIO) -> None:
    """Indented JSON, readable (Chinese stays Chinese) but with every control or invisible
    character escaped as \\uXXXX, so printing it cannot drive the terminal."""
    import json

    try:
        text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
    except (ValueError, RecursionError):  # nested past what json can write: still JSON, flatter
        text = json.dumps(json.loads(json.dumps(value, default=str)), ensure_ascii=True)
    out.write(json_safe(text) + "\n")


def write_csv(fields: Sequence[str], rows: Sequence[Mapping[str, Any]], out: TextIO) -> None:
    """A header row and one row per mapping: cells printable, never read as formulas
    (OWASP's CSV injection advice), booleans as true/false, None as empty."""
    import csv

    writer = csv.writer(out)
    writer.writerow(fields)
    for row in rows:
        writer.writerow([csv_cell(_csv_text(row.get(field))) for field in fields])


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
