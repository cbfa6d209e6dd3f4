"""The last catalog of each region, kept in the user's cache folder for instant lookups.

One file per region (a profile, or the demo): the images as parsed, when they were
fetched, and the server-side filters they answer. It is written atomically, mode 600 in
a 700 folder, and holds no token (only what the image list answered). Beside it, a
plain list of image names and `name:tag` versions for shell completion, which must not
parse a catalog to answer a TAB.

The format is chosen for load speed: pickle, in frames of a few thousand images (a
frame is one short hold of the interpreter, so the browser stays responsive while a
thread writes 100,000 images). Pickle runs code from the file it loads, so a file is
loaded only when it is this user's own and no one else may write it; a file that is
corrupt, truncated or of another version is ignored with a note, never a crash.
"""

from __future__ import annotations

import math
import os
import pickle
import stat
import time
from collections.abc import Mapping
from itertools import repeat, starmap
from pathlib import Path
from typing import Any, Iterable, NamedTuple, Sequence

from .api.envelope import gc_paused
from .cache_names import folder, key_of, load_names, names_file  # noqa: F401  (key_of, load_names: for callers)
from .api.models import Image
from .i18n import _, ngettext

CACHE_VERSION = 3  # 2: images by column; Image lost `created` (now derived). 3: typed raws packed
_MAGIC = b"scnet-images catalog cache\n"
_CLOCK_SKEW = 300.0  # seconds a saved time may lie ahead of this clock (another machine's, NTP)
_FRAME = 4000  # images per pickle frame
HEAD_ROWS = 2000  # rows of the first view kept again at the front of the file (see `save`)
DEFAULT_TTL = 3600.0  # seconds `path` and `list` answer from the cache without asking


class Cached(NamedTuple):
    """A catalog as it was fetched. `filters` are the server-side ones it answers
    ("" for all); `where` names the region for `cache info`."""

    images: tuple[Image, ...]
    saved_at: float
    filters: tuple[str, str] = ("", "")
    where: str = ""

    def age(self, now: float | None = None) -> float:
        return max(0.0, (time.time() if now is None else now) - self.saved_at)

    def answers(self, accelerator: str | None, image_type: str | None) -> bool:
        """Whether this catalog holds every image of those filters: all of them, or the same ones."""
        return self.filters == ("", "") or self.filters == (accelerator or "", image_type or "")

    def select(self, accelerator: str | None, image_type: str | None) -> tuple[Image, ...]:
        """The images of those filters, selected here as the server would."""
        if self.filters != ("", "") or not (accelerator or image_type):
            return self.images
        wanted_type = (image_type or "").lower()
        return tuple(
            image for image in self.images
            if (not accelerator or accelerator.lower() in image.accelerators)
            and (not wanted_type or image.type.lower() == wanted_type)
        )


def describe_age(seconds: float) -> str:
    """`12 min ago`, `3 h ago`, `2 days ago`."""
    if seconds < 90:
        return _("just now") if seconds < 10 else _("{count} s ago").format(count=int(seconds))
    if seconds < 5400:
        return _("{count} min ago").format(count=round(seconds / 60))
    if seconds < 2 * 86400:
        return _("{count} h ago").format(count=round(seconds / 3600))
    days = round(seconds / 86400)
    return ngettext("{count} day ago", "{count} days ago", days).format(count=days)


# --- writing ----------------------------------------------------------------------------------


def save(key: str, cached: Cached, head: Sequence[Image] = ()) -> None:
    """Write the catalog (and its names, for completion) atomically, mode 600. Raises OSError.

    `head`: the first rows of the browser's first view (a screenful or a few thousand, in
    display order), stored again in a frame of their own before the catalog, so that the
    browser paints them before it has read the rest (`load_head`)."""
    target = folder()
    _private_folder(target)
    head = tuple(head[:_FRAME])
    header = {"version": CACHE_VERSION, "saved_at": cached.saved_at, "filters": cached.filters,
              "where": cached.where, "count": len(cached.images), "head": len(head)}
    _atomic(target / f"{key}.pickle", _frames(header, head, cached.images))
    if cached.filters == ("", ""):
        _atomic(target / f"{key}.names", [names_file(cached.images)])


