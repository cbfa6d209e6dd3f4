"""The typed fast path reads exactly what the tolerant parser reads, or declines.

Whatever the body, `images_from_body` either returns None (the tolerant parser then reads
it, so hostile and odd answers keep their behaviour) or the very images the tolerant
parser makes. A large catalog through the real client takes the fast path.
"""

from __future__ import annotations

import json
import pickle
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.api.drivers import ScnetSyncClient
from tui.api.images import list_images
from tui.api.models import Image, ImageList, parse_image_list
from tui.api import typed
from tui.api.typed import ImageVo, images_from_body
from tui.demo.catalog import demo_catalog, synthetic_catalog
from tui.demo.server import DemoServer

from ..conftest import FAST


def _same(fast: ImageList, slow: ImageList) -> None:
    """Equal lists: every field, the search text, and the raw fields the server sent."""
    assert (fast.skipped, fast.message, len(fast.images)) == (slow.skipped, slow.message, len(slow.images))
    for mine, theirs in zip(fast.images, slow.images):
        assert mine._replace(raw={}) == theirs._replace(raw={})  # every field but the raw one, the search text too
        assert mine.created == theirs.created
        # The struct omits fields left at their default: an empty string reads as absent.
        assert dict(mine.raw) == {key: value for key, value in theirs.raw.items() if value not in ("", None)}
        assert mine.extra == {key: value for key, value in theirs.extra.items() if value not in ("", None)}


def _body(data: Any, code: Any = "0", msg: Any = "success") -> bytes:
    return json.dumps({"code": code, "msg": msg, "data": data}, ensure_ascii=False).encode()


def test_the_demo_catalog_is_read_alike() -> None:
    body = _body(synthetic_catalog(2000))
    fast = images_from_body(body)
    assert fast is not None
    _same(fast, parse_image_list(json.loads(body)))
    assert isinstance(fast.images[0].raw, ImageVo)


def test_blanks_around_values_are_stripped_alike() -> None:
    item = {"name": " pytorch", "tag": "2.1 ", "version": "pytorch:2.1", "path": "r/pytorch:2.1\t",
            "access": "public ", "acceleratorType": " dcu", "createTime": " 2024-01-02 03:04:05 "}
    body = _body([item])
    fast = images_from_body(body)
    assert fast is not None and fast.images[0].name == "pytorch" and fast.images[0].access == "public"
    _same(fast, parse_image_list(json.loads(body)))


@pytest.mark.parametrize(
    "body",
    [
        _body([{"name": "a", "tag": "1", "version": "a:1"}], code="10008", msg="token invalid"),  # an error code
        _body({"name": "a", "tag": "1", "version": "a:1"}),  # `data` as the documented object
        _body(None),
        _body({"total": 1, "data": [{"name": "a", "tag": "1", "version": "a:1"}]}),
        _body([{"name": "a", "tag": "1", "version": "a:1", "id": 7}]),  # a number for a string
        _body([{"name": "a", "tag": "1", "version": "a:1", "isPresetImage": "true"}]),
        _body([{"name": "a", "tag": "1", "version": "a:1", "createTime": 1667206847000}]),
        _body([{"name": "a", "tag": "1", "version": "a:1", "createTime": "1667206847000"}]),
        _body([{"name": "a", "tag": "1", "version": "a:1", "mystery": 1}]),  # an unknown field
        _body([{"name": "a", "tag": "1"}]),  # version to fill in
        _body([{"path": "r/a:1", "version": "a:1"}]),  # name and tag to fill in
        _body([{"name": "a", "tag": "1", "version": "a:1", "acceleratorType": "GPU, DCU"}]),  # to re-spell
        _body(["not an object"]),
        _body([{"name": "a", "tag": "1", "version": "a:1"}], msg=None),
        b'{"code": "0", "data": [' + b"[" * 5000 + b"]" * 5000 + b"]}",
        b"<html>not json</html>",
        b'{"code": "0", "data": [{"name": "a", "tag": "1", "version": "a:\xff"}]}',  # not UTF-8
    ],
)
def test_what_does_not_fit_the_types_is_declined(body: bytes) -> None:
    assert images_from_body(body) is None


