"""Make text from the server safe to put on a terminal.

The server's strings are data: control characters (ESC, BEL, CR, C1 codes...)
would drive the terminal, so they are shown as visible escapes instead.
Markup is a separate concern: the UI wraps values in `rich.text.Text`, which
never parses markup.
"""

from __future__ import annotations

import re

# C0 controls (tab and newline included: a cell or a line must stay one line),
# DEL, C1 controls, and the Unicode line/paragraph separators and bidi overrides
# that can reorder what a terminal shows.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


_TAG = re.compile(r"<[^>]*>")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: str) -> str:
    """Return `value` with every control character replaced by a visible escape."""
    return _UNSAFE.sub(_escape, value)


def has_control_chars(value: str) -> bool:
    """True if `value` holds any character `printable` would escape."""
    return _UNSAFE.search(value) is not None


def excerpt(body: bytes | bytearray | str, limit: int = 200, secret: str | tuple[str, ...] | None = None) -> str:
    """A short, one-line, printable excerpt of a response body for error messages.

    `secret` (one string or several), when given, is masked wherever it appears: a
    server may echo the token, or a login form the password.
    """
    text = body if isinstance(body, str) else bytes(body[:65536]).decode("utf-8", "replace")
    for hidden in (secret,) if isinstance(secret, str) else secret or ():
        if hidden:
            text = text.replace(hidden, "****")
    if text.lstrip()[:1] == "<":
        # An HTML page (a gateway's error, a login form): its words say more than its tags.
        text = _TAG.sub(" ", text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return printable(text)
