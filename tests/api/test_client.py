"""The client against the demo API over real loopback HTTP: every success shape, every failure."""

from __future__ import annotations

import json
import logging
import ssl
from pathlib import Path

import httpx
import pytest
import trustme

from tui.api.addresses import api_root
from tui.api.drivers import ScnetClient
from tui.api.images import images_url
from tui.api.options import ClientOptions
from tui.api.errors import (
    ApiError,
    ConfigError,
    MalformedResponse,
    NetworkError,
    ScnetError,
    TlsError,
    TokenRefused,
)
from tui.demo.server import IMAGES_PATH, DemoServer

from ..conftest import FAST

# --- success ---------------------------------------------------------------------


async def test_lists_the_whole_catalog(demo_server: DemoServer, client: ScnetClient) -> None:
    async with client:
        result = await client.list_images()
    assert len(result.images) == len(demo_server.images) >= 250
    assert result.skipped == 0
    first = result.images[0]
    assert first.path.endswith(first.version)
    assert first.version == f"{first.name}:{first.tag}"


async def test_sends_what_the_page_documents(demo_server: DemoServer, client: ScnetClient) -> None:
    async with client:
        await client.list_images("dcu", "Base")
    request = demo_server.requests[-1]
    assert request.method == "GET"
    assert request.path == IMAGES_PATH
    assert request.content_type == "application/json"
    assert json.loads(request.body) == {"acceleratorType": "dcu", "imageType": "Base"}
    assert request.query == {"acceleratorType": ["dcu"], "imageType": ["Base"]}
    assert request.token_ok


async def test_empty_filters_are_not_sent(demo_server: DemoServer, client: ScnetClient) -> None:
    async with client:
        await client.list_images(None, "")
    request = demo_server.requests[-1]
    assert json.loads(request.body) == {}
    assert request.query == {}


async def test_server_side_filters_apply(client: ScnetClient) -> None:
    async with client:
        result = await client.list_images("gpu", "JupyterLab")
    assert result.images
    assert all("gpu" in image.accelerators and image.type == "JupyterLab" for image in result.images)


@pytest.mark.parametrize("shape", ["list", "object", "null", "wrapped"])
async def test_every_documented_shape_of_data(shape: str) -> None:
    with DemoServer(shape=shape) as server:
        async with ScnetClient(server.base_url, server.token, FAST) as client:
            result = await client.list_images("cpu")
    expected = {"list": 13, "object": 1, "null": 13, "wrapped": 13}[shape]  # 12 cpu + 1 "gpu,cpu"
    assert len(result.images) == expected
    assert all("cpu" in image.accelerators for image in result.images)


async def test_null_data_is_an_empty_list() -> None:
    with DemoServer([], shape="null") as server:
        async with ScnetClient(server.base_url, server.token, FAST) as client:
            result = await client.list_images()
    assert result.images == ()


@pytest.mark.parametrize(
    "given",
    [
        "http://h:65011",
        "http://h:65011/",
        "http://h:65011/ai",
        "http://h:65011/ai/",
        "http://h:65011/ai/openapi/v2",
        "http://h:65011" + IMAGES_PATH,
        "http://h:65011" + IMAGES_PATH + "/",
    ],
)
def test_request_path_is_never_doubled(given: str) -> None:
    assert api_root(given) == "http://h:65011"
    assert images_url(given) == "http://h:65011" + IMAGES_PATH


async def test_base_url_with_the_api_path_on_it_works(demo_server: DemoServer) -> None:
    async with ScnetClient(demo_server.base_url + "/ai/", demo_server.token, FAST) as client:
        result = await client.list_images()
    assert result.images
    assert demo_server.requests[-1].path == IMAGES_PATH