_TEXT = st.one_of(st.text(max_size=12), st.sampled_from(["", " ", "a", "dcu", "gpu,cpu", "\n", "1667206847000"]))
_VALUE = st.one_of(_TEXT, st.none(), st.booleans(), st.integers(), st.lists(st.integers(), max_size=2))
_KEYS = st.sampled_from(["id", "name", "tag", "version", "path", "acceleratorType", "type", "access", "user",
                         "appIcon", "imageId", "isPresetImage", "createTime", "description", "imageSize", "odd"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(_KEYS, st.one_of(_TEXT, _TEXT, _VALUE), max_size=8), max_size=4))
def test_any_answer_is_declined_or_read_exactly_as_the_tolerant_parser_reads_it(data: list[dict[str, Any]]) -> None:
    body = _body(data)
    fast = images_from_body(body)
    if fast is not None:
        _same(fast, parse_image_list(json.loads(body)))


def test_a_typed_image_pickles() -> None:
    listed = images_from_body(_body(demo_catalog()[:3]))
    assert listed is not None
    back = pickle.loads(pickle.dumps(listed.images[0]))
    assert back == listed.images[0] and dict(back.raw) == dict(listed.images[0].raw)


def test_a_large_catalog_takes_the_fast_path_through_the_client() -> None:
    catalog = synthetic_catalog(3000)  # about 1.8 MB: above the size the fast path starts at
    with DemoServer(catalog) as server, ScnetSyncClient(server.base_url, server.token, FAST) as client:
        listed = list_images(client)
    assert listed.api == "get" and len(listed.images) == len(catalog)
    assert all(isinstance(image, Image) and isinstance(image.raw, ImageVo) for image in listed.images)
    _same(listed._replace(api=""), parse_image_list(json.loads(_body(catalog))))


def test_a_large_answer_the_types_refuse_is_still_read() -> None:
    catalog = synthetic_catalog(3000)
    catalog[5] = {**catalog[5], "id": 12345}  # one number where a string belongs
    with DemoServer(catalog) as server, ScnetSyncClient(server.base_url, server.token, FAST) as client:
        listed = list_images(client)
    assert len(listed.images) == len(catalog) and listed.images[5].id == "12345"
    assert all(type(image.raw) is dict for image in listed.images)


def test_msgspec_reads_the_struct_back_as_the_api_names() -> None:
    vo = msgspec.json.decode(b'{"imageId": "sha256:1", "isPresetImage": false, "name": "a"}', type=ImageVo)
    assert dict(vo) == {"imageId": "sha256:1", "isPresetImage": False, "name": "a"}
    assert vo.get("imageId") == "sha256:1" and "name" in vo and len(vo) == 3 and list(vo) == list(dict(vo))


# --- a large body read in pieces ----------------------------------------------------------------


def _whole(body: bytes, monkeypatch: pytest.MonkeyPatch) -> ImageList | None:
    with monkeypatch.context() as patch:
        patch.setattr(typed, "PIECE_BYTES", 1 << 40)  # never in pieces
        return images_from_body(body)


def _alike(body: bytes, monkeypatch: pytest.MonkeyPatch) -> ImageList | None:
    """Read in pieces of ~100 bytes, and whole: the same answer (both None, or the same images)."""
    monkeypatch.setattr(typed, "PIECE_BYTES", 100)
    pieces, whole = images_from_body(body), _whole(body, monkeypatch)
    assert (pieces is None) == (whole is None)
    if pieces is not None and whole is not None:
        _same(pieces, whole)
    return pieces


