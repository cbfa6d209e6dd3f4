"""How the shell's lookups get a catalog: the filter flags, and the catalog for them, from
this account's cache or the server (`list`, `path`, `where`, `run` share it)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from ..i18n import _, ngettext
from .connect import connected, demo_note, settings_from
from .output import note, warn

if TYPE_CHECKING:
    from ..api.models import Image


def add_filter_options(parser: Any, *, cache_flags: bool = True, default: Any = argparse.SUPPRESS) -> None:
    """The lookup flags. The top parser has them too (`default` None there, SUPPRESS on a
    command's), so `scnet-images --offline path …` works as `scnet-images path --offline …`."""
    parser.add_argument("-a", "--accelerator", default=default, help=_("server-side filter: dcu, gpu, cpu"))
    parser.add_argument("-t", "--image-type", default=default, help=_("server-side filter: Base, JupyterLab"))
    if not cache_flags:
        return
    fresh = parser.add_mutually_exclusive_group()
    fresh.add_argument("--refresh", action="store_true", default=default,
                       help=_("ask the server even if the cached catalog is recent"))
    fresh.add_argument("--offline", action="store_true", default=default,
                       help=_("answer from the cached catalog only, never the server"))


# Which commands take the lookup flags (given before the command, they are checked here).
FILTER_COMMANDS = ("list", "path", "where", "run")
CACHE_COMMANDS = ("list", "path", "where")


def misplaced_lookup_flag(args: argparse.Namespace) -> str | None:
    """Why the lookup flags given do not go with the command, or None when they do."""
    command = getattr(args, "command", None)
    if args.refresh and args.offline:  # argparse's words: the parser's error() translates them
        return "argument --offline: not allowed with argument --refresh"
    for flags, commands in ((("refresh", "offline"), CACHE_COMMANDS), (("accelerator", "image_type"), FILTER_COMMANDS)):
        given = [flag for flag in flags if getattr(args, flag)]
        if given and command not in commands:
            return _("--{flag} works with these commands only: {commands}").format(
                flag=given[0].replace("_", "-"), commands=", ".join(commands))
    return None


def images_for(args: argparse.Namespace) -> tuple[Image, ...]:
    """The catalog for the flags (see `catalog_for`) of the region they name."""
    return catalog_for(settings_from(args), args)


def catalog_for(settings: Any, args: argparse.Namespace, *, say_demo: bool = True,
                progress: bool = True) -> tuple[Image, ...]:
    """The catalog for the filter flags: from this account's cache while it is younger than
    `cache_ttl` (always with --offline, never with --refresh), else from the server, which
    refreshes the cache; when the server fails (not when it refuses the token) and a cache
    answers, from the cache with a warning."""
    import time

    from .. import cache
    from ..api.errors import ConfigError, NetworkError, ScnetError, TokenRefused

    try:
        key = cache.key_of(settings.base_url, settings.token, settings.demo, demo_region=settings.cluster_id)
    except OSError as exc:  # the folder or the key of the tokens' hashes is not safe to use: no cache
        note(cache.describe(exc))
        key = None

    def usable_cache() -> cache.Cached | None:
        if key is None:
            return None
        cached, problem = cache.load(key)
        if problem:
            note(problem)
        return cached if cached is not None and cached.answers(args.accelerator, args.image_type) else None

    # --refresh reads the cache only if the server cannot answer.
    usable = None if args.refresh else usable_cache()
    if usable is not None and (args.offline or usable.age() < settings.cache_ttl):
        if settings.demo and say_demo:
            demo_note()  # demo paths, even from the cache: said as when the demo API answers
        return usable.select(args.accelerator, args.image_type)
    if args.offline:
        raise NetworkError(_("Nothing cached answers these filters, and --offline never asks the server"),
                           _("run it once without --offline (the catalog is kept for next time)"))
    try:
        with connected(settings, say_demo=say_demo) as client:
            listed = fetch_images(client, args, progress=progress)
    except (ConfigError, TokenRefused):  # refused: no cache answers for a token the server did not take
        raise
    except ScnetError as error:
        usable = usable_cache() if args.refresh else usable
        if usable is None:
            raise
        # Translators: {age} is a time ago, e.g. "12 min ago".
        warn(_("answering from the catalog cached {age}: {problem}").format(
            age=cache.describe_age(usable.age()), problem=error.message))
        return usable.select(args.accelerator, args.image_type)
    if key is not None and not (listed.missing or listed.cut_short):  # keep only a whole catalog
        from ..connection import Connection  # only now: an answer from the cache needs no httpx

        where = Connection(settings, settings.base_url, settings.token).short_label
        try:
            cache.save(key, cache.Cached(listed.images, time.time(), (args.accelerator or "", args.image_type or ""),
                                         where))
        except OSError as exc:
            note(_("the catalog could not be cached ({problem})").format(problem=cache.describe(exc)))
    return listed.images


def fetch_images(client: Any, args: argparse.Namespace, *, progress: bool = True) -> Any:
    """The image list for the filter flags (an ImageList), with what is worth knowing about it
    said on stderr (and, with `progress`, how far it is, on a terminal)."""
    from ..api.images import list_warnings

    shown = _progress_on_stderr() if progress and sys.stderr.isatty() else None
    try:
        result = client.list_images(args.accelerator, args.image_type, progress=shown)
    finally:
        if shown is not None:
            sys.stderr.write("\r\x1b[K")
    for warning in list_warnings(result):
        warn(warning[:1].lower() + warning[1:])
    return result


def _progress_on_stderr() -> Any:
    def show(received: int, expected: int | None) -> None:
        if expected:
            said = ngettext("received {received:,} of {expected:,} image…", "received {received:,} of {expected:,} images…",
                            expected).format(received=received, expected=expected)
        else:
            said = ngettext("received {received:,} image…", "received {received:,} images…", received).format(
                received=received)
        sys.stderr.write(f"\rscnet-images: {said}\x1b[K")
        sys.stderr.flush()

    return show
