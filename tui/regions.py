"""Every region at once: which regions there are, and a region named by its id or name.

The regions are the stored profiles (`login` stores one per region); with none, the demo
API's regions (a demo server serves each under `/r/<clusterId>`, and hands out their tokens
here, as its login would). Each is a `RegionRef`: the region's id and name, the profile
that reaches it, and the settings to connect with. Nothing here imports Textual or httpx.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, NamedTuple, Sequence

from .api.errors import ConfigError, ScnetError
from .config import Settings
from .i18n import N_, _

if TYPE_CHECKING:
    from .connection import Connection

# How many regions are asked at once (each a catalog of up to 100,000 images).
IN_FLIGHT = 3


class RegionRef(NamedTuple):
    """A region to ask: `key` tells regions apart (the profile's name, or the demo region's id)."""

    key: str
    cluster_id: str
    name: str  # the region's name, else the profile's
    profile: str  # "" for a demo region
    settings: Settings

    @property
    def label(self) -> str:
        """`华东一区【昆山】 (11250)`, or the profile's name when it names no region."""
        return _("{region} ({cluster})").format(region=self.name, cluster=self.cluster_id) if self.cluster_id else self.name


def stored_regions(settings_env: dict[str, str] | None = None) -> list[RegionRef]:
    """Every stored profile, as a region (its token and address as the file holds them: the
    variables that override one profile do not apply). Raises ConfigError for a config file
    that cannot be read; a profile that cannot be used is left out (`unusable` says why)."""
    return _stored(settings_env)[0]


def unusable_profiles(settings_env: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """The stored profiles left out of `stored_regions`, each with why."""
    return _stored(settings_env)[1]


def _stored(settings_env: dict[str, str] | None) -> tuple[list[RegionRef], list[tuple[str, str]]]:
    from .config import ENV_BASE_URL, ENV_IMAGE_API, ENV_PROFILE, ENV_TOKEN, config_path, load_settings
    from .profiles import read_profiles

    overrides = (ENV_BASE_URL, ENV_TOKEN, ENV_PROFILE, ENV_IMAGE_API)
    env = {key: value for key, value in (os.environ if settings_env is None else settings_env).items()
           if key not in overrides}
    regions, unusable = [], []
    for profile in read_profiles(config_path(env)):
        try:
            settings = load_settings(profile=profile.name, env=env)
        except ConfigError as error:
            unusable.append((profile.name, str(error)))
            continue
        if settings.demo:  # logged out: nothing to ask
            unusable.append((profile.name, _("logged out")))
            continue
        regions.append(RegionRef(profile.name, settings.cluster_id, settings.region or profile.name, profile.name,
                                 settings))
    return regions, unusable


def every_region(current: Settings, demo_server: Any = None) -> list[RegionRef]:
    """The regions "every region" means: the stored profiles; with none, the demo API's regions
    when `current` (the settings in use) is the demo (of `demo_server`, else one started for
    this process), else the one region `current` names (an address and token from the
    environment)."""
    stored = stored_regions()
    if stored:
        return stored
    if current.demo:
        return demo_regions(demo_server or _process_demo_server())
    from .api.addresses import host_of

    return [RegionRef("", current.cluster_id, current.region or host_of(current.base_url), current.profile, current)]


_DEMO_SERVER: list[Any] = []


def _process_demo_server() -> Any:
    """One demo API for this process's regions (a shell command asks them all, then ends)."""
    if not _DEMO_SERVER:
        from .demo.server import DemoServer

        _DEMO_SERVER.append(DemoServer(token=None).start())
    return _DEMO_SERVER[0]


def demo_regions(server: Any) -> list[RegionRef]:
    """The demo API's regions, each with a token of the demo account (as its login hands out)."""
    from .demo.accounts import DEMO_ACCOUNTS, DEMO_REGIONS, RENEWAL_WINDOW_SECONDS

    regions = []
    for region in DEMO_REGIONS:
        # The region whose token lapsed: its token says so (two days ago, past renewal).
        expires_in = -2 * RENEWAL_WINDOW_SECONDS if region.expired else None
        token = server.issuer.issue(DEMO_ACCOUNTS[0], region.cluster_id, expires_in=expires_in)
        settings = Settings(base_url=server.base_url + region.prefix, token=token, demo=True,
                            region=region.name, cluster_id=region.cluster_id, ac_url=server.base_url)
        regions.append(RegionRef(f":demo-{region.cluster_id}", region.cluster_id, region.name, "", settings))
    return regions


def region_connection(ref: RegionRef) -> Connection:
    """A connection to the region (a demo region's shares the demo server: closing it leaves
    the server running)."""
    from .connection import Connection

    return Connection(ref.settings, ref.settings.base_url, ref.settings.token)


class RegionNotFound(ScnetError):
    """`--region` names no region, or several: a usage mistake (exit 64)."""

    kind = N_("usage error")
    exit_code = 64


def find_region(regions: Sequence[RegionRef], wanted: str) -> RegionRef:
    """The region `wanted` names: its id, its name, its profile's name, or a part of its name
    that only one has. Raises RegionNotFound naming the regions there are."""
    key = wanted.strip().lower()
    exact = [ref for ref in regions if key in (ref.cluster_id.lower(), ref.name.lower(), ref.profile.lower())]
    if len(exact) == 1:
        return exact[0]
    partial = exact or [ref for ref in regions if key and key in ref.name.lower()]
    if len(partial) == 1:
        return partial[0]
    known = ", ".join(ref.label for ref in regions) or _("none (run `scnet-images login`)")
    if partial:
        raise RegionNotFound(_("--region {wanted} could name several regions: {regions}").format(
            wanted=repr(wanted), regions=", ".join(ref.label for ref in partial)), _("give the region's id"))
    raise RegionNotFound(_("no region {wanted}; the regions are: {known}").format(wanted=repr(wanted), known=known),
                      _("give a region's id or name, as `scnet-images profiles` lists them"))
