"""The answer every SCNet call gives, and decoding it.

Every call answers `{"code": "0", "msg": "...", "data": ...}`: `code` a string
(or a number), "0" on success; anything else is an error code that
`errors.api_error_for_code` explains. Some gateways in front of the platform say
`message` where the platform says `msg` (`{"code":"1001","message":"jwt token is
invalid"}`, seen live): both are read. What `data` holds is each call family's
business (`models.py` reads images, `auth.py` tokens and regions, ...).
"""

from __future__ import annotations

from typing import Any

from ..i18n import N_, _
from .errors import ApiError, MalformedResponse, ScnetError, api_error_for_code


def text_of(value: Any) -> str:
    """A scalar of an answer as text: None, objects and lists are "", floats lose a `.0`."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def parse_envelope(payload: Any, what: str = N_("the SCNet image-list answer")) -> tuple[Any, str]:
    """`{"code", "msg", "data"}` -> (data, msg) when `code` is "0" (or 0).

    `what` names the answer expected (marked with `N_`; translated here).

    Raises TokenRefused/ApiError for a non-zero `code`, MalformedResponse for a
    body that is not the platform's envelope. Every SCNet call answers this way.
    """
    if not isinstance(payload, dict):
        raise MalformedResponse(
            _("The response is a JSON {type}, not the documented object with code, msg and data").format(
                type=type(payload).__name__),
            _("check that base_url points at the SCNet AI API"),
        )
    if "code" not in payload:
        raise MalformedResponse(
            # Translators: {what} names the answer expected, e.g. "the login answer".
            _("The response has no `code` field, so it is not {what}").format(what=_(what)),
            _("check that base_url points at the SCNet AI API"),
        )
    code = text_of(payload.get("code")).strip()
    message = server_text(payload)
    if code != "0":
        # Translators: stands for an error code where the answer's `code` was empty.
        raise api_error_for_code(code or _("(empty)"), message)
    return payload.get("data"), message


# Where an answer says in words what happened: the platform's `msg`, some gateways' `message`.
MESSAGE_KEYS = ("msg", "message")


def server_text(payload: dict[str, Any]) -> str:
    """What the answer says in words (`msg`, else `message`), "" when neither is text."""
    return next((text for key in MESSAGE_KEYS if (text := text_of(payload.get(key)))), "")


def empty_body() -> str:
    """What a message quotes where a body was empty."""
    # Translators: stands where an excerpt of the server's answer is quoted, when it was empty.
    return _("(empty body)")


def error_in_body(payload: dict[str, Any], status: int) -> ScnetError | None:
    """An HTTP error whose body still carries an API `code`: report that code."""
    try:
        parse_envelope(payload)
    except ApiError as error:
        error.status = status
        return error
    except ScnetError as error:
        return error
    return None


