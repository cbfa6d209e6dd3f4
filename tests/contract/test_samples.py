"""Every answer recorded from the live platform, read by the client into what a user sees.

The bytes are served verbatim (`samples.py`, each with its source) by a transport standing
in for the platform: the demo API never sends them byte for byte.
"""

from __future__ import annotations

import httpx
import pytest

from tui.api import containers
from tui.api.auth import access_key_login, region_center
from tui.api.drivers import ScnetSyncClient
from tui.api.errors import ApiError, TokenRefused
from tui.api.images import list_images
from tui.api.options import Account
from tui.widgets.detail_pane import human_size

from ..conftest import FAST
from . import samples


def answering(body: bytes) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, content=body,
                                                              headers={"Content-Type": "application/json"}))


def client_for(body: bytes, account: Account | None = None) -> ScnetSyncClient:
    return ScnetSyncClient("https://ai.example:65011", "a-region-token-value", FAST, account,
                           transport=answering(body))


def test_the_paginated_image_list() -> None:
    with client_for(samples.PAGED_IMAGES, Account(image_api="post")) as client:
        listed = list_images(client)
    (image,) = listed.images
    assert (image.name, image.accelerator_type, image.type, image.access) == ("custom", "dcu", "Base", "public")
    assert image.path.startswith("image.ac.com:5000/dcu/admin/base/custom:vllm0.7.2-ubuntu22.04")
    assert image.version == image.path.rsplit("/", 1)[1] and listed.missing == 0
    assert human_size(image.raw["imageSize"]) == "6.0 GiB"


def test_an_action_answered_success_without_data() -> None:
    with client_for(samples.SUCCESS_WITHOUT_DATA) as client:
        assert containers.stop_instances(client, ["4c1f43ddb030483e89b55413bee6c004"]) is None


def test_an_error_code_no_page_lists_is_shown_with_the_servers_words() -> None:
    with client_for(samples.NOTEBOOK_ALREADY_STOPPED) as client:
        with pytest.raises(ApiError) as caught:
            containers.stop_instances(client, ["4c1f43ddb030483e89b55413bee6c004"])
    assert caught.value.code == "817140" and caught.value.exit_code == 5
    assert "当前Notebook已经停止！" in caught.value.message and "does not list" in caught.value.message


def test_a_gateways_invalid_jwt_is_a_refused_token() -> None:
    with client_for(samples.GATEWAY_TOKEN_INVALID) as client:
        with pytest.raises(TokenRefused) as caught:
            list_images(client)
    assert caught.value.exit_code == 3 and caught.value.code == "1001"
    assert "jwt token is invalid" in caught.value.message and "scnet-images login" in caught.value.hint


@pytest.mark.parametrize(("body", "said"), [(samples.LOGIN_NO_SUCH_USER, "用户不存在"),
                                            (samples.LOGIN_BAD_SIGNATURE, "AK/SK签名校验失败")])
def test_access_key_login_refusals(body: bytes, said: str, monkeypatch: pytest.MonkeyPatch) -> None:
    real = ScnetSyncClient.__init__

    def with_transport(self: ScnetSyncClient, *args: object, **kwargs: object) -> None:
        real(self, *args, **{**kwargs, "transport": answering(body)})  # type: ignore[arg-type]

    monkeypatch.setattr(ScnetSyncClient, "__init__", with_transport)
    with pytest.raises(TokenRefused) as caught:
        access_key_login("https://api.example", "alice", "AK", "secret-key-value")
    assert "access-key login" in caught.value.message and said in caught.value.message
    assert caught.value.exit_code == 3 and "secret-key-value" not in str(caught.value)


def test_the_region_lookup_with_the_platform_token(monkeypatch: pytest.MonkeyPatch) -> None:
    real = ScnetSyncClient.__init__

    def with_transport(self: ScnetSyncClient, *args: object, **kwargs: object) -> None:
        real(self, *args, **{**kwargs, "transport": answering(samples.CENTER_WITH_PLATFORM_TOKEN)})  # type: ignore[arg-type]

    monkeypatch.setattr(ScnetSyncClient, "__init__", with_transport)
    with pytest.raises(ApiError) as caught:
        region_center("https://www.scnet.example", "the-platform-token")
    assert caught.value.code == "10001" and "internal" in caught.value.message
