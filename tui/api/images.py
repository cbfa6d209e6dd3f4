"""The image-list calls: what they send, and how their answers become one list.

- the documented `GET /ai/openapi/v2/instance-service/images`, the filters as a
  JSON body on the GET (and as query parameters too: a server reading either works);
- the newer paginated `POST /ai/openapi/v2/image/images`: public and private
  images, page by page, a few pages in flight at once.

`image_api` chooses: "get", "post", or "auto" (the GET, then on HTTP 404/405 the
POST; what worked is remembered). The answers are read by `models.py`.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from ..i18n import _, ngettext
from .addresses import api_root, host_of
from .errors import ApiError, ConfigError, MalformedResponse, ScnetError, TooLarge, not_served
from .options import IMAGE_APIS
from .models import ImageList, page_total, parse_image_list
from .renewal import with_renewal
from .plans import Parallel, Plan
from .transport import Session

IMAGES_PATH = "/ai/openapi/v2/instance-service/images"
PAGED_IMAGES_PATH = "/ai/openapi/v2/image/images"
ACCESS_LEVELS = ("public", "private")
# Pages of the paginated call this client fetches at most, per access level.
MAX_PAGES = 2000

# progress(images received so far, images expected or None while unknown)
Progress = Callable[[int, "int | None"], None]


def images_url(base_url: str) -> str:
    return api_root(base_url) + IMAGES_PATH


def list_images(
    client: Session, accelerator_type: str | None = None, image_type: str | None = None, *, progress: Progress | None = None
) -> Any:
    """The image list, filtered by the server: an ImageList (awaitable with the async client).
    Raises ScnetError subclasses."""
    pairs = (("acceleratorType", accelerator_type), ("imageType", image_type))
    filters = {key: value for key, value in pairs if value}
    return client.run(with_renewal(client, lambda: _any_api(client, filters, progress)))


def _any_api(session: Session, filters: dict[str, str], progress: Progress | None) -> Plan:
    chosen = session.account.image_api
    if chosen not in IMAGE_APIS:
        raise ConfigError(
            _("image_api must be one of {choices}, not {value}").format(
                choices=", ".join(IMAGE_APIS), value=repr(chosen[:20])),
            _("fix image_api in the profile"),
        )
    if chosen in ("get", "post"):
        return (yield from _one_api(session, chosen, filters, progress))
    first = session.known_api or "get"
    try:
        result = yield from _one_api(session, first, filters, progress)
        used = first
    except ScnetError as error:
        if not not_served(error):
            raise
        used = "post" if first == "get" else "get"
        try:
            result = yield from _one_api(session, used, filters, progress)
        except ScnetError as second:
            if not not_served(second):
                raise  # the other call is served here, and this is its answer
            if getattr(error, "status", 0) not in (404, 405) or getattr(second, "status", 0) not in (404, 405):
                raise error from None  # the first failure says most (the call we expected to answer)
            get_status, post_status = (error.status, second.status) if first == "get" else (second.status, error.status)
            raise ApiError(
                _("{host} serves neither image-list call (GET {get_path}: HTTP {get_status}; "
                  "POST {post_path}: HTTP {post_status})").format(
                    host=host_of(session.base_url), get_path=IMAGES_PATH, get_status=get_status,
                    post_path=PAGED_IMAGES_PATH, post_status=post_status),
                _("check base_url: it should be the region's AI address, e.g. https://host:65011"),
                status=second.status,
            ) from None
    if used != session.known_api:
        session.known_api = used
        if session.account.on_api_detected is not None:
            session.account.on_api_detected(used)
    return result


def _one_api(session: Session, api: str, filters: dict[str, str], progress: Progress | None) -> Plan:
    if api == "post":
        return (yield from _paged(session, filters, progress))
    result = yield from session.call(
        "GET", session.root + IMAGES_PATH, parse_image_list, body=filters, params=filters, typed=_typed_images
    )
    return result._replace(api="get")


# Enough of an answer to know the call is served: a probe reads no catalog.
PROBE_BYTES = 64 * 1024


def probe_image_calls(client: Any) -> Any:
    """Which image-list calls the region answers, asked read-only and cheaply: a tuple of
    "get" (its answer cut short: an answer larger than a probe reads is an answer) and "post"
    (one page of one image); empty when neither is served there (HTTP 404/405). Any other
    failure is raised. What `client.run` gives (awaitable with the async client)."""
    def served(method: str, path: str, body: Any) -> Plan:
        try:
            yield from client.call(method, client.root + path, lambda payload: None, body=body,
                                   max_bytes=PROBE_BYTES)
        except TooLarge:
            return True
        except ApiError as error:
            return error.status not in (404, 405)  # an error code of its own: it is served
        return True

    def plan() -> Plan:
        page = {"access": "public", "start": 0, "limit": 1, "orderBy": "create_time", "sort": "DESC"}
        get = yield from served("GET", IMAGES_PATH, None)
        post = yield from served("POST", PAGED_IMAGES_PATH, page)
        return tuple(api for api, answers in (("get", get), ("post", post)) if answers)

    return client.run(with_renewal(client, plan))


def _typed_images(body: bytes | bytearray) -> ImageList | None:
    """A large answer read by msgspec into typed structs (None: not of those types)."""
    from .typed import images_from_body  # msgspec: only for large answers

    return images_from_body(body)


# --- the paginated call ---------------------------------------------------------------------------


class _Page(NamedTuple):
    access: str
    start: int
    listed: ImageList
    total: int | None

    @property
    def items(self) -> int:
        return len(self.listed.images) + self.listed.skipped


class _PageCount:
    """Counts images as pages arrive, for the progress callback."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.received = 0
        self.expected: int | None = None

    def expect(self, total: int) -> None:
        self.expected = total

    def add(self, result: Any) -> None:
        for page in _pages_of([result]):
            self.received += page.items
        if self.progress is not None:
            self.progress(self.received, self.expected)


