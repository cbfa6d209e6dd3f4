"""Which regions a login stores: the regions the login's tokens name, each one's AI address
and home directory (the region lookup), whether it answers an image-list call (asked
cheaply, read-only), and which of them is the default. What login says on the way goes to
stderr (`tell`, `login_note`).
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Callable, NamedTuple

from ..api.addresses import shown_url, valid_token
from ..api.errors import ConfigError, ScnetError, TokenRefused
from ..api.options import ClientOptions
from ..i18n import _
from ..safe_text import printable
from .output import safe_line

if TYPE_CHECKING:
    from ..api.auth import RegionToken

# What a region id may look like: it names a profile and a TOML table.
_CLUSTER_ID = re.compile(r"[A-Za-z0-9_.-]{1,40}")


def tell(text: str) -> None:
    """A line on stderr (progress, notes, questions), with server data made safe to print."""
    print(safe_line(text), file=sys.stderr)


def login_says(message: str) -> None:
    """`scnet-images login: message` on stderr."""
    tell("scnet-images login: " + message)


def login_note(message: str) -> None:
    login_says(_("note: {message}").format(message=message))


def _ask_hidden(prompt: str) -> str:
    import getpass  # reads from the terminal itself, with echo off

    return getpass.getpass(prompt)


class Prompts(NamedTuple):
    """How login asks: `ask` for plain answers, `ask_secret` without echo. `interactive`
    says whether anyone is there to answer (otherwise missing answers are usage errors)."""

    ask: Callable[[str], str] = input
    ask_secret: Callable[[str], str] = _ask_hidden
    interactive: bool = True


class Region(NamedTuple):
    cluster_id: str
    name: str
    token: str
    base_url: str
    home_path: str = ""  # the user's home directory there, when the region lookup says
    serves_images: bool = True  # False: its AI address answers neither image call (HTTP 404)

    def __repr__(self) -> str:
        return f"Region({self.cluster_id!r}, {self.name!r}, token=****, base_url={self.base_url!r})"


class UsageError(Exception):
    """What the user gave cannot be used: said, exit 64."""


def regions_of(
    tokens: list[RegionToken], ac_url: str, options: ClientOptions | None, *, allow_http: bool = False
) -> list[Region]:
    """The regions with a token and an enabled AI address; says why others are left out.

    A region address over plain http, named by a platform asked over https, is left out
    unless `allow_http`: the token would travel in the clear."""
    from ..api.auth import region_center

    candidates = [token for token in tokens if not token.platform]
    for token in [token for token in candidates if not _CLUSTER_ID.fullmatch(token.cluster_id)]:
        login_note(_("skipped a region whose id is not a plain id: {id}").format(id=repr(token.cluster_id)))
        candidates.remove(token)
    suspended = [token for token in candidates if token.token is None]
    garbled = [token for token in candidates if token.token is not None and not valid_token(token.token)]
    usable = [token for token in candidates if token.token is not None and valid_token(token.token)]
    for token in garbled:
        login_note(_("the token for region {region} holds characters a request header cannot carry; skipped")
                    .format(region=token.cluster_name or token.cluster_id))
    for token in suspended:
        login_note(_("no token for region {region} (the account is suspended there)")
                    .format(region=token.cluster_name or token.cluster_id))
    if not usable:
        raise TokenRefused(
            _("The login succeeded but gave no region token (the account is suspended in every region)") if suspended
            else _("The login succeeded but gave no region token"),
            _("check the account's state in the SCNet console (arrears, suspension)"),
        )
    regions: list[Region] = []
    failures: list[ScnetError] = []
    for token in usable:
        name = printable(token.cluster_name or token.cluster_id)
        try:
            center = region_center(ac_url, token.token or "", options)
        except ScnetError as error:
            failures.append(error)
            login_note(_("could not look up region {region}: {problem}").format(region=name, problem=error.message))
            continue
        base_url = center.ai_url
        if base_url is None:
            login_note(_("region {region} has no AI service enabled; skipped").format(region=name))
            continue
        if _scheme(base_url) == "http" and _scheme(ac_url) == "https" and not allow_http:
            login_note(_(
                "region {region} names a plain-http address ({url}), where the token would travel unencrypted; "
                "skipped (--allow-http stores it anyway)").format(region=name, url=shown_url(base_url)))
            continue
        regions.append(Region(token.cluster_id, token.cluster_name, token.token or "", base_url, center.home_path,
                              _serves_images(name, base_url, token.token or "", options)))
    if not regions:
        if failures:
            raise failures[0]
        raise ConfigError(_("None of the account's regions has an AI service enabled"),
                          _("check the account in the SCNet console"))
    return regions


def _serves_images(name: str, base_url: str, token: str, options: ClientOptions | None) -> bool:
    """Whether the region's AI address answers an image-list call (asked cheaply, read-only).
    One that answers neither (HTTP 404 for every path, as one region was seen live) is said;
    any other failure is noted and taken as serving (the browser will say more)."""
    from ..api.drivers import ScnetSyncClient
    from ..api.images import probe_image_calls

    try:
        with ScnetSyncClient(base_url, token, options) as client:
            served = probe_image_calls(client)
    except ScnetError as error:
        login_note(_("could not ask region {region} for its images: {problem}").format(region=name,
                                                                                      problem=error.message))
        return True
    if not served:
        login_note(_("region {region} answers neither image-list call at {url} (HTTP 404); stored, but not made "
                      "the default").format(region=name, url=shown_url(base_url)))
    return bool(served)


def _scheme(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).scheme.lower()


def choose_default(regions: list[Region], wanted: str | None, prompts: Prompts) -> Region:
    if wanted:
        key = wanted.strip().lower()
        for region in regions:
            if key in (region.cluster_id, region.name.lower()):
                return region
        matches = [region for region in regions if key in region.name.lower()]
        if len(matches) == 1:
            return matches[0]
        known = ", ".join(f"{region.cluster_id} {printable(region.name)}" for region in regions)
        if matches:
            raise UsageError(_("--region {wanted} names several regions of: {known}").format(
                wanted=repr(wanted), known=known))
        raise UsageError(_("--region {wanted} names no region of: {known}").format(wanted=repr(wanted), known=known))
    serving = [region for region in regions if region.serves_images] or regions
    if len(regions) == 1 or not prompts.interactive:
        return serving[0]
    tell(_("Regions:"))
    for number, region in enumerate(regions, 1):
        if region.serves_images:
            tell(f"  {number}. " + _("{region} ({cluster})").format(region=printable(region.name), cluster=region.cluster_id))
        else:
            tell(f"  {number}. " + _("{region} ({cluster})").format(region=printable(region.name), cluster=region.cluster_id)
                 + " — " + _("answers no image-list call"))
    first = regions.index(serving[0]) + 1
    while True:
        answer = prompts.ask(_("Default region [1-{last}, Enter for {first}]: ").format(
            last=len(regions), first=first)).strip()
        if not answer:
            return serving[0]
        if answer.isdigit() and 1 <= int(answer) <= len(regions):
            return regions[int(answer) - 1]
        tell("  " + _("type a number from 1 to {last}").format(last=len(regions)))
