"""What an image path must be before it is printed or copied: a container image reference.

The grammar is the one `docker pull` and every OCI registry client accept
(distribution/reference): `[host[:port]/]path[:tag][@digest]`, lower-case path
components separated by `.`, `_`, `__` or dashes, a tag of at most 128 word
characters, dots and dashes. A value outside it cannot be pulled, and may be
an attempt to run something when pasted into a shell (`$(…)`, `;`, a leading
`-`, invisible characters): it is refused, with the reason.
"""

from __future__ import annotations

import re

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*|\[[0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F:]*\])"
_REFERENCE = re.compile(
    rf"(?:(?P<host>{_HOST}(?::[0-9]+)?)/)?"
    rf"(?P<path>{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?",
    re.ASCII,
)
_IPV6_HOST = re.compile(r"^\[[0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F:]*\]")  # an IPv6 literal has 2+ colons
# The longest repository name (host and path) the distribution spec accepts.
MAX_NAME_LENGTH = 255


def reference_problem(value: str) -> str | None:
    """Why `value` is not a valid image reference (a short phrase), or None when it is."""
    from .i18n import _
    from .safe_text import has_control_chars

    if not value:
        return _("it is empty")
    if "\n" in value or "\r" in value:
        return _("it holds a line break, which would run a command when pasted")
    if has_control_chars(value):
        return _("it holds control or invisible characters")
    if value.startswith("-"):
        return _("it starts with '-', which a command would take for an option")
    if not value.isascii():
        return _("it holds characters outside ASCII")
    # Brackets only as an IPv6 host ([::1]:5000/...): anywhere else a shell would glob them.
    rest = _IPV6_HOST.sub("", value, count=1)
    bad = sorted({char for char in rest if char.isspace() or char in "$`;|&<>(){}*?[]!'\"\\#~^,="})
    if bad:
        # Translators: "space" and "tab" name the characters in a list of them.
        shown = " ".join({" ": _("space"), "\t": _("tab")}.get(char, char) for char in bad)
        return _("it holds characters a shell would act on: {characters}").format(characters=shown)
    match = _REFERENCE.fullmatch(value)
    if match is None:
        if any(char.isupper() for char in value.split("/", 1)[-1].split(":", 1)[0]):
            return _("its repository path has upper-case letters")
        return _("it is not of the form registry/path:tag")
    name = (match["host"] + "/" if match["host"] else "") + match["path"]
    if len(name) > MAX_NAME_LENGTH:
        return _("its name is longer than {limit} characters").format(limit=MAX_NAME_LENGTH)
    return None