def test_a_body_in_pieces_is_read_as_the_whole_body_is(monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = synthetic_catalog(200)
    for body in (_body(catalog), json.dumps({"code": 0, "data": catalog}, separators=(",", ":")).encode(),
                 json.dumps({"data": catalog, "msg": "ok", "code": "0"}, indent=2).encode()):
        read: list[Any] = []
        spy = typed._read_in_pieces
        monkeypatch.setattr(typed, "_read_in_pieces", lambda body, view: read.append(spy(body, view)) or read[-1])
        listed = _alike(body, monkeypatch)
        assert listed is not None and len(listed.images) == 200
        assert read[0] is not None  # read in pieces, not whole
        monkeypatch.undo()


@pytest.mark.parametrize(
    "body",
    [
        # Cuts that fall inside strings and nested values: a piece is not JSON, so it is read whole.
        _body([{"name": "a", "tag": "1", "version": "a:1", "description": "x}, {" * 40} for _ in range(8)]),
        _body([{"name": "a", "tag": "1", "version": "a:1", "description": [{"n": i} for i in range(30)]}] * 6),
        _body([{"name": "a", "tag": "1", "version": "a:1", "user": "u" * 90}] * 8, code="10008"),  # an error code
        b'{"code": "0", "msg": "a", "data": [' + b", ".join([b'{"name": "a", "tag": "1", "version": "a:1"}'] * 9)
        + b'], "msg": "b"}',  # a repeated key, one in each end
        b'{"data": [' + b", ".join([b'{"name": "a", "tag": "1", "version": "a:1"}'] * 9) + b'], "code": "1"}',
        b'{"code": "0", "data": [' + b", ".join([b'{"name": "a", "tag": "1", "version": "a:1"}'] * 9)
        + b'], "data": []}',
        b'{"code": "0", "data": [' + b", ".join([b'{"name": "a", "tag": "1", "version": "a:1"}'] * 9),  # cut short
        # Image-like objects in another list, after `data` or before a repeated `data`: not items.
        b'{"code": "0", "data": [{"name": "a", "tag": "1", "version": "a:1"}], "extra": ['
        + b", ".join([b'{"name": "b", "tag": "2", "version": "b:2"}'] * 9) + b"]}",
        b'{"data": [' + b", ".join([b'{"name": "b", "tag": "2", "version": "b:2"}'] * 9)
        + b'], "code": "0", "data": [{"name": "a", "tag": "1", "version": "a:1"}]}',
        b'{"code": "0", "data": [{"name": "a", "tag": "1", "version": "a:1"}], "data": ['
        + b", ".join([b'{"name": "b", "tag": "2", "version": "b:2"}'] * 9) + b"]}",
        b'{"code": "0", "data": [' + b", ".join([b'{"name": "b", "tag": "2", "version": "b:2"}'] * 9)
        + b'], "msg": "x]"}',  # a bracket after the items
        b'{"code": "0", "data": [' + b", ".join([b'{"name": "b", "tag": "2", "version": "b:2"}'] * 9)
        + b'], }',  # a trailing comma
        b'{"code": "0", "data": [' + b", ".join([b'{"name": "b", "tag": "2", "version": "b:2"}'] * 9)
        + b']}\x0c',  # a blank JSON does not allow
        b'{"code": "0", "data": [' + b", ".join([b'{"name": "a", "tag": "1", "version": "a:1"}'] * 8)
        + b', {"name": "a", "tag": "1"}]}',  # the last item needs a repair
    ],
)
def test_a_body_that_does_not_cut_cleanly_is_read_whole(body: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    _alike(body, monkeypatch)


_NASTY = st.sampled_from(["}, {", "},{", '"}, {"', "}]}", "[{", "\\", '\\"', "é"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(_KEYS, st.one_of(_TEXT, _NASTY, _VALUE), max_size=6), max_size=12),
       st.sampled_from([(", ", ": "), (",", ":"), (",\n  ", ": ")]), st.booleans())
def test_any_body_in_pieces_is_read_as_the_whole_body_is(
    data: list[dict[str, Any]], separators: tuple[str, str], data_first: bool
) -> None:
    envelope = {"data": data, "code": "0", "msg": "m"} if data_first else {"code": "0", "msg": "m", "data": data}
    body = json.dumps(envelope, separators=separators, ensure_ascii=False).encode()
    with pytest.MonkeyPatch.context() as monkeypatch:
        _alike(body, monkeypatch)
