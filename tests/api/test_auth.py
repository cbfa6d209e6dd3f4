"""Login, region lookup and token renewal, against the demo API over HTTP."""

from __future__ import annotations

import hashlib
import hmac
import time

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.api.auth import (
    ai_url_from_center,
    access_key_login,
    parse_region_tokens,
    password_login,
    region_center,
    sign,
)
from tui.api.drivers import ScnetClient, ScnetSyncClient
from tui.api.renewal import token_from_data
from tui.api.options import Account
from tui.api.errors import MalformedResponse, ScnetError, TokenRefused
from tui.api.token import read_claims
from tui.demo.accounts import DEMO_ACCOUNTS
from tui.demo.server import DemoServer

from ..conftest import FAST

DEMO, FROZEN = DEMO_ACCOUNTS


def test_the_signature_is_hmac_sha256_of_the_compact_json() -> None:
    message = b'{"accessKey":"AK","timestamp":"1700000000","user":"alice"}'
    expected = hmac.new(b"secret", message, hashlib.sha256).hexdigest()
    assert sign("AK", "secret", "alice", "1700000000") == expected


def test_password_login_gives_a_token_per_region(demo_server: DemoServer) -> None:
    tokens = password_login(demo_server.base_url, "demo", "demo-org", "demo-password", FAST)
    assert [(t.cluster_id, t.platform) for t in tokens] == [("11250", False), ("20091", False), ("30042", False),
                                                        ("40017", False), ("0", True)]
    claims = read_claims(tokens[0].token or "")
    assert claims is not None and claims.user == "demo" and claims.cluster_id == "11250"
    assert "****" in repr(tokens[0]) and (tokens[0].token or "") not in repr(tokens)


@pytest.mark.parametrize(
    "user, org, password",
    [("demo", "demo-org", "wrong-pass-8Xq"), ("demo", "other-org", "demo-password"), ("nobody", "demo-org", "demo-password"),
     ("demo", "demo-org", "密码-wrong")],
)
def test_bad_credentials_are_refused_without_echoing_the_password(
    demo_server: DemoServer, user: str, org: str, password: str
) -> None:
    with pytest.raises(TokenRefused) as caught:
        password_login(demo_server.base_url, user, org, password, FAST)
    assert "refused the password login" in caught.value.message and "10004" in caught.value.message
    assert password not in str(caught.value)
    assert "password" in caught.value.hint


def test_a_suspended_account_gets_no_region_tokens(demo_server: DemoServer) -> None:
    tokens = password_login(demo_server.base_url, FROZEN.user, FROZEN.org_id, FROZEN.password, FAST)
    assert [t.token for t in tokens if not t.platform] == [None, None, None, None]


def test_access_key_login(demo_server: DemoServer) -> None:
    tokens = access_key_login(demo_server.base_url, "demo", DEMO.access_key, DEMO.secret_key, FAST)
    assert {t.cluster_id for t in tokens if t.token} == {"0", "11250", "20091", "30042", "40017"}


@pytest.mark.parametrize(
    "key, secret, skew, code",
    [
        (DEMO.access_key, "not-the-secret", 0, "10004"),  # bad signature
        (DEMO.access_key, DEMO.secret_key, -3600, "10004"),  # a replayed, hour-old request
        ("unknown-key", DEMO.secret_key, 0, "10009"),
    ],
)
def test_access_key_login_refusals(demo_server: DemoServer, key: str, secret: str, skew: int, code: str) -> None:
    with pytest.raises(TokenRefused) as caught:
        access_key_login(demo_server.base_url, "demo", key, secret, FAST, now=time.time() + skew)
    assert code in caught.value.message
    assert secret not in str(caught.value)