# --- API error codes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, kind, words",
    [
        ("10001", ApiError, ["10001", "internal error", "内部异常"]),
        ("10003", ApiError, ["10003", "missing", "参数不全"]),
        ("10004", ApiError, ["10004", "invalid", "参数无效"]),
        ("10007", TokenRefused, ["10007", "frozen", "用户已被冻结"]),
        ("10008", TokenRefused, ["10008", "permission", "权限不足"]),
        ("10009", TokenRefused, ["10009", "no permission", "没有权限访问接口"]),
        ("10010", ApiError, ["10010", "file check", "文件校验失败"]),
        ("10011", ApiError, ["10011", "too large", "文件过大"]),
        ("10012", ApiError, ["10012", "interrupted", "连接中断"]),
        ("99999", ApiError, ["99999", "does not list"]),
    ],
)
async def test_every_documented_error_code(
    demo_server: DemoServer, client: ScnetClient, code: str, kind: type, words: list[str]
) -> None:
    demo_server.inject("code", code)
    async with client:
        with pytest.raises(kind) as caught:
            await client.list_images()
    error = caught.value
    for word in words:
        assert word in str(error)
    assert error.hint
    if kind is TokenRefused:
        assert "SCNET_TOKEN" in error.hint
        assert error.exit_code == 3
    else:
        assert error.code == code
        assert error.exit_code == 5


async def test_wrong_token_is_refused_with_the_documented_code(demo_server: DemoServer) -> None:
    async with ScnetClient(demo_server.base_url, "not-the-token", FAST) as client:
        with pytest.raises(TokenRefused) as caught:
            await client.list_images()
    assert "10008" in caught.value.message


async def test_interrupted_connection_code_is_retried(demo_server: DemoServer, client: ScnetClient) -> None:
    demo_server.inject("code", "10012", times=2)
    async with client:
        result = await client.list_images()
    assert result.images
    assert len(demo_server.requests) == 3


# --- HTTP statuses ----------------------------------------------------------------------


async def test_gateway_errors_are_retried_then_succeed(demo_server: DemoServer, client: ScnetClient) -> None:
    demo_server.inject("status", "502", times=1)
    demo_server.inject("status", "503", times=1)
    async with client:
        result = await client.list_images()
    assert result.images
    assert len(demo_server.requests) == 3


async def test_gateway_error_after_three_tries(demo_server: DemoServer, client: ScnetClient) -> None:
    demo_server.inject("status", "504")
    async with client:
        with pytest.raises(ApiError) as caught:
            await client.list_images()
    assert len(demo_server.requests) == 3
    assert "HTTP 504" in caught.value.message
    assert "nginx" in caught.value.message  # a sanitised excerpt of the body
    assert caught.value.status == 504


@pytest.mark.parametrize("status", [401, 403])
async def test_http_auth_statuses_mean_token_refused(demo_server: DemoServer, client: ScnetClient, status: int) -> None:
    demo_server.inject("status", str(status))
    async with client:
        with pytest.raises(TokenRefused) as caught:
            await client.list_images()
    assert f"HTTP {status}" in caught.value.message
    assert len(demo_server.requests) == 1


async def test_wrong_path_says_check_base_url(demo_server: DemoServer) -> None:
    async with ScnetClient(demo_server.base_url + "/other", demo_server.token, FAST) as client:
        with pytest.raises(ApiError) as caught:
            await client.list_images()
    assert caught.value.status == 404
    assert "base_url" in caught.value.hint


async def test_server_error_status(demo_server: DemoServer, client: ScnetClient) -> None:
    demo_server.inject("status", "500")
    async with client:
        with pytest.raises(ApiError) as caught:
            await client.list_images()
    assert "HTTP 500" in caught.value.message
    assert len(demo_server.requests) == 1


# --- malformed bodies ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, words",
    [
        ("html", ["not JSON", "text/html", "登录"]),
        ("not-json", ["not JSON", "pyt"]),
        ("array", ["JSON list"]),
        ("data-string", ["`data` is a str"]),
        ("no-code", ["no `code`"]),
        ("empty", ["(empty body)"]),
    ],
)
async def test_malformed_bodies(demo_server: DemoServer, client: ScnetClient, kind: str, words: list[str]) -> None:
    demo_server.inject("malformed", kind)
    async with client:
        with pytest.raises(MalformedResponse) as caught:
            await client.list_images()
    for word in words:
        assert word in caught.value.message
    assert caught.value.exit_code == 6


async def test_response_size_is_capped(demo_server: DemoServer) -> None:
    options = ClientOptions(backoff=0, max_body_bytes=10_000)
    async with ScnetClient(demo_server.base_url, demo_server.token, options) as client:
        with pytest.raises(MalformedResponse) as caught:
            await client.list_images()
    assert "larger than" in caught.value.message


