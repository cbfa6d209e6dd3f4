"""The fast path of a large image list: msgspec decodes the body straight into typed structs.

`images_from_body` reads an answer that is exactly what the documentation promises (a
`code` of "0", `data` a list of objects whose fields have their documented types, plus the
few fields the platform is known to add) in one pass of C, then normalises it in one
short loop. Anything else (an error code, `data` as an object, a number where a string
belongs, an unknown field, a blank name) makes it return None, and the tolerant parser
of `models.py` reads the body as before: what it accepts and how it fails are unchanged.

The body is decoded in pieces of 2 MB cut between items (`_read_in_pieces`): one decode of
a 61 MB answer holds the interpreter 130-200 ms, which a key pressed while the catalog
lands would wait for (README, "Launch to rows": the worst keystroke went from 357 ms to
107-133 ms with the pieces). It stays for that figure alone.

Imported only for bodies of a megabyte or more (msgspec costs a shell lookup 15 ms).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Iterator, get_type_hints

import msgspec
from msgspec import UNSET

from .models import DOCUMENTED_FIELDS, PLAIN_ACCELERATORS, Image, ImageList, haystack

# The documented fields under their attribute names, as Image has them (its order).
_RENAME = {attribute: name for name, attribute in DOCUMENTED_FIELDS.items()}
# Fields the platform sends that the documentation does not list (the paginated call's).
_KNOWN_EXTRA = {"description": "description", "image_size": "imageSize", "status": "status"}


class _ReadsLikeADict(msgspec.Struct, gc=False):
    """What ImageVo adds to its fields: it reads like the dict the tolerant parser keeps."""

    def _fields(self) -> dict[str, Any]:
        return msgspec.to_builtins(self)  # the API's names; fields left at their default omitted

    def __getitem__(self, key: str) -> Any:
        return self._fields()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields())

    def __len__(self) -> int:
        return len(self._fields())

    def __contains__(self, key: object) -> bool:
        return key in self._fields()

    def keys(self) -> Any:
        return self._fields().keys()

    def items(self) -> Any:
        return self._fields().items()

    def values(self) -> Any:
        return self._fields().values()

    def get(self, key: str, default: Any = None) -> Any:
        return self._fields().get(key, default)


def _image_vo() -> type[_ReadsLikeADict]:
    """One ImagesVo as it came (Image.raw of a typed answer), its fields those of Image that
    the documentation lists (their order, types and defaults, read from Image itself), then
    the few the platform adds. It pickles as itself (msgspec unpickles structs fast), so only
    a cached catalog that came through this path needs msgspec to load."""
    types = get_type_hints(Image)
    documented = [(field, types[field], Image._field_defaults[field]) for field in Image._fields if field in _RENAME]
    added = [(field, Any, UNSET) for field in _KNOWN_EXTRA]
    return msgspec.defstruct("ImageVo", documented + added, bases=(_ReadsLikeADict,), module=__name__,
                             rename={**_RENAME, **_KNOWN_EXTRA}, forbid_unknown_fields=True, omit_defaults=True,
                             gc=False)


ImageVo = _image_vo()
Mapping.register(ImageVo)


class _Answer(msgspec.Struct, gc=False):
    code: str | int
    data: list[ImageVo]
    msg: str = ""


class _Head(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    """The first piece of a body read in pieces: the envelope up to `data` and its first items."""

    data: list[ImageVo]
    code: str | int | msgspec.UnsetType = UNSET
    msg: str | msgspec.UnsetType = UNSET


class _Rest(msgspec.Struct, gc=False):
    """The envelope's fields after `data` (a repeated `data` among them is caught)."""

    code: str | int | msgspec.UnsetType = UNSET
    msg: str | msgspec.UnsetType = UNSET
    data: Any = UNSET


_DECODER = msgspec.json.Decoder(_Answer)
_HEAD = msgspec.json.Decoder(_Head)
_ITEMS = msgspec.json.Decoder(list[ImageVo])
_REST = msgspec.json.Decoder(_Rest)

# A large body is read in pieces of about this size (2 MB, some 3,500 images, 5 ms of
# decoding): one decode of 61 MB holds the interpreter for 130-200 ms, and the screen cannot
# take a keystroke until it ends. Between pieces the loading thread lets the screen run.
PIECE_BYTES = 1 << 21
# Where one item of `data` ends and the next begins: `}`, a comma, `{`, JSON's blanks between.
_BETWEEN_ITEMS = re.compile(rb"\}[ \t\r\n]*,[ \t\r\n]*\{")
_BLANKS = b" \t\r\n"


