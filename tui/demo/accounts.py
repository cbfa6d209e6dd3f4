"""The demo API's accounts, regions and tokens, and the platform calls that hand them out.

- `POST /ac/openapi/v2/tokens` (password) and `POST /api/user/v3/tokens` (access key):
  one token per region, `{clusterId, clusterName, token}`;
- `GET /ac/openapi/v2/center`: the region's AI address (under `/r/<clusterId>` here);
- `POST /ac/openapi/v2/tokens/next`: renewal, up to 24 h after expiry.

Tokens are JWTs (HS256) shaped like the platform's (see the notes: `user`,
`clusterId`, `accountStatus`, `invoker`, `expireTime` in epoch milliseconds as
a string), signed with a key only this server knows, so a forged or edited
token is refused like a real one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any, Callable

from .dialects import DIALECTS, Dialect
from .envelope import Answer, api_error, ok
from .plumbing import Request, Route, header_text

# Tokens expired for longer than this cannot be renewed (the platform's rule).
RENEWAL_WINDOW_SECONDS = 24 * 3600
# How far a signed access-key request's timestamp may be from the server's clock.
SIGNATURE_WINDOW_SECONDS = 300
PLATFORM_CLUSTER = "0"

PASSWORD_LOGIN_PATH = "/ac/openapi/v2/tokens"
ACCESS_KEY_LOGIN_PATH = "/api/user/v3/tokens"
RENEW_PATH = "/ac/openapi/v2/tokens/next"
CENTER_PATH = "/ac/openapi/v2/center"


@dataclass(frozen=True)
class DemoAccount:
    user: str
    org_id: str
    password: str
    access_key: str
    secret_key: str
    status: str = "Trial"  # accountStatus; "Suspended" gets null region tokens


@dataclass(frozen=True)
class DemoRegion:
    cluster_id: str
    name: str
    apis: tuple[str, ...]  # which image-list calls it serves: "get", "post"
    every: int = 1  # serves every n-th image of the catalog, so regions differ
    # Where the container pages leave `data`'s shape open, this region answers bare lists
    # (the others objects), so a client meets both.
    plain_lists: bool = False
    registry: str = ""  # its own registry for the DCU images: the same name:tag, another path
    only: tuple[str, ...] = ()  # paths of images this region alone has (with the demo catalog)
    busy: float = 0.5  # the share of each group's cards others use (the rest is free, less ours)
    # Its region calls refuse every token as expired, and renewal refuses to renew them: the
    # region of a profile whose token lapsed more than a day ago (login still stores it).
    expired: bool = False

    @property
    def prefix(self) -> str:
        return f"/r/{self.cluster_id}"


DEMO_ACCOUNTS = (
    DemoAccount("demo", "demo-org", "demo-password", "demo-access-key", "demo-secret-key"),
    DemoAccount("frozen", "demo-org", "frozen-password", "frozen-access-key", "frozen-secret-key", "Suspended"),
)
DEMO_REGIONS = (
    # The first serves both calls and every image; the second only the newer paginated call.
    DemoRegion("11250", "华东一区【昆山】", ("get", "post")),
    DemoRegion("20091", "华中一区【A区】", ("post",), every=3, plain_lists=True, busy=0.9),
    # Its own registry (the same images under other paths) and images no other region has.
    DemoRegion("30042", "西南一区【成都】", ("get", "post"), every=2, registry="harbor-cd.sourcefind.cn:5443",
               only=("harbor-cd.sourcefind.cn:5443/dcu/admin/base/vllm:0.10.1-ubuntu22.04-dtk25.04.2-py3.10",
                     "harbor-cd.sourcefind.cn:5443/dcu/admin/base/sglang:0.4.9-ubuntu22.04-dtk25.04.2-py3.10"),
               busy=0.25),
    # A region whose login token expired long ago: every client meets one that fails.
    DemoRegion("40017", "华北一区【雄安】", ("get", "post"), every=4, expired=True),
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenIssuer:
    """Makes and checks the demo's tokens, on its own clock (seconds since the epoch): tests
    and screenshots set it, so the time a token has left is the same on every run."""

    def __init__(
        self, lifetime: float = 24 * 3600, clock: Callable[[], float] = time.time, key: bytes | None = None
    ) -> None:
        self.lifetime = lifetime
        self.clock = clock
        # A key given (the standalone demo keeps one on disk) keeps its logins valid across restarts.
        self._key = key or secrets.token_bytes(32)

    def issue(self, account: DemoAccount, cluster_id: str, *, expires_in: float | None = None) -> str:
        """A token for `account` in region `cluster_id`, valid for `expires_in` seconds
        (the server's lifetime by default; negative for an already expired one)."""
        expires = self.clock() + (self.lifetime if expires_in is None else expires_in)
        payload = {
            "computeUser": account.user,
            "accountStatus": account.status,
            "creator": "ac",
            "role": "1",
            "expireTime": str(int(expires * 1000)),
            "clusterId": cluster_id,
            "invoker": account.org_id,
            "user": account.user,
            "userId": str(int(hashlib.sha256(account.user.encode()).hexdigest()[:10], 16)),
            "jti": secrets.token_hex(4),  # two tokens issued in the same millisecond still differ
        }
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        body = _b64(json.dumps(payload, separators=(",", ":")).encode())
        signature = _b64(hmac.new(self._key, f"{header}.{body}".encode(), hashlib.sha256).digest())
        return f"{header}.{body}.{signature}"

    def claims(self, token: str | None) -> dict[str, Any] | None:
        """The payload of a token this server signed (expired or not); None otherwise."""
        parts = (token or "").split(".")
        if len(parts) != 3:
            return None
        expected = _b64(hmac.new(self._key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(expected, parts[2]):
            return None
        try:
            payload = json.loads(_unb64(parts[1]))
        except ValueError:
            return None
        return payload if isinstance(payload, dict) else None

    def past_expiry(self, claims: dict[str, Any]) -> float:
        """How long ago the token expired (negative: the time it has left)."""
        try:
            return self.clock() - int(claims.get("expireTime", "0")) / 1000
        except (TypeError, ValueError):
            return float("inf")


def signature_ok(account: DemoAccount, timestamp: str, signature: str) -> bool:
    """Check an access-key request the way the platform documents it."""
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > SIGNATURE_WINDOW_SECONDS:
        return False
    message = json.dumps(
        {"accessKey": account.access_key, "timestamp": timestamp, "user": account.user},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    expected = hmac.new(account.secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.lower())


def find_account(user: str, **match: str) -> DemoAccount | None:
    """The account named `user` whose other fields equal `match` (compared in constant time)."""
    for account in DEMO_ACCOUNTS:
        if account.user != user:
            continue
        if all(hmac.compare_digest(str(getattr(account, key)).encode(), value.encode()) for key, value in match.items()):
            return account
    return None


class AccountCalls:
    """The platform calls: logins, renewal and the region lookup. `base_url()` is the
    server's own address, which the region lookup names as each region's AI address."""

    def __init__(self, issuer: TokenIssuer, base_url: Callable[[], str], dialect: Dialect = DIALECTS["default"]) -> None:
        self.issuer = issuer
        self.base_url = base_url
        self.dialect = dialect

    def routes(self) -> list[Route]:
        return [
            Route("POST", PASSWORD_LOGIN_PATH, self.login),
            Route("POST", ACCESS_KEY_LOGIN_PATH, self.access_key_login),
            Route("POST", RENEW_PATH, self.renew),
            Route("GET", CENTER_PATH, self.center),
        ]

    def region_token_valid(self, token: str | None, region: DemoRegion) -> bool:
        """Whether a region call may go ahead with `token` in `region`."""
        claims = self.issuer.claims(token)
        return (
            claims is not None
            and not region.expired
            and claims.get("clusterId") == region.cluster_id
            and claims.get("accountStatus") != "Suspended"
            and self.issuer.past_expiry(claims) < 0
        )

    def _region_tokens(self, account: DemoAccount) -> Answer:
        """One token per region, the regions first and the platform's (`ac`) last: a live run
        recorded a region first, and clients take the first entry as the default region."""
        entries: list[dict[str, Any]] = []
        for region in DEMO_REGIONS:
            token = None if account.status == "Suspended" else self.issuer.issue(account, region.cluster_id)
            entries.append({"clusterId": int(region.cluster_id), "clusterName": region.name, "token": token})
        entries.append({"clusterId": 0, "clusterName": "ac", "token": self.issuer.issue(account, PLATFORM_CLUSTER)})
        return ok(entries)

    def login(self, request: Request) -> Answer:
        user, password, org = (request.headers.get(k, "") for k in ("user", "password", "orgId"))
        if not (user and password and org):
            return api_error("10003", "需要user、password和orgId请求头 (user, password, orgId headers)")
        account = find_account(header_text(user), password=header_text(password), org_id=header_text(org))
        if account is None:
            return api_error("10004", "用户名、组织ID或密码错误 (wrong user, org id or password)")
        return self._region_tokens(account)

    def access_key_login(self, request: Request) -> Answer:
        user, key, stamp, signature = (
            request.headers.get(k, "") for k in ("user", "accessKey", "timestamp", "signature")
        )
        if not (user and key and stamp and signature):
            return api_error("10003", "需要user、accessKey、timestamp和signature请求头")
        account = find_account(header_text(user), access_key=key)
        if account is None:
            return api_error("10009", "AccessKey不存在 (unknown access key)")
        if not signature_ok(account, stamp, signature):
            return api_error("10004", "签名校验失败或时间戳过期 (bad signature or stale timestamp)")
        return self._region_tokens(account)

    def renew(self, request: Request) -> Answer:
        claims = self.issuer.claims(request.headers.get("token"))
        account = find_account(str(claims.get("user", ""))) if claims else None
        if claims is None or account is None:
            return api_error("10008", "token无效 (token invalid)")
        cluster = str(claims.get("clusterId", ""))
        region = find_region(cluster)
        if self.issuer.past_expiry(claims) > RENEWAL_WINDOW_SECONDS or (region is not None and region.expired):
            return api_error("10008", "token已过期超过24小时,请重新获取 (expired over 24 h ago)")
        name = region.name if region else "ac"
        entry = {"clusterId": int(cluster or 0), "clusterName": name, "token": self.issuer.issue(account, cluster)}
        return ok([entry])

    def center(self, request: Request) -> Answer:
        claims = self.issuer.claims(request.headers.get("token"))
        region = find_region(str(claims.get("clusterId", ""))) if claims else None
        if claims is None or self.issuer.past_expiry(claims) >= 0:
            return api_error("10008", "token无效或已过期 (token invalid or expired)")
        if region is None:  # what the live platform answers the platform token (evidence, difference 6)
            return Answer(200, json.dumps({"code": "10001", "msg": "internal_error", "data": "internal_error"}).encode())
        user = str(claims.get("user", ""))
        base = self.base_url()
        center = {
            "clusterId": region.cluster_id,
            "clusterName": region.name,
            "aiUrls": [
                {"url": "https://ai-standby.invalid/ai", "enable": "false"},
                {"url": f"{base}{region.prefix}/ai", "enable": "true"},
            ],
            "hpcUrls": [{"url": f"{base}{region.prefix}/hpc", "enable": "true"}],
            "efileUrls": [{"url": f"{base}{region.prefix}/efile", "enable": "true"}],
            # Read by three public clients (the home directory, for mounts and paths).
            "clusterUserInfo": {"userName": user, "homePath": f"/public/home/{user}"},
        }
        # The page types `data` as a list; every client that ran live reads an object.
        return ok([center] if self.dialect.center_as_list else center)


def find_region(cluster_id: str) -> DemoRegion | None:
    return next((region for region in DEMO_REGIONS if region.cluster_id == cluster_id), None)
