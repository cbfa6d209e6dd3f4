"""The connection flags every command shares, and the settings they resolve to.

Flags come first, then the environment, then the config file (`tui/config.py`);
the same flags are accepted before the command (`scnet-images --profile x list`)
and after it (`scnet-images list --profile x`).
"""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from typing import Any, Iterator

from ..i18n import N_, _
from .output import hide, note, warn

# Shown with _(CONNECTION_HELP) where --help is built (the language is chosen after import).
CONNECTION_HELP = N_("""\
connection (flags > environment > config file):
  `scnet-images login` stores a profile per region in the config file.
  SCNET_BASE_URL, SCNET_TOKEN, SCNET_PROFILE, SCNET_IMAGE_API, SCNET_CONFIG (config file path).
  With none of them set and no config file, the embedded demo API is used.
""")


def add_connection_options(parser: argparse.ArgumentParser, default: Any) -> None:
    """The connection flags; `default` is None on the top parser and SUPPRESS on a command's,
    so a flag given before the command is not reset by the command's own default."""
    group = parser.add_argument_group(_("connection"))
    group.add_argument("--base-url", default=default, help=_("the region's AI address (or SCNET_BASE_URL)"))
    group.add_argument(
        "--token",
        default=default,
        help=_("API token; prefer SCNET_TOKEN or the config file, which stay out of shell history"),
    )
    group.add_argument("--profile", default=default, help=_("a profile of the config file (or SCNET_PROFILE)"))
    group.add_argument("--region", metavar="ID|NAME", default=default,
                       help=_("the stored profile of this region (its id or name, as `profiles` lists them)"))
    add_transport_options(group, default)
    group.add_argument(
        "--image-api",
        choices=("auto", "get", "post"),
        default=default,
        help=_("which image-list call: the documented GET, the paginated POST, or auto (the default)"),
    )


def seconds_flag(limit: float) -> Any:
    """An argparse type: a finite number of seconds above 0 and at most `limit`."""

    def parse(text: str) -> float:
        import math

        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(_("{value} is not a number of seconds").format(value=repr(text))) from None
        if not math.isfinite(value) or not 0 < value <= limit:
            raise argparse.ArgumentTypeError(
                _("{value}: give seconds above 0 and at most {limit:g}").format(value=repr(text), limit=limit))
        return value

    return parse


def add_transport_options(group: Any, default: Any) -> None:
    """TLS and timeout flags (also taken by `login`, which has no profile yet)."""
    group.add_argument("--ca-bundle", default=default, help=_("PEM file of CAs to trust for TLS"))
    group.add_argument(
        "--insecure", action="store_true", default=default, help=_("do not verify TLS certificates (knowingly)")
    )
    group.add_argument(
        "--timeout", type=seconds_flag(600), default=default, help=_("seconds a read may wait (default 30)")
    )
    group.add_argument(
        "--deadline",
        type=seconds_flag(86400),
        default=default,
        help=_("seconds a whole call may take, however slowly the server answers (default 120)"),
    )


def settings_from(args: argparse.Namespace, *, demo_if_logged_out: bool = False) -> Any:
    """The settings the flags (then the environment and config file) give; warnings on stderr.
    `--region ID|NAME` picks the stored profile of that region (with none stored, the demo's
    region), so no one needs to know profile names."""
    from ..config import load_settings

    if getattr(args, "region", None):
        return _region_settings(args)

    settings = load_settings(
        base_url=args.base_url,
        token=args.token,
        profile=args.profile,
        ca_bundle=args.ca_bundle,
        insecure=args.insecure or None,
        timeout=args.timeout,
        deadline=args.deadline,
        image_api=args.image_api,
        demo_if_logged_out=demo_if_logged_out,
    )
    hide(settings.token)
    for warning in settings.warnings:
        warn(warning)
    expiry = expiry_warning(settings)
    if expiry:
        warn(expiry)
    return settings


def _region_settings(args: argparse.Namespace) -> Any:
    from ..regions import RegionNotFound, every_region, find_region

    rest = argparse.Namespace(**{**vars(args), "region": None})
    ref = find_region(every_region(settings_from(rest)), args.region)
    if not ref.profile:  # a demo region, or the one the environment names
        hide(ref.settings.token)
        return ref.settings
    if args.profile and args.profile != ref.profile:
        raise RegionNotFound(_("--region {region} is profile {profile}, not --profile {given}").format(
            region=repr(args.region), profile=ref.profile, given=args.profile), _("give one of them"))
    return settings_from(argparse.Namespace(**{**vars(rest), "profile": ref.profile}))


def expiry_warning(settings: Any, now: Any = None) -> str | None:
    """A sentence when the token is about to expire (or has) and cannot be renewed here."""
    if settings.demo or settings.ac_url:
        return None  # demo tokens do not expire; a login profile renews its own
    from datetime import datetime, timezone

    from ..api.token import EXPIRY_WARNING_SECONDS, describe_expiry, read_claims

    claims = read_claims(settings.token)
    left = claims.seconds_left(now or datetime.now(timezone.utc)) if claims else None
    if left is None or left >= EXPIRY_WARNING_SECONDS:
        return None
    # Translators: {expiry} says when, e.g. "expires in 1h 2m" or "expired 5m ago".
    return _("the token {expiry}; run `scnet-images login` or set a fresh token").format(expiry=describe_expiry(left))


@contextmanager
def connected(args: argparse.Namespace | Any, *, say_demo: bool = True) -> Iterator[Any]:
    """A sync client to the server the flags (or settings already read from them) name — the
    embedded demo API when none (a demo region's address: that region of a running one) —,
    open for the block; what the connection learned (a renewed token) is said on stderr after it."""
    from ..connection import Connection, open_connection

    settings = settings_from(args) if isinstance(args, argparse.Namespace) else args
    if settings.demo and settings.base_url:  # a region of a demo API already running
        connection = Connection(settings, settings.base_url, settings.token)
    else:
        connection = open_connection(settings)
    if connection.demo and say_demo:
        demo_note()
    try:
        with connection.sync_client() as client:
            yield client
    finally:
        for notice in connection.notices:
            note(notice)
        connection.close()


def demo_note() -> None:
    """Say that the answer is the embedded demo's (once a day: see `_demo_note_due`)."""
    if _demo_note_due():
        from ..connection import DEMO_HINT  # only then: it brings httpx, which a cached answer needs not

        note(_(DEMO_HINT))


def _demo_note_due() -> bool:
    """Whether to say that this is demo data: once a day is plenty (a stamp in the cache folder)."""
    import time

    import platformdirs

    stamp = platformdirs.user_cache_path("scnet-images") / "demo-note-shown"
    try:
        if time.time() - stamp.stat().st_mtime < 24 * 3600:
            return False
    except OSError:
        pass
    try:
        stamp.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        stamp.touch()
    except OSError:  # a read-only home: say it every time rather than never
        pass
    return True