def images_from_body(body: bytes | bytearray) -> ImageList | None:
    """The images of a successful answer that fits the documented types, or None."""
    try:
        with memoryview(body) as view:  # released before the caller may clear the body
            read = _read_in_pieces(body, view) if len(body) >= 2 * PIECE_BYTES else None
    except (msgspec.DecodeError, ValueError, RecursionError):  # invalid UTF-8 is a ValueError
        read = None
    if read is None:  # small, or not laid out as the pieces assume: read whole
        try:
            answer = _DECODER.decode(body)
        except (msgspec.DecodeError, ValueError, RecursionError):
            return None
        if str(answer.code).strip() != "0":
            return None  # the tolerant path explains error codes
        read = _normalised(answer.data), answer.msg
    images, msg = read
    return None if images is None else ImageList(tuple(images), 0, msg)


def _read_in_pieces(body: bytes | bytearray, view: memoryview) -> tuple[list[Image] | None, str] | None:
    """(images, msg) of a successful answer read piece by piece, each piece normalised as
    soon as it is decoded; None when the body is not laid out as the pieces assume, and
    then it is read whole, which has the last word.

    The cuts between items are found by a pattern, not by parsing, so one may fall inside
    a string or a nested value; then a piece is not JSON on its own and decoding it fails.
    The first piece (closed by `]}`; only code, msg and data allowed) decodes only when its
    cut is between two items of the `data` being read; each next piece, bracketed, only
    when it starts and ends there too; the last ends at the body's last `]`, so what
    follows it holds no list. Pieces that all decode hold the items a whole read gives,
    with its code and msg; a key found on both sides of the items is left to the whole read.
    """
    cuts = []
    at = PIECE_BYTES
    while at < len(view):
        found = _BETWEEN_ITEMS.search(view, at)
        if found is None:
            break
        cuts.append((found.start() + 1, found.end() - 1))
        at = found.end() + PIECE_BYTES
    close = body.rfind(b"]")
    if not cuts or close < cuts[-1][1]:
        return None
    rest = bytes(view[close + 1:]).strip(_BLANKS)
    if rest == b"}":
        tail = _Rest()
    elif rest[:1] == b"," and rest[1:].lstrip(_BLANKS)[:1] == b'"':
        tail = _REST.decode(b"{" + rest[1:])
    else:
        return None
    head = _HEAD.decode(b"".join((view[: cuts[0][0]], b"]}")))
    if (head.code is UNSET) == (tail.code is UNSET) or UNSET not in (head.msg, tail.msg) or tail.data is not UNSET:
        return None  # no code, or a key on both sides of the items
    code, msg = (tail.code if head.code is UNSET else head.code), (tail.msg if head.msg is UNSET else head.msg)
    if str(code).strip() != "0":
        return None  # the whole read declines it
    images = _normalised(head.data)
    ends = [(start, end) for (_, start), (end, _) in zip(cuts, [*cuts[1:], (close, 0)])]
    for start, end in ends:
        more = None if images is None else _normalised(_ITEMS.decode(b"".join((b"[", view[start:end], b"]"))))
        if images is None or more is None:
            return None, ""  # an item needs the tolerant parser's repairs: so would a whole read's
        images += more
    return images, "" if msg is UNSET else msg


def _normalised(items: list[ImageVo]) -> list[Image] | None:
    """Images as `models.parse_image` makes them, for items that need none of its repairs
    (a missing version, name or tag filled from the others; accelerators re-spelled; an
    epoch creation time). One loop, no call per field but `strip` (which returns the very
    string when there is nothing to strip)."""
    make = tuple.__new__
    plain_accelerators = {""}
    images = []
    append = images.append
    for item in items:
        name, tag, version = item.name.strip(), item.tag.strip(), item.version.strip()
        if not (name and tag and version):
            return None
        created = item.create_time.strip()
        if created.isdigit():
            return None
        accelerators = item.accelerator_type.strip()
        if accelerators not in plain_accelerators:
            if not PLAIN_ACCELERATORS.fullmatch(accelerators):
                return None
            plain_accelerators.add(accelerators)
        path = item.path.strip()
        text = haystack(name, tag, version, path)
        append(make(Image, (
            item.id.strip(), name, tag, version, path, accelerators, item.type.strip(), item.access.strip(),
            item.user.strip(), item.app_icon.strip(), item.image_id.strip(), item.is_preset_image, created, item,
            text, "",
        )))
    return images