def _pages_of(results: list[Any]) -> list[_Page]:
    """Results of page plans (a page, or a list of pages read one after another) -> pages."""
    return [page for result in results for page in (result if isinstance(result, list) else [result])]


def _merge_pages(pages: list[_Page]) -> ImageList:
    """Pages in order (public, then private; by offset), each image once."""
    order = {access: rank for rank, access in enumerate(ACCESS_LEVELS)}
    seen: set[tuple[str, str]] = set()
    images = []
    skipped = 0
    for page in sorted(pages, key=lambda page: (order.get(page.access, 9), page.start)):
        skipped += page.listed.skipped
        for image in page.listed.images:
            key = (image.id, image.path or image.version)
            if key not in seen:
                seen.add(key)
                images.append(image)
    message = pages[0].listed.message if pages else ""
    return ImageList(tuple(images), skipped, message, "post")


def _paged(session: Session, filters: dict[str, str], progress: Progress | None) -> Plan:
    """Every page of public and private images: the first page of each tells the total,
    then the rest are fetched together, at most `pages_in_flight` at a time."""
    size = max(1, session.options.page_size)
    pages = _PageCount(progress)
    firsts: list[_Page] = yield Parallel([_page(session, access, 0, size, filters) for access in ACCESS_LEVELS], pages.add)
    rest: list[Plan] = []
    for first in firsts:
        # A server that caps `limit` below ours answers shorter pages: step by what it sends.
        step = first.items if 0 < first.items < size else size
        if first.total is None:
            if first.items >= size:
                rest.append(_pages_until_short(session, first.access, step, size, filters))
            continue
        starts = range(step, first.total, step)
        if len(starts) > MAX_PAGES:
            raise MalformedResponse(
                _too_many(first.access, first.total, MAX_PAGES * step),
                _("narrow the list with the accelerator or image type filters"),
            )
        rest.extend(_page(session, first.access, start, size, filters) for start in starts)
    pages.expect(sum(first.total or first.items for first in firsts))
    more: list[Any] = (yield Parallel(rest, pages.add)) if rest else []
    every = [*firsts, *_pages_of(more)]
    # Pages that came back short (a server counting `start` in pages, not items, would do
    # this): say how many images are missing rather than pretend the list is whole.
    missing = sum(
        max(0, first.total - sum(page.items for page in every if page.access == first.access))
        for first in firsts
        if first.total is not None
    )
    # Pages without a total that were still full when the client stopped asking.
    per_access = [[page for page in every if page.access == first.access] for first in firsts if first.total is None]
    cut_short = any(len(pages) > MAX_PAGES and pages[-1].items >= size for pages in per_access)
    return _merge_pages(every)._replace(missing=missing, cut_short=cut_short)


def _pages_until_short(session: Session, access: str, start: int, size: int, filters: dict[str, str]) -> Plan:
    """Pages one after another, for a server that gives no total: until a short page."""
    got: list[_Page] = []
    while len(got) < MAX_PAGES:
        page = yield from _page(session, access, start, size, filters)
        got.append(page)
        if page.items < size:
            break
        start += page.items
    return got


def _page(session: Session, access: str, start: int, size: int, filters: dict[str, str]) -> Plan:
    # `sort` beside `orderBy`, as every client that ran live sends it (a region may require it).
    body: dict[str, Any] = {"access": access, "start": start, "limit": size, "orderBy": "create_time", "sort": "DESC"}
    if filters.get("acceleratorType"):
        body["acceleratorType"] = filters["acceleratorType"]
    if filters.get("imageType"):
        body["type"] = filters["imageType"]

    def read(payload: Any) -> _Page:
        return _Page(access, start, parse_image_list(payload), page_total(payload))

    return (yield from session.call(
        "POST", session.root + PAGED_IMAGES_PATH, read, body=body, max_bytes=session.options.max_page_bytes
    ))


def _too_many(access: str, total: int, limit: int) -> str:
    """The paginated call announced more images of `access` than this client fetches."""
    if access == "private":
        return ngettext("The server reports {total} private image, more than {limit} this client fetches",
                        "The server reports {total} private images, more than {limit} this client fetches",
                        total).format(total=total, limit=limit)
    return ngettext("The server reports {total} public image, more than {limit} this client fetches",
                    "The server reports {total} public images, more than {limit} this client fetches",
                    total).format(total=total, limit=limit)


def list_warnings(listed: ImageList) -> list[str]:
    """What is worth knowing about a list that is not an error: images left out, pages
    that came back short, pages that never ended. One sentence each, for any interface,
    in its language."""
    warnings = []
    if listed.missing:
        # The English keeps "image(s)" in both forms (as it always said); other languages count.
        warnings.append(ngettext(
            "The server announced {count} more image(s) than its pages held; the list may be incomplete",
            "The server announced {count} more image(s) than its pages held; the list may be incomplete",
            listed.missing,
        ).format(count=listed.missing))
    if listed.cut_short:
        warnings.append(ngettext(
            "The server gave no total and kept sending full pages; the client stopped after {count} page, "
            "so the list may be incomplete (narrow it with the accelerator or image type filter)",
            "The server gave no total and kept sending full pages; the client stopped after {count} pages, "
            "so the list may be incomplete (narrow it with the accelerator or image type filter)",
            MAX_PAGES,
        ).format(count=MAX_PAGES))
    if listed.skipped:
        warnings.append(ngettext(
            "Skipped {count} item(s) the server sent that hold no usable image",
            "Skipped {count} item(s) the server sent that hold no usable image",
            listed.skipped,
        ).format(count=listed.skipped))
    return warnings
