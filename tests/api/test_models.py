"""The tolerant parser: every documented quirk, and a property test over arbitrary JSON."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.api.errors import ApiError, MalformedResponse, ScnetError, TokenRefused
from tui.api.models import parse_image, parse_image_list

DOC_EXAMPLE = {
    "code": "0",
    "msg": "success",
    "data": {
        "acceleratorType": "dcu",
        "access": "private",
        "appIcon": "/global_resource/appIcon/appicon_base.png",
        "createTime": "2022-10-31 17:00:47",
        "id": "0141ea661e26458c9098907b20170b26",
        "imageId": "sha256:a459747da8ca823d0067def6dac5ac46a446fa37a1c184e114e462c30f0d541e",
        "isPresetImage": True,
        "name": "jupyterlab",
        "path": "ip:5000/dcu/admin/base/jupyterlab:3.2.9-python3.8.3-dtk22.04.1",
        "tag": "3.2.9-python3.8.3-dtk22.04.1",
        "type": "Base",
        "user": "admin",
        "version": "jupyterlab:3.2.9-python3.8.3-dtk22.04.1",
    },
}


def test_the_documentation_example_parses() -> None:
    result = parse_image_list(DOC_EXAMPLE)
    (image,) = result.images
    assert image.name == "jupyterlab"
    assert image.path == "ip:5000/dcu/admin/base/jupyterlab:3.2.9-python3.8.3-dtk22.04.1"
    assert image.is_preset_image is True
    assert image.created == datetime(2022, 10, 31, 17, 0, 47)
    assert image.image_id.startswith("sha256:")
    assert image.to_api_dict()["isPresetImage"] is True


@pytest.mark.parametrize("code", ["0", 0, " 0 "])
def test_code_zero_in_any_form(code: object) -> None:
    assert parse_image_list({"code": code, "data": []}).images == ()


def test_token_codes_raise_token_refused() -> None:
    with pytest.raises(TokenRefused):
        parse_image_list({"code": 10008, "msg": "权限不足"})


def test_server_message_is_printable_in_errors() -> None:
    with pytest.raises(ApiError) as caught:
        parse_image_list({"code": "10001", "msg": "boom\x1b[31m red"})
    assert "\x1b" not in str(caught.value)
    assert "\\x1b" in str(caught.value)


@pytest.mark.parametrize(
    "value, expected",
    [(True, True), (False, False), ("true", True), ("false", False), ("TRUE", True), (1, True), (0, False), ("maybe", None), (None, None)],
)
def test_is_preset_image_forms(value: object, expected: object) -> None:
    image = parse_image({"name": "a", "isPresetImage": value})
    assert image is not None and image.is_preset_image is expected


def test_create_time_in_epoch_milliseconds() -> None:
    image = parse_image({"name": "a", "createTime": 1667206847000})
    assert image is not None
    assert image.created == datetime(2022, 10, 31, 17, 0, 47)  # Beijing time
    assert image.create_time == "2022-10-31 17:00:47"


def test_unparseable_create_time_is_kept_raw() -> None:
    image = parse_image({"name": "a", "createTime": "last Tuesday"})
    assert image is not None
    assert image.create_time == "last Tuesday" and image.created is None


def test_several_accelerators() -> None:
    image = parse_image({"name": "jupyter", "acceleratorType": "GPU, cpu"})
    assert image is not None
    assert image.accelerators == ("gpu", "cpu")
    assert image.accelerator_type == "gpu,cpu"


def test_unknown_fields_are_kept() -> None:
    image = parse_image({"name": "a", "imageSize": "1024", "status": "Completed"})
    assert image is not None
    assert image.extra == {"imageSize": "1024", "status": "Completed"}
    assert image.to_api_dict()["status"] == "Completed"


def test_name_and_tag_are_derived_from_the_path() -> None:
    image = parse_image({"path": "h:5000/dcu/admin/base/vllm:0.9.2-dtk25.04"})
    assert image is not None
    assert (image.name, image.tag, image.version) == ("vllm", "0.9.2-dtk25.04", "vllm:0.9.2-dtk25.04")


def test_useless_items_are_skipped_and_counted() -> None:
    result = parse_image_list({"code": "0", "data": [1, "x", None, {}, {"user": "admin"}, {"name": "ok"}]})
    assert [image.name for image in result.images] == ["ok"]
    assert result.skipped == 5


@pytest.mark.parametrize("data", [{"total": 1, "data": [{"name": "a"}]}, {"list": [{"name": "a"}]}])
def test_wrapped_lists(data: object) -> None:
    assert [i.name for i in parse_image_list({"code": "0", "data": data}).images] == ["a"]


@pytest.mark.parametrize("payload", [[], "x", 3, None, {"msg": "no code"}, {"code": "0", "data": 7}])
def test_wrong_envelopes(payload: object) -> None:
    with pytest.raises(MalformedResponse):
        parse_image_list(payload)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=30,
)
FIELD_NAMES = st.sampled_from(
    ["code", "msg", "data", "name", "tag", "path", "version", "id", "createTime", "isPresetImage", "acceleratorType", "total"]
)
SCNETISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.sampled_from(["0", 0, "10008", "true"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(FIELD_NAMES, children, max_size=8),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(payload=st.one_of(JSON, SCNETISH))
def test_parser_returns_images_or_raises_its_own_errors(payload: object) -> None:
    try:
        result = parse_image_list(payload)
    except ScnetError:
        return
    for image in result.images:
        assert isinstance(image.name, str) and isinstance(image.path, str)
        assert image.name or image.path or image.version or image.id
    assert result.skipped >= 0
