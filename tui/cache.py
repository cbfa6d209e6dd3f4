"""The last catalog of each region, kept in the user's cache folder for instant lookups.

One file per region and account (`cache_names.key_of`: another token on the same address
never reads this one's): the images as parsed, when they were fetched, and the server-side
filters they answer. It is written atomically, mode 600 in a 700 folder, and holds no token
(only what the image list answered). Beside it, a plain list of image names and `name:tag`
versions for shell completion, which must not parse a catalog to answer a TAB.

The format is chosen for load speed: pickle, in frames of a few thousand images (a
frame is one short hold of the interpreter, so the browser stays responsive while a
thread writes 100,000 images). Pickle runs code from the file it loads, so a file is
loaded only from this user's own folder that no one else may write, and only when it is a
regular file of this user's that no one else may write (`cache_names.open_private`); a
file that is not, or that is corrupt, truncated or of another version, is ignored with a
note, never a crash.
"""

from __future__ import annotations

import math
import os
import pickle
import time
from collections.abc import Mapping
from functools import lru_cache
from itertools import repeat, starmap
from pathlib import Path
from typing import Any, Iterable, NamedTuple, Sequence

from .api.gc_pause import gc_paused
from .cache_names import (  # noqa: F401  (key_of, load_names, load_where, Refused: for callers)
    SECRET_NAME,
    Refused,
    folder,
    key_of,
    load_names,
    load_where,
    names_file,
    open_folder,
    open_private,
    where_file,
)
from .api.models import Image
from .i18n import _, ngettext

# 2: images by column; Image lost `created` (now derived). 3: typed raws packed. 4: Image gained `region`.
CACHE_VERSION = 4
_MAGIC = b"scnet-images catalog cache\n"
_CLOCK_SKEW = 300.0  # seconds a saved time may lie ahead of this clock (another machine's, NTP)
_FRAME = 4000  # images per pickle frame
HEAD_ROWS = 2000  # rows of the first view kept again at the front of the file (see `save`)


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
    """Write the catalog (and its names, for completion, and its lookup index, for `where`)
    atomically, mode 600. Raises OSError
    (`Refused` when the folder is not this user's alone: nothing is written there).

    `head`: the first rows of the browser's first view (a screenful or a few thousand, in
    display order), stored again in a frame of their own before the catalog, so that the
    browser paints them before it has read the rest (`load_head`)."""
    head = tuple(head[:_FRAME])
    header = {"version": CACHE_VERSION, "saved_at": cached.saved_at, "filters": cached.filters,
              "where": cached.where, "count": len(cached.images), "head": len(head)}
    directory = open_folder(create=True)
    try:
        _atomic(directory, f"{key}.pickle", _frames(header, head, cached.images))
        if cached.filters == ("", ""):
            _atomic(directory, f"{key}.names", [names_file(cached.images)])
            _atomic(directory, f"{key}.where", [where_file(cached.images, cached.saved_at)])
    finally:
        os.close(directory)


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
        columns[_RAW] = _pack(columns[_RAW]) or columns[_RAW]
    return pickle.dumps(tuple(columns), protocol=pickle.HIGHEST_PROTOCOL)


def _atomic(directory: int, name: str, chunks: Iterable[bytes]) -> None:
    """Write the file `name` of the folder open as `directory` through a new file of an
    unpredictable name (mode 600, made exclusively: nothing planted is written through)."""
    import secrets

    temporary = f".{name}.{secrets.token_hex(8)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(temporary, flags, 0o600, dir_fd=directory)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        os.rename(temporary, name, src_dir_fd=directory, dst_dir_fd=directory)
    except BaseException:
        try:
            os.unlink(temporary, dir_fd=directory)
        except OSError:
            pass
        raise


# --- reading ----------------------------------------------------------------------------------


def load_head(key: str) -> Cached | None:
    """The first rows of the cached catalog's first view (see `save`), read without the rest;
    None when there is no such file or it has no head (then `load` tells why)."""
    try:
        with os.fdopen(open_private(f"{key}.pickle"), "rb") as handle, gc_paused(keep=True):
            return _read(handle, head_only=True)
    except Exception:  # `load` reads the same file next and says what is wrong with it
        return None


