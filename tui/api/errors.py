"""The client's failures: each one carries a sentence for people and the next step.

Every exception here is safe to show: none holds the token, and body excerpts
are sanitised before they are stored.
"""

from __future__ import annotations

from ..i18n import N_, _
from ..safe_text import excerpt, printable, redact

# The platform's documented error codes (images-api.txt, section 5; containers-api.md):
# the meaning in English (marked, translated where it is said) and the platform's own text.
API_ERROR_CODES: dict[str, tuple[str, str]] = {
    "1001": (N_("the token is invalid (a gateway in front of the platform could not read it)"), "jwt token is invalid"),
    "10001": (N_("internal error on the platform"), "内部异常"),
    "10003": (N_("a required parameter is missing"), "参数不全"),
    "10004": (N_("a parameter is invalid"), "参数无效"),
    "10007": (N_("the user account is frozen"), "用户已被冻结"),
    "10008": (N_("insufficient permission (an expired token answers this too)"), "权限不足"),
    "10009": (N_("no permission to call this API"), "没有权限访问接口"),
    "10010": (N_("file check failed"), "文件校验失败"),
    "10011": (N_("file too large"), "文件过大"),
    "10012": (N_("connection interrupted"), "连接中断"),
    "716020": (N_("database query error"), "数据库查询错误"),
    "716864": (N_("the script failed to run"), "脚本执行错误"),
    "716865": (N_("the instance could not be created"), "任务创建错误"),
    "716866": (N_("the instance could not be deleted"), "任务删除失败"),
    "716867": (N_("the instance could not be stopped"), "停止任务失败"),
    "716868": (N_("the instance could not be started"), "启动任务错误"),
    "716870": (N_("wrong number of instances"), "实例数量错误"),
}

# Codes that mean the token (or the account behind it) was refused. 1001 is what a
# gateway in front of the platform answers for a token it cannot read ("jwt token is invalid").
TOKEN_REFUSED_CODES = frozenset({"1001", "10007", "10008", "10009"})

# Marked here, translated where they are given (`_(TOKEN_HINT)`): the language is chosen later.
TOKEN_HINT = N_(
    "run `scnet-images login`, or set a fresh token from the SCNet console with SCNET_TOKEN "
    "or `token`/`token_command` in your profile"
)
LOGIN_HINT = N_("run `scnet-images login` to get new tokens")


class ScnetError(Exception):
    """Base of every failure the client reports.

    `message` says what happened, `hint` what to do next; `exit_code` is what
    the shell commands exit with for this kind of failure.
    """

    exit_code = 1
    # What kind of failure, as a title (marked: the interface translates it where shown).
    kind = N_("error")
    server_message = ""  # what the server's `msg` said, sanitised, when it answered with a code

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if not self.hint:
            return self.message
        # Translators: what happened, then what to do next (two sentences of their own).
        return _("{message} — {hint}").format(message=self.message, hint=self.hint)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    def redacted(self, secrets: tuple[str, ...]) -> "ScnetError":
        """This error with `secrets` (and `token=...`-style pairs) masked in all it says."""
        self.message = redact(self.message, secrets)
        self.hint = redact(self.hint, secrets)
        self.server_message = redact(self.server_message, secrets)
        self.args = (self.message,)
        return self


class ConfigError(ScnetError):
    """The settings are incomplete or contradictory."""

    exit_code = 7
    kind = N_("configuration")


class TokenRefused(ScnetError):
    """The server refused the token (expired, frozen account, no access)."""

    exit_code = 3
    kind = N_("token refused")

    def __init__(self, message: str, hint: str = "", *, code: str = "") -> None:
        super().__init__(message, hint)
        self.code = code  # the API code when the body carried one ("10008": expired, or no permission)


class NetworkError(ScnetError):
    """The server could not be reached or did not answer in time."""

    exit_code = 4
    kind = N_("network")
    unresolved = False  # the host name did not resolve: not worth another try


class TlsError(NetworkError):
    """The server's certificate could not be verified."""

    kind = N_("TLS")


