"""Where cached catalogs live, what each is called, and the names index beside each one.

The index is a plain, sorted list of image names and `name:tag` versions: what shell
completion offers, found by a binary search over the mapped file. A <TAB> imports this
module only (not the catalog's pickles, not the models), so it answers in a few
milliseconds of its own.
"""

from __future__ import annotations

import mmap
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from .api.models import Image

# The names file's first line: a NUL cannot start a name (names holding control
# characters are left out), so it never matches a prefix. Files without it (older
# versions, sorted otherwise) are ignored until the next load rewrites them.
_NAMES_MAGIC = b"\x00scnet-images names 2\n"


def folder() -> Path:
    import platformdirs

    return platformdirs.user_cache_path("scnet-images") / "catalogs"


def key_of(base_url: str, profile: str, demo: bool) -> str:
    """The file name of a region's catalog: the demo's, or a hash of the address and profile
    (no token, no user name in a file name)."""
    if demo:
        return "demo"
    import hashlib

    from .api.addresses import api_root, shown_url

    return hashlib.sha256(f"{shown_url(api_root(base_url))}|{profile}".encode()).hexdigest()[:20]


def names_file(images: Iterable[Image]) -> bytes:
    """The names file of a catalog, its first line included (what `save` writes)."""
    return _NAMES_MAGIC + names_text(images).encode("utf-8")


def names_text(images: Iterable[Image]) -> str:
    """Every name and `name:tag` version, one a line, sorted ignoring case: what completion
    offers, found by a binary search (`load_names`)."""
    from .safe_text import has_control_chars

    names = {value for image in images for value in (image.name, image.version) if value}
    plain = (name for name in names if not has_control_chars(name) and " " not in name)
    # Sorted as by (lower-cased, as it is), with one string per name: comparing strings is a
    # third of the time of comparing tuples, and the sort holds the interpreter throughout
    # (a NUL sorts first and is in no name kept here).
    return "\n".join(sorted(plain, key=lambda name: f"{name.lower()}\0{name}"))


def load_names(key: str, prefix: str = "") -> list[str]:
    """The cached names and versions that start with `prefix`, ignoring case (none when nothing
    is cached).

    The file is sorted by the lower-cased name, so the matches are one run of lines, found
    by a binary search over the mapped file: a <TAB> reads a few pages of it, not all 4 MB.
    """
    try:
        with open(folder() / f"{key}.names", "rb") as handle:
            if handle.read(len(_NAMES_MAGIC)) != _NAMES_MAGIC:
                return []
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return _names_from(data, prefix.lower(), len(_NAMES_MAGIC))
    except (OSError, ValueError, UnicodeDecodeError):
        return []


def _names_from(data: mmap.mmap, lowered: str, first: int) -> list[str]:
    def line_at(start: int) -> tuple[str, int]:
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        return data[start:end].decode("utf-8"), end + 1

    low, high = first, len(data)  # the first line whose lower-cased text is >= the prefix starts in [low, high]
    while low < high:
        middle = (low + high) // 2
        start = max(first, data.rfind(b"\n", 0, middle) + 1)
        text, after = line_at(start)
        if text.lower() < lowered:
            low = after
        else:
            high = start
    found = []
    while low < len(data):
        text, low = line_at(low)
        if not text.lower().startswith(lowered):
            break
        found.append(text)
    return found