def _frames(header: dict[str, Any], head: tuple[Image, ...], images: tuple[Image, ...]) -> Iterable[bytes]:
    """The file: magic, header, then frames of images stored by column (one list per field).

    Columns load several times faster than pickled images: each image is then made by
    one C call (`tuple.__new__`), where unpickling an Image calls its Python `__new__`.
    """
    yield _MAGIC
    yield pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL)
    if head:
        yield _frame(head)
    for start in range(0, len(images), _FRAME):
        yield _frame(images[start : start + _FRAME])


_RAW = Image._fields.index("raw")


def _frame(images: tuple[Image, ...]) -> bytes:
    """One frame: a list per field; the raw fields of a typed answer packed by msgspec
    (written five times and read twice as fast as pickled structs: the writing thread
    holds the interpreter 3 ms a frame instead of 15)."""
    columns = list(map(list, zip(*images)))
    if type(columns[_RAW][0]) is not dict:  # a dict: the tolerant parser's, pickled as it is
        from .api.typed import pack

        columns[_RAW] = pack(columns[_RAW]) or columns[_RAW]
    return pickle.dumps(tuple(columns), protocol=pickle.HIGHEST_PROTOCOL)


def _private_folder(path: Path) -> None:
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for made in reversed(missing):
        try:
            os.mkdir(made, 0o700)
        except FileExistsError:
            continue
        os.chmod(made, 0o700)


def _atomic(path: Path, chunks: Iterable[bytes]) -> None:
    import tempfile

    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


# --- reading ----------------------------------------------------------------------------------


def load_head(key: str) -> Cached | None:
    """The first rows of the cached catalog's first view (see `save`), read without the rest;
    None when there is no such file or it has no head (then `load` tells why)."""
    try:
        with (folder() / f"{key}.pickle").open("rb") as handle:
            if _not_ours(os.fstat(handle.fileno())):
                return None
            with gc_paused(keep=True):
                return _read(handle, head_only=True)
    except Exception:  # `load` reads the same file next and says what is wrong with it
        return None


def load(key: str) -> tuple[Cached | None, str]:
    """The cached catalog of `key`, or None and (when there was a file) why it was not used."""
    path = folder() / f"{key}.pickle"
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None, ""
    except OSError as exc:
        return None, _("the cached catalog {path} cannot be read ({problem})").format(path=path, problem=exc.strerror)
    with handle:
        problem = _not_ours(os.fstat(handle.fileno()))
        if problem == "another user":
            return None, _("the cached catalog {path} was ignored: it belongs to another user").format(path=path)
        if problem:
            return None, _("the cached catalog {path} was ignored: it is writable by others").format(path=path)
        try:
            with gc_paused(keep=True):  # 100,000 images hold no cycles: no collection needs to walk them
                return _read(handle), ""
        except Exception as exc:  # corrupt, truncated, another version: a note, never a crash
            return None, _("the cached catalog {path} was ignored ({problem}); it is rewritten on the next load").format(
                path=path, problem=type(exc).__name__)


def _not_ours(info: os.stat_result) -> str:
    """Why a file must not be loaded ("another user", "writable"), or "" when it may."""
    if os.name != "posix":
        return ""
    if info.st_uid != os.geteuid():
        return "another user"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "writable"
    return ""


