"""The demo API's image-list calls, as images-api.txt and the notes describe them.

- `GET /ai/openapi/v2/instance-service/images`: the filters as a JSON body on the GET
  (or as query parameters); `data` a list, or the other shapes the page allows;
- `POST /ai/openapi/v2/image/images`: one page, `data` = {"total": N, "data": [...]},
  with the extra fields this call adds (`imageSize`, `status`).

A region serves every n-th image of the catalog, some under its own registry, and some
images of its own (`catalog.regional`), so regions differ.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import TYPE_CHECKING, Any, Iterable

from .catalog import demo_catalog, regional
from .dialects import DIALECTS, Dialect
from .envelope import Answer, api_error, json_object
from .plumbing import Request, Route

if TYPE_CHECKING:
    from .accounts import DemoRegion

IMAGES_PATH = "/ai/openapi/v2/instance-service/images"
PAGED_IMAGES_PATH = "/ai/openapi/v2/image/images"
# The paginated call's largest page; a client asking for more gets this many.
MAX_PAGE_SIZE = 100
PAGED_ORDER = ("create_time", "share_time", "clone_times")
KNOWN_ACCELERATORS = ("dcu", "gpu", "cpu")
KNOWN_IMAGE_TYPES = ("Base", "JupyterLab", "CodeServer", "RStudio")
# Shapes of `data` the documentation allows: a list (the type), an object (the example).
SHAPES = ("list", "object", "null", "wrapped")


class ImageCalls:
    """The catalog and the two calls that list it. Encoded answers are cached per filter:
    the catalog only changes through `set_images`."""

    def __init__(self, images: Iterable[dict[str, Any]] | None, shape: str, dialect: Dialect = DIALECTS["default"]) -> None:
        if shape not in SHAPES:
            raise ValueError(f"shape must be one of {SHAPES}")
        self.dialect = dialect
        self.images = list(demo_catalog() if images is None else images)
        self._own_catalog = images is None  # the regions add the images they alone have to the demo's
        self.shape = shape
        self._lock = threading.Lock()
        self._encoded: dict[tuple[str, str, str], bytes] = {}
        self._matched: dict[tuple[str, ...], list[dict[str, Any]]] = {}

    def routes(self) -> list[Route]:
        return [
            Route("GET", IMAGES_PATH, self.list_get, region_call=True, image_api="get", name="images"),
            Route("POST", PAGED_IMAGES_PATH, self.list_post, region_call=True, image_api="post", name="images"),
        ]

    def set_images(self, images: Iterable[dict[str, Any]]) -> None:
        with self._lock:
            self.images = list(images)
            self._own_catalog = False
            self._encoded.clear()
            self._matched.clear()

    # --- the calls ---------------------------------------------------------------------

    def list_get(self, request: Request) -> Answer:
        filters = _filters(request)
        if isinstance(filters, Answer):
            return filters
        return Answer(200, self.answer(filters, request.region))

    def list_post(self, request: Request) -> Answer:
        query = _page_query(request.body, self.dialect.sort_required)
        if isinstance(query, Answer):
            return query
        return Answer(200, self.page(query, request.region))

    # --- answers ---------------------------------------------------------------------------

    def _matching(
        self, region: DemoRegion | None, accelerator: str, image_type: str, access: str = ""
    ) -> list[dict[str, Any]]:
        """The images these filters select, computed once per catalog: the paginated call
        asks for the same selection once per page."""
        key = (region.cluster_id if region else "", accelerator.lower(), image_type.lower(), access)
        with self._lock:
            images, cached, own = self.images, self._matched.get(key), self._own_catalog
        if cached is not None:
            return cached
        if region is not None:
            images = regional(images, region, extras=own)
        matched = [
            item
            for item in images
            if (not key[1] or key[1] in _accelerators_of(item))
            and (not key[2] or str(item.get("type", "")).lower() == key[2])
            and (not access or str(item.get("access", "public")) == access)
        ]
        with self._lock:
            self._matched[key] = matched
        return matched

    def answer(self, filters: dict[str, str], region: DemoRegion | None = None) -> bytes:
        """The success body for these filters (cached: the catalog is immutable between sets)."""
        key = (region.cluster_id if region else "", filters.get("acceleratorType", ""), filters.get("imageType", ""))
        with self._lock:
            cached = self._encoded.get(key)
        if cached is not None:
            return cached
        matched = self._matching(region, key[1], key[2])
        data: Any = matched
        if self.shape == "object":
            data = matched[0] if matched else None
        elif self.shape == "null" and not matched:
            data = None
        elif self.shape == "wrapped":
            data = {"total": len(matched), "data": matched}
        body = json.dumps({"code": "0", "msg": "success", "data": data}, ensure_ascii=False).encode()
        with self._lock:
            self._encoded[key] = body
        return body

    def page(self, query: dict[str, Any], region: DemoRegion | None = None) -> bytes:
        """One page of the paginated call: `data` = {"total": N, "data": [...]}, newest first.
        Items carry the extra fields this call adds (`imageSize`, `status`)."""
        matched = self._matching(region, query.get("acceleratorType") or "", query.get("type") or "", query["access"])
        name = str(query.get("name") or "").lower()
        if name:
            matched = [item for item in matched if name in str(item.get("name", "")).lower()]
        start, limit = query["start"], min(query["limit"], MAX_PAGE_SIZE)
        rows = [
            {**item, "imageSize": str(image_size(item)), "status": "Completed"}
            for item in matched[start : start + limit]
        ]
        data = {"total": len(matched), "data": rows}
        return json.dumps({"code": "0", "msg": "success", "data": data}, ensure_ascii=False).encode()


def image_size(item: dict[str, Any]) -> int:
    """A plausible, stable size in bytes (3-30 GB), derived from the image's id."""
    seed = int(hashlib.sha256(str(item.get("id", "")).encode()).hexdigest()[:8], 16)
    return 3_000_000_000 + seed % 27_000_000_000