# --- network and TLS --------------------------------------------------------------------------


async def test_connection_refused_is_retried_then_reported() -> None:
    with DemoServer() as server:
        url = server.base_url
    async with ScnetClient(url, "t0ken-value", FAST) as client:
        with pytest.raises(NetworkError) as caught:
            await client.list_images()
    assert "refused" in caught.value.message
    assert caught.value.exit_code == 4


async def test_read_timeout_names_the_wait(demo_server: DemoServer) -> None:
    demo_server.inject("latency", "1.5", times=1)
    options = ClientOptions(backoff=0, read_timeout=0.3)
    async with ScnetClient(demo_server.base_url, demo_server.token, options) as client:
        with pytest.raises(NetworkError) as caught:
            await client.list_images()
    assert "did not answer within 0.3s" in caught.value.message
    assert "timeout" in caught.value.hint


async def test_unresolvable_host() -> None:
    async with ScnetClient("https://no-such-host.invalid", "t0ken-value", FAST) as client:
        with pytest.raises(NetworkError) as caught:
            await client.list_images()
    assert "resolve" in caught.value.message


@pytest.fixture(scope="module")
def certificate_authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_server(certificate_authority: trustme.CA):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1").configure_cert(context)
    with DemoServer(ssl_context=context) as server:
        yield server


async def test_untrusted_certificate_says_how_to_trust_it(tls_server: DemoServer) -> None:
    async with ScnetClient(tls_server.base_url, tls_server.token, FAST) as client:
        with pytest.raises(TlsError) as caught:
            await client.list_images()
    assert "could not be verified" in caught.value.message
    assert "ca_bundle" in caught.value.hint and "insecure" in caught.value.hint


async def test_ca_bundle_makes_the_certificate_trusted(
    tls_server: DemoServer, certificate_authority: trustme.CA, tmp_path: Path
) -> None:
    bundle = tmp_path / "ca.pem"
    certificate_authority.cert_pem.write_to_path(str(bundle))
    options = ClientOptions(backoff=0, ca_bundle=str(bundle))
    async with ScnetClient(tls_server.base_url, tls_server.token, options) as client:
        result = await client.list_images()
    assert result.images


async def test_insecure_skips_verification(tls_server: DemoServer) -> None:
    options = ClientOptions(backoff=0, insecure=True)
    async with ScnetClient(tls_server.base_url, tls_server.token, options) as client:
        assert (await client.list_images()).images


async def test_https_to_a_plain_http_port_is_a_tls_error(demo_server: DemoServer) -> None:
    url = demo_server.base_url.replace("http://", "https://")
    async with ScnetClient(url, demo_server.token, FAST) as client:
        with pytest.raises(TlsError) as caught:
            await client.list_images()
    assert "handshake" in caught.value.message


def test_unreadable_ca_bundle_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        ScnetClient("https://h", "t0ken-value", ClientOptions(ca_bundle=str(tmp_path / "missing.pem")))


