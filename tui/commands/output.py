"""What the shell commands print, and how: one place for every line a person reads.

Messages go to stderr as `scnet-images: ...`; tables are aligned in terminal
cells (a Chinese character takes two). The commands and the account code both
print through here.
"""

from __future__ import annotations

import sys
from typing import Sequence

PROG = "scnet-images"


def say(message: str) -> None:
    """One line on stderr: `scnet-images: message`."""
    print(f"{PROG}: {message}", file=sys.stderr)


def warn(message: str) -> None:
    say(f"warning: {message}")


def note(message: str) -> None:
    say(f"note: {message}")


def aligned_lines(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """The header line and one line per row, columns padded to their widest cell (in
    terminal cells: a Chinese character takes two) and two spaces apart."""
    from rich.cells import cell_len

    widths = [max([cell_len(h)] + [cell_len(row[i]) for row in rows]) for i, h in enumerate(headers)]
    return [
        "  ".join(cell + " " * (width - cell_len(cell)) for cell, width in zip(cells, widths)).rstrip()
        for cells in [headers, *rows]
    ]
