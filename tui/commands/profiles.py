"""`scnet-images profiles` (and `profiles rm`) and `logout`: what is stored, and removing it."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, TextIO

from ..api.addresses import shown_url
from ..api.token import describe_expiry
from ..i18n import N_, _, ngettext
from ..profiles import StoredProfile, read_profiles, remove_profiles, remove_tokens
from ..safe_text import printable
from .output import aligned_lines, safe_line, say


# The columns of `profiles` (translated when shown); the first marks the default profile.
HEADERS = ("", N_("PROFILE"), N_("REGION"), N_("USER"), N_("ADDRESS"), N_("TOKEN"), N_("EXPIRES"), N_("API"))


def print_profiles(path: Any, out: TextIO) -> int:
    profiles = read_profiles(path)
    if not profiles:
        say(_("no profiles in {path}; run `scnet-images login`").format(path=path))
        return 0
    profile_table(profiles, out)
    return 0


def profile_table(profiles: list[StoredProfile], out: TextIO) -> None:
    now = datetime.now(timezone.utc)
    headers = tuple(_(header) if header else "" for header in HEADERS)
    rows = []
    for profile in profiles:
        expiry = describe_expiry((profile.expires_at - now).total_seconds()) if profile.expires_at else ""
        api = profile.image_api + (f" ({profile.detected_image_api})" if profile.image_api == "auto" and profile.detected_image_api else "")
        rows.append(
            tuple(
                printable(cell)
                for cell in (
                    "*" if profile.default else "",
                    profile.name,
                    profile.region,
                    profile.user,
                    shown_url(profile.base_url),
                    profile.masked_token,
                    expiry,
                    api,
                )
            )
        )
    for line in aligned_lines(headers, rows):
        out.write(line + "\n")


def logout(path: Any, names: list[str], out: TextIO, *, forget: bool = False) -> int:
    """Remove the stored tokens of `names` (all profiles when none), or with `forget` the
    profiles themselves."""
    if forget:
        removed = remove_profiles(path, names)
        if removed:
            out.write(safe_line(ngettext("Removed the profile {names}", "Removed the profiles {names}", len(removed))
                                .format(names=", ".join(removed))) + "\n")
        else:
            out.write(_("No profiles to remove") + "\n")
        if removed and not read_profiles(path):
            out.write(_("No profile is left: scnet-images runs on the demo API until you `scnet-images login`.") + "\n")
        return 0
    removed = remove_tokens(path, names)
    if removed:
        out.write(safe_line(_("Removed the stored token of {names}").format(names=", ".join(removed))) + "\n")
        out.write(_("The browser shows the demo catalog until you log in again; "
                    "`scnet-images logout --forget` removes the profiles too.") + "\n")
    else:
        out.write(_("No stored tokens to remove") + "\n")
    return 0
