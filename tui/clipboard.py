"""Every way of getting text onto the user's clipboard, and the rule for what may go there.

Order: the system clipboard through pyperclip; inside tmux, tmux's own paste buffer
(`tmux load-buffer -w`, which also reaches the outer terminal's clipboard where tmux's
`set-clipboard` allows); else the terminal's OSC 52 sequence (wrapped for tmux's
passthrough when tmux itself would not take it). Where none can work, the caller shows
the text for the user to select. What each way can promise is said in `HOW`: a copy
that cannot be checked is never claimed as done. No Textual import: the shell
commands use this too.
"""

from __future__ import annotations

import base64
import os
import subprocess
from typing import Mapping, NamedTuple

from .i18n import N_, _
from .image_ref import reference_problem
from .safe_text import has_control_chars

# OSC 52 payloads beyond this are dropped by many terminals (xterm's default limit is ~100 kB).
OSC52_MAX_BYTES = 74_994

# Terminals known not to implement OSC 52.
_NO_OSC52_TERMS = {"dumb", "linux", "vt100", "vt220"}


def refusal(text: str) -> str | None:
    """Why `text` must not go on the clipboard as-is, or None when it is safe.

    A newline in a pasted command runs it; other control characters can drive
    the terminal. Such values are refused, never silently altered.
    """
    if not text:
        return _("there is nothing to copy (the field is empty)")
    if "\n" in text or "\r" in text:
        return _("the value contains a line break, which would run a command when pasted")
    if has_control_chars(text):
        return _("the value contains control or invisible characters")
    return None


class Copyable(NamedTuple):
    """A value to copy, or why it must not be (`problem` names the reason)."""

    text: str
    problem: str = ""


def path_to_copy(path: str) -> Copyable:
    """An image path is copied only when it is a valid image reference."""
    if not path:
        return Copyable("", _("the server sent no path for this image"))
    problem = reference_problem(path)
    return Copyable("" if problem else path,
                    _("it is not a valid image reference: {problem}").format(problem=problem) if problem else "")


# How a copy went, as a notice says it (under a title that says what was copied); marked,
# and translated where it is shown: _(HOW[way]).
HOW: Mapping[str, str] = {
    "system": N_("to the system clipboard"),
    "tmux": N_("to tmux's paste buffer (prefix ] pastes it; your terminal's clipboard too if tmux's set-clipboard is on)"),
    "osc52": N_("to the terminal as an OSC 52 request; if nothing arrives, the terminal does not take OSC 52"),
    "osc52-tmux": N_("through tmux to the terminal as an OSC 52 request; it arrives only with "
                     "`set -g allow-passthrough on` in tmux and a terminal that takes OSC 52"),
}


def copied(how: str) -> str:
    """How a copy went (a key of HOW), as a sentence of its own: what `path --copy` says."""
    if how == "system":
        return _("copied to the system clipboard")
    if how == "tmux":
        return _("copied to tmux's paste buffer (prefix ] pastes it; your terminal's clipboard too if tmux's "
                 "set-clipboard is on)")
    if how == "osc52":
        return _("sent to the terminal as an OSC 52 request; if nothing arrives, the terminal does not take OSC 52")
    return _("sent through tmux to the terminal as an OSC 52 request; it arrives only with "
             "`set -g allow-passthrough on` in tmux and a terminal that takes OSC 52")


def copy_with_tmux(text: str, env: Mapping[str, str] | None = None) -> bool:
    """Put `text` in tmux's paste buffer when running inside tmux; False when that failed."""
    env = os.environ if env is None else env
    if not env.get("TMUX"):
        return False
    for command in (["tmux", "load-buffer", "-w", "-"], ["tmux", "load-buffer", "-"]):  # -w: tmux >= 3.2
        try:
            done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True, timeout=3, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return False
        if done.returncode == 0:
            return True
    return False


def copy_with_pyperclip(text: str) -> bool:
    """Put `text` on the system clipboard; False when pyperclip has no mechanism here."""
    try:
        import pyperclip
    except ImportError:  # pragma: no cover - a declared dependency
        return False
    try:
        pyperclip.copy(text)
    except pyperclip.PyperclipException:
        return False
    except OSError:
        return False
    return True


def osc52_possible(env: Mapping[str, str] | None = None) -> bool:
    """False for terminals that are known to ignore OSC 52."""
    env = os.environ if env is None else env
    return env.get("TERM", "").lower() not in _NO_OSC52_TERMS


def osc52_sequence(text: str, env: Mapping[str, str] | None = None) -> str | None:
    """The escape sequence that asks the terminal to set its clipboard, or None if too long.

    Inside tmux the sequence is wrapped in tmux's passthrough (DCS tmux; ... ST)
    so it reaches the outer terminal.
    """
    env = os.environ if env is None else env
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    if len(payload) > OSC52_MAX_BYTES:
        return None
    sequence = f"\x1b]52;c;{payload}\a"
    if env.get("TMUX"):
        sequence = "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence
