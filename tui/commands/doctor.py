"""`scnet-images doctor`: first contact with an account we cannot see, explained.

It checks, in order, and says one line each (✔ or ✖, what was found, the next step): the
config file, the profile and region in use, the token (its claims and the clock), the
platform host and each stored region (reached? TLS, proxy, round trip; which image call
and which instance-list path it answers), and the cached catalog. Only read-only calls are
made: never a create or an action, and no token is renewed. Every secret is masked.
`--format json` is for an issue report. The exit code is the first problem's, else 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, Callable, Iterator, NamedTuple

from ..i18n import N_, _, fill, ngettext
from .connect import add_connection_options
from .exits import EXIT_CODES_HELP, EXIT_OK
from .output import hide, safe_line

if TYPE_CHECKING:
    from ..config import Settings
    from ..connection import Connection

# A clock further than this from a server's is worth a line of its own (access-key logins
# are refused beyond about five minutes).
CLOCK_TOLERANCE_SECONDS = 60.0
# A token expired for less than this is renewed on its next use (the platform's rule).
RENEWAL_WINDOW_SECONDS = 24 * 3600
# The names of the checks, as they are printed (translated when shown) and kept in JSON.
CHECKS = {"config": N_("config"), "profile": N_("profile"), "token": N_("token"), "clock": N_("clock"),
          "platform": N_("platform"), "region": N_("region"), "cache": N_("cache")}
# Where a setting came from (config's origins), as said to the user; a profile is named.
ORIGINS = {"command line": N_("command-line options"), "environment": N_("environment variables"),
           "token_command": N_("the profile's token_command")}


class Check(NamedTuple):
    """One line of the report: `ok` True (✔), False (✖: `exit_code` says of what kind), or
    None (nothing to check there); `found` what was found, `next_step` what to do."""

    check: str  # a key of CHECKS
    ok: bool | None
    found: str
    next_step: str = ""
    exit_code: int = 0


def register(commands: argparse._SubParsersAction) -> None:
    doctor = commands.add_parser(
        "doctor",
        help=_("check the configuration, the token and every region, and say what to do"),
        description=_(
            "Check, in order, the config file, the profile and region in use, the token, the platform host "
            "and each stored region (reached, TLS, proxy, round trip, which image call and instance-list path "
            "it answers) and the cached catalog. Only read-only calls; every secret masked. Paste its output "
            "(or --format json) into an issue report."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_(EXIT_CODES_HELP),
    )
    doctor.add_argument("-f", "--format", choices=("text", "json"), default="text",
                        help=_("text (default) or json, for an issue report"))
    add_connection_options(doctor, argparse.SUPPRESS)
    doctor.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    checks: list[Check] = []
    show: Callable[[Check], None] = (lambda check: None) if args.format == "json" else _print
    for check in _checks(args):
        checks.append(check)
        show(check)
    if args.format == "json":
        json.dump([check._asdict() for check in checks], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    return next((check.exit_code for check in checks if check.ok is False), EXIT_OK)


def _print(check: Check) -> None:
    from rich.cells import cell_len

    mark = {True: "✔", False: "✖", None: "·"}[check.ok]
    label = _(CHECKS[check.check])
    width = max(cell_len(_(name)) for name in CHECKS.values())  # in terminal cells: 配置文件 takes 8
    line = f"{mark} {label}{' ' * (width - cell_len(label))}  {check.found}"
    if check.next_step:
        line += "  → " + check.next_step
    print(safe_line(line), flush=True)


# --- the checks, in order ------------------------------------------------------------------------------


def _checks(args: argparse.Namespace) -> Iterator[Check]:
    from ..api.errors import ScnetError
    from ..connection import open_connection

    try:
        settings: Settings | None = _settings(args)
        problem = None
    except ScnetError as error:
        settings, problem = None, error
    yield _config_check(demo=settings is not None and settings.demo)
    if settings is None:
        assert problem is not None
        yield Check("profile", False, problem.message, problem.hint, problem.exit_code)
        return
    yield _profile_check(settings)
    yield _token_check(settings)
    try:
        connection = open_connection(settings)
    except ScnetError as error:
        yield Check("region", False, error.message, error.hint, error.exit_code)
        return
    try:
        offsets: list[tuple[str, float]] = []
        if not settings.demo:
            yield _platform_check(settings, offsets)
        yield _region_check(connection, settings.profile or _("(in use)"), offsets)
        yield from _stored_regions(settings)
        yield _clock_check(offsets)
        yield _cache_check(connection)
    finally:
        connection.close()


def _settings(args: argparse.Namespace) -> Settings:
    from ..config import load_settings

    settings = load_settings(base_url=args.base_url, token=args.token, profile=args.profile,
                             ca_bundle=args.ca_bundle, insecure=args.insecure or None, timeout=args.timeout,
                             deadline=args.deadline, image_api=args.image_api)
    hide(settings.token)
    return settings


def _config_check(*, demo: bool) -> Check:
    import os
    import stat

    from ..api.errors import ScnetError
    from ..config import config_path, read_config
    from ..config_values import PROFILE_KEYS, TOP_KEYS

    path = config_path()
    try:
        data, untrusted = read_config(path)
    except ScnetError as error:
        return Check("config", False, error.message, error.hint, error.exit_code)
    if not path.exists() and demo:
        return Check("config", True, _("none at {path}: with no account configured, the embedded demo API answers")
                     .format(path=path), _("`scnet-images login` to use your account"))
    if not path.exists():  # the flags or the environment say where to connect
        return Check("config", True, _("none at {path}: the flags or the environment (SCNET_BASE_URL, SCNET_TOKEN) "
                                       "say where to connect").format(path=path))
    mode = stat.S_IMODE(path.stat().st_mode)
    profiles = data.get("profiles") if isinstance(data.get("profiles"), dict) else {}
    unknown = sorted({*(key for key in data if key not in TOP_KEYS),
                      *(f"{name}.{key}" for name, profile in profiles.items() if isinstance(profile, dict)
                        for key in profile if key not in PROFILE_KEYS)})
    found = ngettext("{path}: mode {mode:o}, {count} profile", "{path}: mode {mode:o}, {count} profiles",
                     len(profiles)).format(path=path, mode=mode, count=len(profiles))
    if untrusted:
        return Check("config", False, found + " — " + untrusted, _("see the line above"), 7)
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        return Check("config", False, found, _("it may hold tokens and others can read it: chmod 600 {path}")
                     .format(path=path), 7)
    if unknown:
        return Check("config", False, found + " — " + _("keys this version does not know: {keys}").format(
            keys=", ".join(unknown)), _("remove or rename them (README.md, \"Without login\")"), 7)
    return Check("config", True, found)


def _profile_check(settings: Settings) -> Check:
    from ..api.addresses import host_of

    if settings.demo:
        return Check("profile", True, _("none: the embedded demo API (no account configured)"))
    where = " · ".join(part for part in (
        settings.profile and _("profile {name}").format(name=settings.profile),
        _("{region} ({cluster})").format(region=settings.region, cluster=settings.cluster_id) if settings.region
        else settings.cluster_id,
        host_of(settings.base_url),
    ) if part)
    words = [_origin_words(origin, settings.profile) for origin in settings.origins] or ["?"]
    # Two places at most (the address's and the token's), said as a pair, not as a list.
    origins = fill(_("{first} and {second}"), first=words[0], second=words[1]) if len(words) > 1 else words[0]
    return Check("profile", True, where + " — " + fill(_("settings from {source}"), source=origins))


def _origin_words(origin: str, profile: str) -> str:
    if origin == "profile":
        return _("profile {name}").format(name=profile)
    return _(ORIGINS[origin]) if origin in ORIGINS else origin or "?"


def _token_check(settings: Settings) -> Check:
    from datetime import datetime, timezone

    from ..api.token import describe_expiry, read_claims
    from ..profiles import mask

    if settings.demo:
        return Check("token", True, _("the demo API's own token"))
    claims = read_claims(settings.token)
    origin = fill(_("from {source}"), source=_origin_words(settings.token_from, settings.profile))
    if claims is None:
        return Check("token", None, _("{token} {origin}: not a token whose claims can be read (no user, cluster "
                                      "or expiry to check)").format(token=mask(settings.token), origin=origin))
    left = claims.seconds_left(datetime.now(timezone.utc))
    found = _("{token} {origin}: user {user}, cluster {cluster}, {expiry}").format(
        token=mask(settings.token), origin=origin, user=claims.user or "?", cluster=claims.cluster_id or "?",
        expiry=describe_expiry(left) if left is not None else _("no expiry"))
    if settings.cluster_id and claims.cluster_id and claims.cluster_id != settings.cluster_id:
        return Check("token", False, found, _("the token is for another region than profile {profile} ({cluster}): "
                                              "run `scnet-images login`").format(
                         profile=settings.profile, cluster=settings.cluster_id), 3)
    if left is not None and left <= 0:
        if settings.ac_url and left > -RENEWAL_WINDOW_SECONDS:
            return Check("token", True, found, _("it is renewed on its next use (up to a day after it expired)"))
        return Check("token", False, found, _("run `scnet-images login`"), 3)
    return Check("token", True, found)


def _client(connection: Connection) -> Any:
    """A client of the connection that never renews its token (a renewal is no read-only call)."""
    from ..api.drivers import ScnetSyncClient
    from ..api.options import Account

    # One try each: a diagnosis says what happens, it does not wait out a flaky link.
    return ScnetSyncClient(connection.base_url, connection.token, connection.settings.options._replace(tries=1),
                           Account(image_api="auto"))


def _reached(client: Any, url: str, offsets: list[tuple[str, float]]) -> str:
    """`url` reached: round trip, TLS and proxy in words (its clock noted in `offsets`).
    Raises the network or TLS error when it is not reached."""
    from ..api.addresses import host_of
    from ..api.reach import reach

    reached = reach(client, url)
    host = host_of(url)
    if reached.clock_offset is not None:
        offsets.append((host, reached.clock_offset))
    tls = _("TLS verified") if url.startswith("https://") and not client.options.insecure else (
        _("TLS not verified (insecure)") if url.startswith("https://") else _("no TLS (http)"))
    # Any answer but a gateway's error (which `reach` raises) means the host was reached: its root
    # often answers 404, which says nothing about the API.
    return _("{host} reached in {ms:.0f} ms, {tls}, {proxy}").format(
        host=host, ms=reached.seconds * 1000, tls=tls, proxy=_proxy_for(url))


def _proxy_for(url: str) -> str:
    import urllib.request
    from urllib.parse import urlsplit

    from ..api.addresses import shown_url

    parts = urlsplit(url)
    if urllib.request.proxy_bypass(parts.hostname or ""):
        return _("no proxy (NO_PROXY)")
    proxy = urllib.request.getproxies().get(parts.scheme)
    return _("proxy {proxy}").format(proxy=shown_url(proxy)) if proxy else _("no proxy")


def _platform_check(settings: Settings, offsets: list[tuple[str, float]]) -> Check:
    """The platform host that renews the token (and logs in), when the settings name one."""
    from ..api.drivers import ScnetSyncClient
    from ..api.errors import ScnetError

    if not settings.ac_url:
        return Check("platform", None, _("none named: this token is not renewed when it expires"),
                     _("`scnet-images login` stores profiles that renew their tokens"))
    options = settings.options._replace(insecure=settings.options.ac_insecure, tries=1)
    try:
        with ScnetSyncClient(settings.ac_url, "", options) as client:
            found = _reached(client, settings.ac_url.rstrip("/") + "/", offsets)
    except ScnetError as error:
        return Check("platform", False, error.message, error.hint, error.exit_code)
    return Check("platform", True, found)


def _region_check(connection: Connection, name: str, offsets: list[tuple[str, float]]) -> Check:
    """The region `connection` points at: reached, and which calls it answers (read-only)."""
    from ..api import containers
    from ..api.errors import ScnetError, TokenRefused
    from ..api.images import probe_image_calls

    label = _("the demo API") if connection.demo else " ".join(filter(None, (name, connection.settings.region)))
    try:
        with _client(connection) as client:
            found = _reached(client, client.root + "/", offsets)
            images = probe_image_calls(client)
            if not images:
                return Check("region", False, _("{region}: {found}; answers neither image-list call (HTTP 404)").format(
                    region=label, found=found), _("this region serves no catalog here; choose another (p in the "
                                                  "browser, or --profile)"), 5)
            path = containers.list_instances(client).path
    except ScnetError as error:
        if isinstance(error, TokenRefused) and _renewable(connection):
            return Check("region", None, _("{region}: the region refused the expired token, which is renewed on its "
                                           "next use (doctor renews nothing); ask again after that").format(region=label))
        return Check("region", False, _("{region}: {problem}").format(region=label, problem=error.message),
                     error.hint, error.exit_code)
    calls = {"get": "GET …/instance-service/images", "post": "POST …/image/images"}
    return Check("region", True, _("{region}: {found}; images: {images}; instances: GET …/instance-service/{path}")
                 .format(region=label, found=found, images=" + ".join(calls[api] for api in images), path=path))


def _renewable(connection: Connection) -> bool:
    """Whether the connection's token has expired, and will be renewed on its next use."""
    from datetime import datetime, timezone

    from ..api.token import read_claims

    claims = read_claims(connection.token)
    left = claims.seconds_left(datetime.now(timezone.utc)) if claims else None
    return bool(connection.settings.ac_url) and left is not None and -RENEWAL_WINDOW_SECONDS < left <= 0