def _through(monkeypatch: pytest.MonkeyPatch, handler) -> None:  # type: ignore[no-untyped-def]
    """Make the login's own client send through `handler`: for what the demo never does."""
    original = ScnetSyncClient.__init__

    def with_transport(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original(self, *args, transport=httpx.MockTransport(handler), **kwargs)

    monkeypatch.setattr(ScnetSyncClient, "__init__", with_transport)


def test_the_secret_key_is_never_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"code": "0", "data": []})

    _through(monkeypatch, handler)
    access_key_login("http://auth", "demo", "AK", "the-secret-key", FAST)
    request = seen[0]
    assert b"the-secret-key" not in request.content
    assert all("the-secret-key" not in value for value in request.headers.values())
    assert request.headers["signature"] == sign("AK", "the-secret-key", "demo", request.headers["timestamp"])


def test_an_echoed_password_is_masked_in_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, text=f"login failed for password={request.headers['password']}")

    _through(monkeypatch, handler)
    with pytest.raises(ScnetError) as caught:
        password_login("http://ac", "demo", "org", "hunter2-secret", FAST)
    assert "hunter2-secret" not in str(caught.value) and "****" in str(caught.value)


@pytest.mark.parametrize("dialect", ["default", "live"])  # `data` an object, or a list
def test_region_lookup_strips_the_trailing_ai_and_reads_the_home(dialect: str) -> None:
    with DemoServer(dialect=dialect) as server:
        for cluster in ("11250", "20091"):
            token = server.issuer.issue(DEMO, cluster)
            assert region_center(server.base_url, token, FAST) == (f"{server.base_url}/r/{cluster}", "/public/home/demo")


def test_region_lookup_with_the_platform_token_is_refused(demo_server: DemoServer) -> None:
    """Recorded live: the center call with the platform token answers 10001 with `data` a string."""
    with pytest.raises(ScnetError) as caught:
        region_center(demo_server.base_url, demo_server.issuer.issue(DEMO, "0"), FAST)
    assert "10001" in caught.value.message


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"aiUrls": [{"url": "https://a.example/ai", "enable": "false"}, {"url": "https://b.example:65011/ai/", "enable": "true"}]},
         "https://b.example:65011"),
        ([{"aiUrls": [{"url": "https://c.example", "enable": "true"}]}], "https://c.example"),
        ({"aiUrls": [{"url": "https://a.example/ai", "enable": "false"}]}, None),
        ({"hpcUrls": []}, None),
        ({"aiUrls": [{"url": "file:///etc/passwd", "enable": "true"}, {"url": "javascript:x", "enable": "true"}]}, None),
        ({"aiUrls": [{"url": "http://[::1", "enable": "true"}, {"url": "http://h:port/ai", "enable": "true"}]}, None),
        (None, None),
        ("nonsense", None),
    ],
)
def test_ai_url_from_center(data: object, expected: str | None) -> None:
    assert ai_url_from_center(data) == expected


@pytest.mark.parametrize(
    "data, cluster, expected",
    [
        ("tok-a", "", "tok-a"),
        ({"token": "tok-b"}, "", "tok-b"),
        ([{"clusterId": 0, "token": "platform"}, {"clusterId": 11250, "token": "tok-c"}], "", "tok-c"),
        ([{"clusterId": 11250, "token": "x"}, {"clusterId": 20091, "token": "tok-d"}], "20091", "tok-d"),
        ([{"clusterId": 11250, "token": None}], "", None),
        (42, "", None),
    ],
)
def test_token_from_data_shapes(data: object, cluster: str, expected: str | None) -> None:
    assert token_from_data(data, cluster) == expected


# --- renewal -------------------------------------------------------------------------


def _account(server: DemoServer, renewed: list[str], cluster: str = "11250") -> Account:
    return Account(ac_url=server.base_url, cluster_id=cluster, on_token_renewed=renewed.append)