def _accelerators_of(item: dict[str, Any]) -> list[str]:
    return [part.strip().lower() for part in str(item.get("acceleratorType", "")).split(",")]


def _page_query(body: bytes, sort_required: bool = False) -> dict[str, Any] | Answer:
    given = json_object(body)
    if isinstance(given, Answer):
        return given
    missing = [key for key in ("access", *(("sort",) if sort_required else ())) if given.get(key) in (None, "")]
    if missing:
        return api_error("10003", ", ".join(missing))
    problems = []
    if str(given.get("sort") or "DESC").upper() not in ("DESC", "ASC"):
        problems.append("sort")
    if given["access"] not in ("public", "private"):
        problems.append("access")
    for key, lowest in (("start", 0), ("limit", 1)):
        value = given.get(key, lowest if key == "start" else 10)
        if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
            problems.append(key)
        given[key] = value
    if given.get("orderBy") not in (None, "", *PAGED_ORDER):
        problems.append("orderBy")
    for key, allowed in (("acceleratorType", KNOWN_ACCELERATORS), ("type", KNOWN_IMAGE_TYPES)):
        value = given.get(key)
        if value not in (None, "") and (not isinstance(value, str) or value not in allowed):
            problems.append(key)
    if problems:
        return api_error("10004", ", ".join(problems))
    return given


def _filters(request: Request) -> dict[str, str] | Answer:
    filters: dict[str, Any] = {k: v[-1] for k, v in request.query.items()}
    if request.body.strip():
        given = json_object(request.body)
        if isinstance(given, Answer):
            return given
        filters.update(given)
    clean: dict[str, str] = {}
    for key, allowed in (("acceleratorType", KNOWN_ACCELERATORS), ("imageType", KNOWN_IMAGE_TYPES)):
        value = filters.get(key)
        if value in (None, ""):
            continue
        if not isinstance(value, str) or value.lower() not in {a.lower() for a in allowed}:
            return api_error("10004", f"{key}={str(value)[:40]}")
        clean[key] = value
    return clean