class ApiError(ScnetError):
    """The server answered with an error: an API error code or an HTTP status."""

    exit_code = 5
    kind = N_("API error")

    def __init__(self, message: str, hint: str = "", *, code: str = "", status: int = 0) -> None:
        super().__init__(message, hint)
        self.code = code
        self.status = status


class MalformedResponse(ScnetError):
    """The server answered, but not with the documented shape."""

    exit_code = 6
    kind = N_("malformed response")


class TooLarge(MalformedResponse):
    """The answer is larger than this client reads (the body cap)."""


class OutcomeUnknown(ScnetError):
    """A request that starts, stops or deletes something may have reached the server, and
    nothing that came back says whether it was carried out (a gateway timeout, a connection
    that broke after sending, a redirect, an answer that cannot be read). It is never sent
    again behind the user's back: `message` says what may have happened, `hint` how to check.
    `cause` is the failure in words, for the caller that words the action."""

    exit_code = 8
    kind = N_("outcome unknown")

    def __init__(self, message: str, hint: str = "", *, cause: str = "") -> None:
        super().__init__(message, hint)
        self.cause = cause or message

    def redacted(self, secrets: tuple[str, ...]) -> "ScnetError":
        self.cause = redact(self.cause, secrets)
        return super().redacted(secrets)


class ProbablyLaunched(ScnetError):
    """The platform accepted a launch (code 0) but its answer holds no usable instance id: the
    instance was very probably created. Not a failure, and never a reason to launch again."""

    exit_code = 9
    kind = N_("launched, id unknown")


def not_served(error: ScnetError) -> bool:
    """Whether `error` says a call is not served in this form where it was sent, so that another
    form of it (the other image-list call, the other instance-list path) is worth a try: HTTP
    404/405, code 10009 (no access to this API), or an answer that is not what the call returns."""
    if isinstance(error, MalformedResponse):
        return not isinstance(error, TooLarge)
    if isinstance(error, (ApiError, TokenRefused)) and error.code == "10009":
        return True
    return isinstance(error, ApiError) and error.status in (404, 405)


def describe_code(code: str) -> str:
    """`10008` -> `10008 insufficient permission (...) / 权限不足`; unknown codes say so.

    In the interface's language, with the platform's own (Chinese) text kept; when the
    translated meaning already says the platform's text, it is not said twice."""
    known = API_ERROR_CODES.get(code)
    if known is None:
        return _("{code} (an error code the documentation does not list)").format(code=code)
    english, documented = known
    meaning = _(english)
    if documented in meaning:
        return f"{code} {meaning}"
    # Translators: an API error code, its meaning (translated) and the platform's own
    # Chinese text for it, e.g. "10008 insufficient permission / 权限不足".
    return _("{code} {meaning} / {documented}").format(code=code, meaning=meaning, documented=documented)


def api_error_for_code(code: str, server_msg: str, *, status: int = 200) -> ScnetError:
    """Turn a non-zero `code` from a response body into the right exception."""
    code = printable(code if len(code) <= 40 else code[:39] + "…")
    server_msg = excerpt(server_msg, 160)
    # Say what the server said only when it adds to the code's own meaning.
    adds = server_msg and server_msg not in API_ERROR_CODES.get(code, ())
    described = describe_code(code)
    if code in TOKEN_REFUSED_CODES:
        if adds:
            message = _('Token refused, code {code} — the server said "{message}"').format(
                code=described, message=server_msg)
        else:
            message = _("Token refused, code {code}").format(code=described)
        refused = TokenRefused(message, _(TOKEN_HINT), code=code)
        refused.server_message = server_msg
        return refused
    if code == "10012":
        hint = _("the call was retried; try again in a moment (press r)")
    elif code == "10001":
        hint = _("a problem on the platform's side; try again later or report it to SCNet support")
    elif code in {"10003", "10004"}:
        hint = _("check the accelerator and image type filters")
    else:
        hint = _("try again; if it persists, report the code to SCNet support")
    if adds:
        message = _('API error {code} — the server said "{message}"').format(code=described, message=server_msg)
    else:
        message = _("API error {code}").format(code=described)
    error = ApiError(message, hint, code=code, status=status)
    error.server_message = server_msg
    return error