async def test_an_expired_token_is_renewed_once_and_the_call_retried(demo_server: DemoServer) -> None:
    expired = demo_server.issuer.issue(DEMO, "11250", expires_in=-60)
    renewed: list[str] = []
    url = demo_server.base_url + "/r/11250"
    async with ScnetClient(url, expired, FAST, _account(demo_server, renewed)) as client:
        result = await client.list_images()
        assert client.token == renewed[0] != expired
    assert len(result.images) == 265
    assert [(r.method, r.path) for r in demo_server.requests] == [
        ("GET", "/r/11250/ai/openapi/v2/instance-service/images"),
        ("POST", "/ac/openapi/v2/tokens/next"),
        ("GET", "/r/11250/ai/openapi/v2/instance-service/images"),
    ]
    claims = read_claims(renewed[0])
    assert claims is not None and claims.cluster_id == "11250" and claims.seconds_left(claims.expires_at) == 0


def test_the_sync_client_renews_too(demo_server: DemoServer) -> None:
    renewed: list[str] = []
    expired = demo_server.issuer.issue(DEMO, "20091", expires_in=-3600)
    with ScnetSyncClient(demo_server.base_url + "/r/20091", expired, FAST, _account(demo_server, renewed, "20091")) as c:
        assert len(c.list_images().images) == 99  # every third image, and the well-known ones
    assert len(renewed) == 1


async def test_a_token_expired_over_a_day_ago_needs_a_login(demo_server: DemoServer) -> None:
    expired = demo_server.issuer.issue(DEMO, "11250", expires_in=-25 * 3600)
    renewed: list[str] = []
    async with ScnetClient(demo_server.base_url + "/r/11250", expired, FAST, _account(demo_server, renewed)) as client:
        with pytest.raises(TokenRefused) as caught:
            await client.list_images()
    assert "renewing it failed" in caught.value.message and "24" in caught.value.message
    assert "scnet-images login" in caught.value.hint
    assert renewed == [] and expired not in str(caught.value)


async def test_without_a_platform_address_there_is_no_renewal(demo_server: DemoServer) -> None:
    expired = demo_server.issuer.issue(DEMO, "11250", expires_in=-60)
    async with ScnetClient(demo_server.base_url + "/r/11250", expired, FAST) as client:
        with pytest.raises(TokenRefused) as caught:
            await client.list_images()
    assert caught.value.code == "10008" and "scnet-images login" in caught.value.hint
    assert [r.path for r in demo_server.requests if "tokens" in r.path] == []


async def test_a_refusal_that_renewal_does_not_cure_is_reported_once(demo_server: DemoServer) -> None:
    # A valid token of another region: renewal gives another token of that region, still refused here.
    other = demo_server.issuer.issue(DEMO, "20091")
    renewed: list[str] = []
    async with ScnetClient(demo_server.base_url + "/r/11250", other, FAST, _account(demo_server, renewed)) as client:
        with pytest.raises(TokenRefused) as caught:
            await client.list_images()
    assert "even with a freshly renewed token" in caught.value.message
    assert len(renewed) == 1
    assert sum(1 for r in demo_server.requests if r.path.endswith("/tokens/next")) == 1


def test_login_to_a_host_that_is_not_the_platform_says_which_flag_to_fix(demo_server: DemoServer) -> None:
    with pytest.raises(ScnetError) as caught:
        password_login(demo_server.base_url + "/elsewhere", "demo", "demo-org", "demo-password", FAST)
    assert "404" in caught.value.message and "--ac-url" in caught.value.hint


def test_login_to_an_unreachable_host_says_which_flag_to_fix() -> None:
    with pytest.raises(ScnetError) as caught:
        password_login("http://127.0.0.1:9", "demo", "demo-org", "demo-password", FAST._replace(tries=1))
    assert "refused the connection" in caught.value.message and "--ac-url" in caught.value.hint


ACCOUNTISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.sampled_from(["true", "false", "0", 0]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["clusterId", "clusterName", "token", "aiUrls", "url", "enable"]), children,
                      max_size=6),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(ACCOUNTISH)