def _stored_regions(settings: Settings) -> Iterator[Check]:
    """Every stored profile other than the one in use."""
    from ..api.errors import ScnetError
    from ..config import config_path
    from ..connection import connection_for_profile
    from ..profiles import read_profiles

    try:
        profiles = read_profiles(config_path())
    except ScnetError:
        return  # the config check said why
    for profile in profiles:
        if profile.name == settings.profile:
            continue
        try:
            connection = connection_for_profile(profile.name)
        except ScnetError as error:
            yield Check("region", False, _("{region}: {problem}").format(region=profile.name, problem=error.message),
                        error.hint, error.exit_code)
            continue
        try:
            hide(connection.token)
            yield _region_check(connection, profile.name, [])
        finally:
            connection.close()


def _clock_check(offsets: list[tuple[str, float]]) -> Check:
    if not offsets:
        return Check("clock", None, _("no server said its time (no Date header)"))
    host, offset = max(offsets, key=lambda pair: abs(pair[1]))
    found = _("this machine's clock is {seconds:+.0f} s from {host}'s").format(seconds=-offset, host=host)
    if abs(offset) > CLOCK_TOLERANCE_SECONDS:
        return Check("clock", False, found, _("set the clock right (NTP): an access-key login signs the time, "
                                              "and the platform refuses one a few minutes off"), 7)
    return Check("clock", True, found)


def _cache_check(connection: Connection) -> Check:
    """The cached catalog of this account and region: how old, and whose."""
    from .. import cache
    from ..api.token import read_claims

    try:
        key = cache.key_of(connection.base_url, connection.token, connection.demo, create=False)
    except OSError as error:
        return Check("cache", False, cache.describe(error), _("`scnet-images cache clear` removes what is there"), 7)
    cached, problem = cache.load(key) if key is not None else (None, "")
    if cached is None:
        if problem:
            return Check("cache", None, problem, _("`scnet-images cache clear` removes it"))
        return Check("cache", None, _("no cached catalog for this account and region yet"))
    claims = read_claims(connection.token)
    whose = (_("the demo API") if connection.demo else
             _("user {user} in cluster {cluster}").format(user=claims.user, cluster=claims.cluster_id) if claims
             else _("this token's account"))
    return Check("cache", True, ngettext("{count} image, fetched {minutes:.0f} min ago, for {account}",
                                         "{count} images, fetched {minutes:.0f} min ago, for {account}",
                                         len(cached.images)).format(
        count=len(cached.images), minutes=cached.age() / 60, account=whose))
