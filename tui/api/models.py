"""The image model and the tolerant parser of the image-list response.

The documented shape (images-api.txt) is loose in practice: `code` may be a
string or a number, `data` a list, a single object, null or an object that
wraps a list, `isPresetImage` a bool or a string, `createTime` a string or
epoch milliseconds. `parse_image_list` accepts all of them and either returns
images or raises one of the errors in `errors.py`, never anything else.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, NamedTuple

from ..i18n import _
from .envelope import parse_envelope, text_of as _text
from .gc_pause import gc_paused
from .errors import MalformedResponse

# The platform's times are Beijing time; epoch values are shown in it too.
PLATFORM_TZ = timezone(timedelta(hours=8))

# Documented ImagesVo field -> attribute name on Image.
DOCUMENTED_FIELDS: dict[str, str] = {
    "acceleratorType": "accelerator_type",
    "access": "access",
    "appIcon": "app_icon",
    "createTime": "create_time",
    "id": "id",
    "imageId": "image_id",
    "isPresetImage": "is_preset_image",
    "name": "name",
    "path": "path",
    "tag": "tag",
    "type": "type",
    "user": "user",
    "version": "version",
}


class Image(NamedTuple):
    """One ImagesVo, normalised. Strings are never None; unknown fields live in `extra`.

    A NamedTuple rather than a dataclass: immutable all the same, and several times
    cheaper to build, which counts at 100,000 images and in a shell lookup's start-up.
    """

    id: str = ""
    name: str = ""
    tag: str = ""
    version: str = ""
    path: str = ""
    accelerator_type: str = ""
    type: str = ""
    access: str = ""
    user: str = ""
    app_icon: str = ""
    image_id: str = ""
    is_preset_image: bool | None = None
    create_time: str = ""
    # What the server sent: its decoded object (the tolerant parser), or the typed struct
    # (`typed.py`), which reads like one.
    raw: Mapping[str, Any] = {}
    # Lower-cased text the search box matches against, computed once.
    haystack: str = ""
    # The region it was listed in, when several regions are shown at once (their labels:
    # `regions.RegionRef`); "" for one region's catalog.
    region: str = ""

    @property
    def created(self) -> datetime | None:
        """The creation time as a datetime (Beijing time), when `create_time` reads as one."""
        return parse_create_time(self.create_time)[1]

    @property
    def extra(self) -> dict[str, Any]:
        """Fields the server sent that the documentation does not list (derived, not stored)."""
        return {key: value for key, value in self.raw.items() if key not in DOCUMENTED_FIELDS}

    @property
    def accelerators(self) -> tuple[str, ...]:
        """`"gpu,cpu"` -> `("gpu", "cpu")`."""
        return split_accelerators(self.accelerator_type)

    def to_api_dict(self) -> dict[str, Any]:
        """The image under the documented field names, plus the unknown fields."""
        out: dict[str, Any] = {
            api_name: getattr(self, attr) for api_name, attr in DOCUMENTED_FIELDS.items()
        }
        out.update(self.extra)
        return out


class ImageList(NamedTuple):
    """What one image-list call returned: the images, and how many items were unusable."""

    images: tuple[Image, ...]
    skipped: int = 0
    message: str = ""
    api: str = ""  # which call answered: "get" (instance-service) or "post" (paginated)
    missing: int = 0  # images the paginated call announced in `total` but did not send
    cut_short: bool = False  # pages without a total kept coming, and the client stopped at MAX_PAGES


def split_accelerators(value: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in value.split(",") if part.strip())


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "1", "yes"}:
            return True
        if lowered in {"false", "0", "no"}:
            return False
    return None


def parse_create_time(value: Any) -> tuple[str, datetime | None]:
    """Return (text to show, datetime or None). Unparseable values are kept raw."""
    if isinstance(value, bool) or value is None:
        return _text(value), None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
        try:
            millis = float(value)
            moment = datetime.fromtimestamp(millis / 1000, PLATFORM_TZ).replace(tzinfo=None)
        except (ValueError, OverflowError, OSError):
            return _text(value), None
        return moment.strftime("%Y-%m-%d %H:%M:%S"), moment
    text = _text(value).strip()
    try:
        # fromisoformat takes the documented "2022-10-31 17:00:47" and ISO variants, and is
        # far cheaper than strptime, which matters at 100,000 images.
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text, None
    if moment.tzinfo is not None:
        moment = moment.astimezone(PLATFORM_TZ).replace(tzinfo=None)
    return text, moment


def _create_time_text(value: Any) -> str:
    """What `parse_create_time` shows, without reading a date from text (`Image.created` does)."""
    if isinstance(value, str) and not value.strip().isdigit():
        return value.strip()
    return parse_create_time(value)[0]


def haystack(name: str, tag: str, version: str, path: str) -> str:
    """The text search terms are matched against: name, tag, version and path, lower-cased.

    A path ending in the version already holds name and tag, and is usually lower-case
    already: then it is used as it is, with no new string per image. Terms never hold
    white space, so parts are joined by a space and line breaks become spaces (the
    search index lays these texts out one a line).
    """
    if path.endswith(version) and version.endswith(tag) and version.startswith(name):
        text = path
    else:
        text = " ".join((name, tag, version, path))
    lowered = text.lower()  # faster than islower() on ASCII, which tests one character at a time
    if lowered != text:
        text = lowered
    return text.replace("\n", " ") if "\n" in text else text


# Accelerators spelled as the client spells them (lower case, comma-separated): kept as they came.
PLAIN_ACCELERATORS = re.compile(r"[a-z0-9_.-]+(,[a-z0-9_.-]+)*")


def _shared(item: dict[str, Any], key: str) -> str:
    """A low-variety field (access, type, user...) as one shared string object.

    json.loads makes a new string for every occurrence; at 100,000 images the
    copies of "public" and "dcu" alone take tens of megabytes. The decoded item
    gets the shared object too, so the copy is freed.
    """
    value = item.get(key)
    if type(value) is str:
        value = item[key] = sys.intern(value)
        return value.strip()
    return _text(value).strip()


def parse_image(item: Any) -> Image | None:
    """One item of `data` -> Image, or None when it is not an object or holds nothing useful."""
    if not isinstance(item, dict):
        return None
    name = _shared(item, "name")
    tag = _text(item.get("tag")).strip()
    path = _text(item.get("path")).strip()
    version = _text(item.get("version")).strip()
    image_id = _text(item.get("id")).strip()
    if not (name or path or version or image_id):
        return None
    # Fill what one field implies about another: version is name:tag, path ends in it.
    if not version and name and tag:
        version = f"{name}:{tag}"
    if not version and path:
        version = path.rsplit("/", 1)[-1]
    if version and ":" in version and not (name and tag):
        vname, vtag = version.rsplit(":", 1)
        name = name or vname
        tag = tag or vtag
    create_time = _create_time_text(item.get("createTime"))
    accelerator_type = _shared(item, "acceleratorType")
    if accelerator_type and not PLAIN_ACCELERATORS.fullmatch(accelerator_type):
        accelerator_type = sys.intern(",".join(split_accelerators(accelerator_type)))
    return Image(
        id=image_id,
        name=name,
        tag=tag,
        version=version,
        path=path,
        accelerator_type=accelerator_type,
        type=_shared(item, "type"),
        access=_shared(item, "access"),
        user=_shared(item, "user"),
        app_icon=_shared(item, "appIcon"),
        image_id=_text(item.get("imageId")).strip(),
        is_preset_image=_flag(item.get("isPresetImage")),
        create_time=create_time,
        raw=item,
        haystack=haystack(name, tag, version, path),
    )


def _items_of(data: Any) -> list[Any]:
    if data is None:
        return []
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        # The newer paginated call wraps the list: {"total": N, "data": [...]}.
        for key in ("data", "list", "records", "rows", "items"):
            inner = data.get(key)
            if isinstance(inner, list):
                return inner
        # The documented example: a single ImagesVo object.
        return [data]
    raise MalformedResponse(
        _("The response's `data` is a {type}, not a list of images").format(type=type(data).__name__),
        _("the server may not speak this API version; check base_url"),
    )


def parse_image_list(payload: Any) -> ImageList:
    """A decoded JSON body -> ImageList.

    Raises TokenRefused/ApiError for a non-zero `code`, MalformedResponse for a
    body that is not the documented envelope.
    """
    data, message = parse_envelope(payload)
    images: list[Image] = []
    skipped = 0
    with gc_paused(keep=True):
        for item in _items_of(data):
            image = parse_image(item)
            if image is None:
                skipped += 1
            else:
                images.append(image)
    return ImageList(tuple(images), skipped, message)


def page_total(payload: Any) -> int | None:
    """`total` of the paginated call's `data` ({"total": N, "data": [...]}), when it has one."""
    data = payload.get("data") if isinstance(payload, dict) else None
    total = data.get("total") if isinstance(data, dict) else None
    try:
        return None if total is None or isinstance(total, bool) else max(0, int(str(total).strip()))
    except ValueError:
        return None