def test_any_answer_to_the_account_calls_is_data_or_a_clear_error(data: object) -> None:
    """Whatever the login, lookup or renewal calls send back: no crash, only our error or a value."""
    try:
        tokens = parse_region_tokens(data)
    except MalformedResponse:
        tokens = []
    assert all(token.token is None or isinstance(token.token, str) for token in tokens)
    url = ai_url_from_center(data)
    assert url is None or url.startswith(("http://", "https://"))
    token = token_from_data(data, "11250")
    assert token is None or isinstance(token, str)


async def test_a_token_renewed_by_one_client_is_what_the_others_send(demo_server: DemoServer) -> None:
    """One token per account per process: the browser's loading thread renews, the instances
    view (another client) sends the new token, and the expired one is not renewed twice."""
    from tui.api import containers
    from tui.api.options import SharedToken

    expired = demo_server.issuer.issue(DEMO, "11250", expires_in=-60)
    shared, renewed = SharedToken(expired), []
    account = _account(demo_server, renewed)._replace(shared_token=shared)
    url = demo_server.base_url + "/r/11250"
    async with ScnetClient(url, expired, FAST, account) as browser:
        with ScnetSyncClient(url, expired, FAST, account) as loader:
            assert len(loader.list_images().images) == 265
        assert browser.token == shared.value == renewed[0] != expired
        assert len((await containers.list_instances(browser)).instances) == 2
    assert sum(1 for r in demo_server.requests if r.path.endswith("/tokens/next")) == 1
    assert all(r.token_ok for r in demo_server.requests if "instance-service/task" in r.path)


async def test_a_refusal_of_a_token_renewed_meanwhile_is_sent_again_without_renewing(demo_server: DemoServer) -> None:
    from tui.api.options import SharedToken

    expired = demo_server.issuer.issue(DEMO, "11250", expires_in=-60)
    shared, renewed = SharedToken(expired), []
    account = _account(demo_server, renewed)._replace(shared_token=shared)
    url = demo_server.base_url + "/r/11250"
    async with ScnetClient(url, expired, FAST, account) as first, ScnetClient(url, expired, FAST, account) as second:
        # Both send the expired token at once; one renews, the other then just sends again.
        import asyncio

        results = await asyncio.gather(first.list_images(), second.list_images())
    assert [len(result.images) for result in results] == [265, 265]
    assert sum(1 for r in demo_server.requests if r.path.endswith("/tokens/next")) == 1 and len(renewed) == 1


@pytest.mark.parametrize("body", [b'{"code":"1001","message":"jwt token is invalid"}',
                                  b'{"code":1001,"message":"jwt token is invalid","data":null}'])
def test_a_gateway_refusal_1001_with_message_is_a_refused_token_renewed_once(demo_server: DemoServer,
                                                                            body: bytes) -> None:
    """Recorded live (vgp7758/Agt): a gateway answers an unreadable token with code 1001 and
    `message` instead of `msg`. It is a refused token: renewed once, then the call again."""
    import httpx

    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path.endswith("/tokens/next"):
            return httpx.Response(200, json={"code": "0", "msg": "success", "data": "fresh-token"})
        if request.headers["token"] == "fresh-token":
            return httpx.Response(200, json={"code": "0", "msg": "success", "data": []})
        return httpx.Response(200, content=body)

    renewed: list[str] = []
    account = Account(ac_url="http://platform.test", on_token_renewed=renewed.append)
    with ScnetSyncClient("http://region.test", "old-token", FAST, account,
                         transport=httpx.MockTransport(answer)) as client:
        assert client.list_images().images == ()
    assert renewed == ["fresh-token"] and calls.count("/ac/openapi/v2/tokens/next") == 1


def test_a_refused_1001_without_renewal_says_what_the_gateway_said() -> None:
    import httpx

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b'{"code":"1001","message":"jwt token is invalid"}')

    with ScnetSyncClient("http://region.test", "a-long-token-value", FAST,
                         transport=httpx.MockTransport(answer)) as client:
        with pytest.raises(TokenRefused) as caught:
            client.list_images()
    assert caught.value.exit_code == 3 and "1001" in caught.value.message
    assert "jwt token is invalid" in caught.value.message
