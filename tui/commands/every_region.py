"""Every region's catalog at once, for `where` and `list --all-regions`.

The regions (`regions.every_region`: the stored profiles, else the demo's) are asked a few at
a time, each from its cache first as `path` asks one (`catalogs.catalog_for`); a region that
fails is said on stderr and never stops the others. With `capacity`, the free cards of each
region's groups where the platform says (`api/capacity.py`), asked at the same time.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, NamedTuple, Sequence

from ..i18n import _
from .connect import demo_note, settings_from
from .output import warn

if TYPE_CHECKING:
    from ..api.capacity import Capacity
    from ..api.errors import ScnetError
    from ..api.models import Image
    from ..regions import RegionRef


class RegionCatalog(NamedTuple):
    """One region's answer: its images, or why there are none."""

    region: RegionRef
    images: tuple[Image, ...] = ()
    error: ScnetError | None = None


def gather(args: argparse.Namespace, *, capacity: bool = False,
           terms: Sequence[str] = ()) -> tuple[list[RegionCatalog], Capacity | None]:
    """Every region's catalog for the filter flags (in the regions' order), a few regions in
    flight at once; with `capacity`, the free cards too (None when unknown). With `terms`, a
    region whose cache answers gives only the images that hold every term (read from its
    lookup index, not the whole catalog): what `where` needs."""
    from ..regions import IN_FLIGHT, every_region

    regions = every_region(settings_from(args))
    if any(region.settings.demo for region in regions):
        demo_note()
    # The regions a lookup index answers, at once (a few milliseconds each: no thread pays off).
    indexed = {region.key: _indexed(region, args, terms) for region in regions}
    asking = [region for region in regions if indexed[region.key] is None]
    free = None
    if asking or (capacity and not args.offline):
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix="region") as pool:
            free = pool.submit(_capacity, regions) if capacity and not args.offline else None
            for answer in pool.map(lambda region: _catalog(region, args), asking):
                indexed[answer.region.key] = answer
    answers = [indexed[region.key] for region in regions]
    for answer in answers:
        if answer.error is not None:
            warn(_("{region}: {problem}").format(region=answer.region.label, problem=_said(answer.error)))
    return answers, free.result() if free is not None else None  # type: ignore[return-value]


def _catalog(region: RegionRef, args: argparse.Namespace) -> RegionCatalog:
    from ..api.errors import ScnetError
    from .catalogs import catalog_for
    from .output import hide

    hide(region.settings.token)
    try:
        return RegionCatalog(region, tuple(catalog_for(region.settings, args, say_demo=False, progress=False)))
    except ScnetError as error:
        error.redacted((region.settings.token,))
        return RegionCatalog(region, error=error)


def _indexed(region: RegionRef, args: argparse.Namespace, terms: Sequence[str]) -> RegionCatalog | None:
    """The region's images that hold every term, from its cache's lookup index, when the cache
    answers (younger than `cache_ttl`, or --offline) and no filter flag asks the server."""
    import time

    from .. import cache

    if not terms or args.refresh or args.accelerator or args.image_type:
        return None
    settings = region.settings
    try:
        key = cache.key_of(settings.base_url, settings.token, settings.demo, create=False,
                           demo_region=settings.cluster_id)
    except OSError:
        return None
    found = cache.load_where(key, terms)
    if found is None or not (args.offline or time.time() - found[0] < settings.cache_ttl):
        return None
    return RegionCatalog(region, tuple(found[1]))


def _capacity(regions: Sequence[RegionRef]) -> Capacity | None:
    """The free cards of every region, from the first region's platform host that answers; None
    (said on stderr) when none does: nothing is invented."""
    from ..api.capacity import read_capacity
    from ..api.drivers import ScnetSyncClient
    from ..api.errors import ScnetError

    hosts = [region for region in regions if region.settings.ac_url]
    if not hosts:
        return None
    first = hosts[0].settings
    try:
        with ScnetSyncClient(first.ac_url, first.token, first.options) as client:
            return read_capacity(client, first.ac_url, [region.cluster_id for region in regions])
    except ScnetError as error:
        error.redacted((first.token,))
        warn(_("free cards unknown: {problem}").format(problem=error.message))
        return None


def _said(error: ScnetError) -> str:
    return f"{error.message} — {error.hint}" if error.hint else error.message


def answered_nothing(answers: Sequence[RegionCatalog]) -> int | None:
    """When no region answered: the first failure's exit code (else None)."""
    if answers and all(answer.error is not None for answer in answers):
        return answers[0].error.exit_code  # type: ignore[union-attr]
    return None