def _read(handle: Any, head_only: bool = False) -> Cached | None:
    """The catalog of an open file, or (`head_only`) its head (None when it has none)."""
    if handle.read(len(_MAGIC)) != _MAGIC:
        raise ValueError("not a catalog cache")
    header = _checked_header(pickle.load(handle))
    filters = header["filters"]

    def cached(images: list[Image]) -> Cached:
        return Cached(tuple(images), header["saved_at"], (filters[0], filters[1]), header["where"])

    if header["head"]:
        head = _images_of(pickle.load(handle))  # the first rows again, in display order
        if len(head) != header["head"]:
            raise ValueError("not images")
        if head_only:
            return cached(head)
    elif head_only:
        return None
    images: list[Image] = []
    while len(images) < header["count"]:
        images.extend(_images_of(pickle.load(handle)))
    return cached(images)


def _checked_header(header: Any) -> dict[str, Any]:
    """The header of this version with every value of the type it promises; else ValueError
    (a file written by hand or by another program is ignored like a corrupt one)."""
    if not isinstance(header, dict) or header.get("version") != CACHE_VERSION:
        raise ValueError("another version")
    saved_at, filters = header.get("saved_at"), header.get("filters")
    if not (type(saved_at) is float and math.isfinite(saved_at) and 0 < saved_at <= time.time() + _CLOCK_SKEW):
        raise ValueError("no time or one in the future")
    if not (type(filters) is tuple and len(filters) == 2 and all(type(value) is str for value in filters)):
        raise ValueError("no filters")
    if not (type(header.get("where")) is str
            and all(type(header.get(count)) is int and header[count] >= 0 for count in ("count", "head"))):
        raise ValueError("no counts")
    return header


# The type of each Image field in a frame: text is str, `is_preset_image` a bool or None,
# `raw` a mapping (a dict, or the typed path's struct). Checked by the set of types each
# column holds (a C loop), so a crafted file cannot hand the screen an int for a name.
_TEXT_TYPES = frozenset({str})
_FLAG_TYPES = frozenset({bool, type(None)})


def _column_ok(field: str, column: list[Any]) -> bool:
    kinds = set(map(type, column))
    if field == "is_preset_image":
        return kinds <= _FLAG_TYPES
    if field == "raw":
        return all(issubclass(kind, Mapping) for kind in kinds)
    return kinds <= _TEXT_TYPES


def _images_of(columns: Any) -> list[Image]:
    """A frame (one list per field) -> its images, each made by one C call."""
    if isinstance(columns, tuple) and len(columns) == len(Image._fields) and type(columns[_RAW]) is bytes:
        from .api.typed import unpack

        columns = (*columns[:_RAW], unpack(columns[_RAW]), *columns[_RAW + 1:])
    if not (isinstance(columns, tuple) and len(columns) == len(Image._fields)
            and all(type(column) is list for column in columns)
            and len({len(column) for column in columns}) == 1 and columns[0]
            and all(starmap(_column_ok, zip(Image._fields, columns)))):
        raise ValueError("not images")
    return list(starmap(tuple.__new__, zip(repeat(Image), zip(*columns))))


# --- cache info and clear -------------------------------------------------------------------------


class Entry(NamedTuple):
    key: str
    where: str
    saved_at: float
    count: int
    size: int


def entries() -> list[Entry]:
    """Every cached catalog, from its header only (no images are loaded)."""
    found = []
    for path in sorted(folder().glob("*.pickle")) if folder().exists() else []:
        try:
            with path.open("rb") as handle:
                if handle.read(len(_MAGIC)) != _MAGIC:
                    continue
                if _not_ours(os.fstat(handle.fileno())):
                    continue  # not read: `load` says why when it is asked for
                header = _checked_header(pickle.load(handle))
            found.append(Entry(path.stem, header["where"], header["saved_at"], header["count"], path.stat().st_size))
        except Exception:  # a broken file: listed by `clear`, not here
            continue
    return found


def clear() -> int:
    """Remove every cached catalog; returns how many files were removed."""
    removed = 0
    for path in folder().glob("*") if folder().exists() else []:
        if path.suffix in (".pickle", ".names", ".tmp"):
            path.unlink(missing_ok=True)
            removed += 1
    return removed
