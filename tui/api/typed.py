"""The fast path of a large image list: msgspec decodes the body straight into typed structs.

`images_from_body` reads an answer that is exactly what the documentation promises (a
`code` of "0", `data` a list of objects whose fields have their documented types, plus the
few fields the platform is known to add) in one pass of C, then normalises it in one
short loop. Anything else (an error code, `data` as an object, a number where a string
belongs, an unknown field, a blank name) makes it return None, and the tolerant parser
of `models.py` reads the body as before: what it accepts and how it fails are unchanged.

Imported only for bodies of a megabyte or more (msgspec costs a shell lookup 15 ms).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Iterator, get_type_hints

import msgspec
from msgspec import UNSET

from .models import DOCUMENTED_FIELDS, Image, ImageList

# The documented fields under their attribute names, as Image has them (its order).
_RENAME = {attribute: name for name, attribute in DOCUMENTED_FIELDS.items()}
# Fields the platform sends that the documentation does not list (the paginated call's).
_KNOWN_EXTRA = {"description": "description", "image_size": "imageSize", "status": "status"}
_PLAIN_ACCELERATORS = re.compile(r"[a-z0-9_.-]+(,[a-z0-9_.-]+)*")


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


_DECODER = msgspec.json.Decoder(_Answer)


def images_from_body(body: bytes | bytearray) -> ImageList | None:
    """The images of a successful answer that fits the documented types, or None."""
    try:
        answer = _DECODER.decode(body)
    except (msgspec.DecodeError, ValueError, RecursionError):  # invalid UTF-8 is a ValueError
        return None
    if str(answer.code).strip() != "0":
        return None  # the tolerant path explains error codes
    images = _normalised(answer.data)
    return None if images is None else ImageList(tuple(images), 0, answer.msg)


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
            if not _PLAIN_ACCELERATORS.fullmatch(accelerators):
                return None
            plain_accelerators.add(accelerators)
        path = item.path.strip()
        # The search text (models._haystack, inline).
        if path.endswith(version) and version.endswith(tag) and version.startswith(name):
            text = path
        else:
            text = " ".join((name, tag, version, path))
        if not text.islower():
            text = text.lower()
        if "\n" in text:
            text = text.replace("\n", " ")
        append(make(Image, (
            item.id.strip(), name, tag, version, path, accelerators, item.type.strip(), item.access.strip(),
            item.user.strip(), item.app_icon.strip(), item.image_id.strip(), item.is_preset_image, created, item,
            text,
        )))
    return images