async def test_proxy_from_the_environment_is_used(demo_server: DemoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # The demo server answers absolute-form requests too, so it can stand in for a proxy.
    monkeypatch.setenv("HTTP_PROXY", demo_server.base_url)
    monkeypatch.setenv("NO_PROXY", "")
    async with ScnetClient("http://scnet.example.invalid:65011", demo_server.token, FAST) as client:
        result = await client.list_images()
    assert result.images
    assert demo_server.requests[-1].path == IMAGES_PATH


# --- shapes the demo server cannot produce: MockTransport ---------------------------------------


def _mock_client(handler, token: str = "t0ken-secret-value") -> ScnetClient:
    return ScnetClient("https://region.example", token, FAST, transport=httpx.MockTransport(handler))


async def test_connection_reset_is_retried_then_reported() -> None:
    calls = []

    def reset(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ReadError("Connection reset by peer", request=request)

    async with _mock_client(reset) as client:
        with pytest.raises(NetworkError) as caught:
            await client.list_images()
    assert len(calls) == 3
    assert "broke before the answer was complete" in caught.value.message


async def test_truncated_body_is_reported() -> None:
    def truncated(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body", request=request)

    async with _mock_client(truncated) as client:
        with pytest.raises(NetworkError):
            await client.list_images()


async def test_redirect_to_another_origin_keeps_the_token_home() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers={"Location": "https://evil.example/steal"})

    async with _mock_client(handler) as client:
        with pytest.raises(ApiError) as caught:
            await client.list_images()
    assert [r.url.host for r in seen] == ["region.example"]
    assert "evil.example" in caught.value.message
    assert "not sent" in caught.value.message


async def test_same_origin_redirect_is_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/old"):
            return httpx.Response(301, headers={"Location": IMAGES_PATH})
        assert request.headers["token"] == "t0ken-secret-value"
        return httpx.Response(200, json={"code": "0", "msg": "ok", "data": [{"name": "a", "tag": "1"}]})

    client = ScnetClient("https://region.example/old", "t0ken-secret-value", FAST, transport=httpx.MockTransport(handler))
    async with client:
        result = await client.list_images()
    assert [image.version for image in result.images] == ["a:1"]


async def test_code_as_a_number_is_accepted() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": 0, "msg": "ok", "data": [{"path": "r:5000/x/y/z:1"}]})

    async with _mock_client(handler) as client:
        result = await client.list_images()
    assert result.images[0].version == "z:1"


# --- the token stays secret -------------------------------------------------------------------------

SECRET = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.SECRET-SIGNATURE-VALUE"


@pytest.mark.parametrize(
    "fault",
    [("code", "10008"), ("code", "10001"), ("status", "502"), ("status", "401"), ("malformed", "html"), ("latency", "1")],
)
async def test_token_appears_in_no_error_log_or_repr(
    fault: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with DemoServer(token=SECRET) as server:
        server.inject(*fault)
        options = ClientOptions(backoff=0, read_timeout=0.3)
        client = ScnetClient(server.base_url, SECRET, options)
        async with client:
            with pytest.raises(ScnetError) as caught:
                await client.list_images()
        for text in (str(caught.value), repr(caught.value), caught.value.hint, repr(client), caplog.text):
            assert SECRET not in text
            assert "SECRET-SIGNATURE" not in text


async def test_token_echoed_by_the_server_is_masked() -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, text=f"bad token {request.headers['token']} rejected")

    async with _mock_client(echo, token=SECRET) as client:
        with pytest.raises(ApiError) as caught:
            await client.list_images()
    assert SECRET not in str(caught.value)
    assert "****" in str(caught.value)


def test_token_with_a_line_break_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigError) as caught:
        ScnetClient("https://h", "abc\ndef-secret")
    assert "def-secret" not in str(caught.value)


def test_base_url_must_be_http() -> None:
    with pytest.raises(ConfigError):
        ScnetClient("ftp://h", "t0ken-value")


async def test_large_bodies_decode_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    # Bodies over LARGE_BODY_BYTES take the orjson path; both paths must give the same images.
    import tui.api.replies as client_module
    from tui.demo.catalog import demo_catalog

    results = []
    with DemoServer(demo_catalog() + [{"name": "宽字符", "tag": "1", "path": "r/宽字符:1"}]) as server:
        for threshold in (1 << 30, 1):
            monkeypatch.setattr(client_module, "LARGE_BODY_BYTES", threshold)
            async with ScnetClient(server.base_url, server.token, FAST) as client:
                results.append(await client.list_images())
    assert results[0] == results[1] and len(results[0].images) == len(demo_catalog()) + 1


async def test_malformed_large_body(monkeypatch: pytest.MonkeyPatch, demo_server: DemoServer, client: ScnetClient) -> None:
    import tui.api.replies as client_module

    monkeypatch.setattr(client_module, "LARGE_BODY_BYTES", 1)
    demo_server.inject("malformed", "not-json")
    async with client:
        with pytest.raises(MalformedResponse):
            await client.list_images()


@pytest.mark.parametrize("url", ["http://[::1", "https://host:port", "http://", "host:65011"])
def test_a_base_url_that_does_not_parse_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError):
        ScnetClient(url, "t0ken-value")
