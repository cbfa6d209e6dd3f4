"""Make text from the server safe to put on a terminal, in a file, or in a message.

The server's strings are data. Characters that drive a terminal (ESC, BEL, CR,
C1 codes...) or that cannot be seen (zero-width spaces, bidi marks that reorder
what is shown, a BOM, soft hyphens, tag characters) are shown as visible escapes
instead: `printable` for the terminal, `json_safe` inside JSON, `csv_cell` for
spreadsheets. Markup is a separate concern: the UI wraps values in
`rich.text.Text`, which never parses markup.

`redact` masks what must never be shown: known secrets (the token, a password,
a secret key) and `token=...`-style pairs a server may echo back.
"""

from __future__ import annotations

import re

# Every character of Unicode's control (Cc), format (Cf), line/paragraph separator (Zl, Zp)
# and surrogate (Cs: a lone one cannot even be written out) categories, and the invisible
# ones of other categories (combining grapheme joiner, Hangul fillers, Khmer and Mongolian
# invisibles, variation selectors): tests/security/test_text.py checks it against unicodedata.
_INVISIBLE_CLASS = (
    "\x00-\x1f\x7f-\x9f\xad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
    "\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164"
    "\ud800-\udfff\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff"
)
_UNSAFE = re.compile(f"[{_INVISIBLE_CLASS}]")
# The same without C0 controls: json.dumps escapes those itself, and its indentation is made of them.
_UNSAFE_IN_JSON = re.compile(f"[{_INVISIBLE_CLASS[len(chr(0) + '-' + chr(0x1f)):]}]")
_TAG = re.compile(r"<[^>]*>")
# key=value (or key: value, or key%3D value in an encoded URL) pairs that carry a credential,
# as a server may echo them; the key may have a prefix (`jupyter_token`, `x-auth-token`). A key
# starts where a word does and its prefix is bounded: a long run of word characters is tried
# from one place only, so a hostile body of 64 KiB is read in linear time.
_SECRET_PAIR = re.compile(
    r"(?i)(?<![\w-])([\w-]{0,40}?(?:token|password|passwd|pwd|secret(?:[_-]?key)?|access[_-]?key|signature"
    r"|authorization))(\"?\s*(?:[=:]|%3D)\s*\"?(?:(?:Bearer|Basic|Token)\s+)?)([^\s\"'&,;}]+)"
)
MASK = "****"


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(value: str) -> str:
    """Return `value` with every control or invisible character replaced by a visible escape."""
    return _UNSAFE.sub(_escape, value)


def has_control_chars(value: str) -> bool:
    """True if `value` holds any character `printable` would escape (control or invisible)."""
    return _UNSAFE.search(value) is not None


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a surrogate pair, as JSON spells characters beyond the BMP
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_safe(text: str) -> str:
    """JSON text (from json.dumps with ensure_ascii=False) with every control or invisible
    character written as a \\uXXXX escape: still the same JSON, and safe to print.

    Such characters can only occur inside JSON strings, where the escape means the same."""
    return _UNSAFE_IN_JSON.sub(_json_escape, text)


# A spreadsheet takes a cell starting with these as a formula (OWASP, CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A cell for CSV: printable, and never read as a formula (a leading `'` is added)."""
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return printable(value)


def redact(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """`text` with each known secret, and the value of each `token=...`-style pair, masked."""
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return _SECRET_PAIR.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


def excerpt(body: bytes | bytearray | str, limit: int = 200, secret: str | tuple[str, ...] | None = None) -> str:
    """A short, one-line, printable excerpt of a response body for error messages.

    `secret` (one string or several), when given, is masked wherever it appears: a
    server may echo the token, or a login form the password; `token=...`-style pairs
    are masked too.
    """
    text = body if isinstance(body, str) else bytes(body[:65536]).decode("utf-8", "replace")
    text = redact(text, (secret,) if isinstance(secret, str) else tuple(secret or ()))
    if text.lstrip()[:1] == "<":
        # An HTML page (a gateway's error, a login form): its words say more than its tags.
        # nginx's pages say the title again as the heading: each run of words once.
        kept: list[str] = []
        for chunk in _TAG.split(text):
            chunk = " ".join(chunk.split())
            if chunk and chunk != (kept[-1] if kept else None):
                kept.append(chunk)
        text = " ".join(kept)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return printable(text)


def fit_cells(text: str, width: int, *, middle: bool = False) -> str:
    """`text` in at most `width` terminal cells (a Chinese character takes two): cut with
    "…" at the end, or with `middle` in the middle. A path cut in the middle keeps its last
    part (an image's name:tag, what tells two paths apart) whole when it fits, the registry
    giving way; else that part is cut in its middle. A line that must not wrap mid-word (a
    path has no word to wrap at) is cut this way."""
    from rich.cells import cell_len

    if cell_len(text) <= width:
        return text
    if width < 1:
        return ""

    def take(chars: str, room: int) -> str:  # whole characters, as many as fit in `room` cells
        taken, used = [], 0
        for char in chars:
            used += cell_len(char)
            if used > room:
                break
            taken.append(char)
        return "".join(taken)

    if not middle:
        return take(text, width - 1) + "…"
    prefix, slash, last = text.rpartition("/")
    if slash and prefix and last and width > 2:
        if cell_len(last) + 2 <= width:  # the registry cut, the name:tag whole
            return take(prefix, width - 2 - cell_len(last)) + "…/" + last
        if cell_len(last) + 1 == width:  # no room for the slash: still marked as cut
            return "…" + last
        text = last  # the name:tag alone, cut in its middle (a bare name:tag would read as whole)
    head = take(text, (width - 1) // 3)
    tail = take(reversed(text), width - 1 - cell_len(head))[::-1]
    return head + "…" + tail