def load(key: str) -> tuple[Cached | None, str]:
    """The cached catalog of `key`, or None and (when there was a file) why it was not used."""
    path = folder() / f"{key}.pickle"
    try:
        handle = os.fdopen(open_private(path.name), "rb")
    except FileNotFoundError:
        return None, ""
    except OSError as exc:  # the folder or the file is not safe to read (`Refused`), or cannot be
        return None, describe(exc, path)
    with handle:
        try:
            with gc_paused(keep=True):  # 100,000 images hold no cycles: no collection needs to walk them
                return _read(handle), ""
        except Exception as exc:  # corrupt, truncated, another version: a note, never a crash
            return None, _("the cached catalog {path} was ignored ({problem}); it is rewritten on the next load").format(
                path=path, problem=type(exc).__name__)


def describe(error: OSError, path: Path | None = None) -> str:
    """A note saying why the cache (the catalog at `path`) could not be used."""
    if isinstance(error, Refused):
        return error.message
    if path is None:
        return error.strerror or type(error).__name__
    return _("the cached catalog {path} cannot be read ({problem})").format(path=path, problem=error.strerror)


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


def _pack(raws: list[Any]) -> bytes | None:
    """A frame's raw fields of a typed answer (`typed.ImageVo` structs) as msgpack; None when
    some item is not one, or holds a value msgpack cannot (an integer past 64 bits): then
    they are pickled as they are."""
    import msgspec

    from .api.typed import ImageVo

    if set(map(type, raws)) != {ImageVo}:
        return None
    try:
        return msgspec.msgpack.encode(raws)
    except (TypeError, ValueError, OverflowError):
        return None


def _no_extension(code: int, data: memoryview) -> Any:
    raise ValueError("a msgpack extension in a cached catalog")  # none is written; a crafted file


@lru_cache(maxsize=1)
def _packed_decoder() -> Any:
    import msgspec

    from .api.typed import ImageVo

    return msgspec.msgpack.Decoder(list[ImageVo], ext_hook=_no_extension)


def _unpack(packed: bytes) -> list[Any]:
    """`_pack`'s structs again; msgspec.DecodeError or ValueError when the bytes are not that
    (an extension type in a field typed Any would decode, then fail where it is shown)."""
    return _packed_decoder().decode(packed)


def _images_of(columns: Any) -> list[Image]:
    """A frame (one list per field) -> its images, each made by one C call."""
    if isinstance(columns, tuple) and len(columns) == len(Image._fields) and type(columns[_RAW]) is bytes:
        columns = (*columns[:_RAW], _unpack(columns[_RAW]), *columns[_RAW + 1:])
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
    """Every cached catalog, from its header only (no images are loaded). Raises `Refused`
    when the folder is not this user's alone."""
    try:
        directory = open_folder()
    except FileNotFoundError:
        return []
    found = []
    try:
        for name in sorted(os.listdir(directory)):
            if name.startswith(".") or not name.endswith(".pickle"):
                continue
            try:
                with os.fdopen(open_private(name, directory=directory), "rb") as handle:
                    if handle.read(len(_MAGIC)) != _MAGIC:
                        continue
                    header = _checked_header(pickle.load(handle))
                    size = os.fstat(handle.fileno()).st_size
            except Exception:  # not safe to read, or broken: `load` says why, `clear` removes it
                continue
            key = name.removesuffix(".pickle")
            found.append(Entry(key, header["where"], header["saved_at"], header["count"], size))
    finally:
        os.close(directory)
    return found


def clear() -> int:
    """Remove every cached catalog, its names, and the key of the tokens' hashes; returns how
    many files were removed."""
    path = folder()
    removed = 0
    for name in os.listdir(path) if path.is_dir() else []:
        if name == SECRET_NAME or name.endswith((".pickle", ".names", ".where", ".tmp")):
            (path / name).unlink(missing_ok=True)
            removed += 1
    return removed
