"""From settings to a server to talk to: the configured region, or the embedded demo API.

Shared by the browser and the shell commands, so both connect the same way. The
connection is also where what a client learns is kept: a renewed token (written
back to the profile it came from) and which image-list call the region serves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from .api.addresses import host_of
from .api.errors import ScnetError
from .api.options import Account, SharedToken
from .config import Settings
from .i18n import N_, _

if TYPE_CHECKING:  # httpx is imported with the first client: a start from the cache needs none
    import threading

    from .api.drivers import ScnetClient, ScnetSyncClient
    from .demo.server import DemoServer


# The token of each account in this process, by (profile, address, the token as configured). A
# region switch or the every-region view makes connections from the settings again: a token
# from the environment or a token_command (no renewal can rewrite those) would be renewed
# again without this.
_SHARED_TOKENS: dict[tuple[str, str, str], SharedToken] = {}


def shared_token(profile: str, base_url: str, token: str) -> SharedToken:
    """The one SharedToken of this profile, address and configured token in this process."""
    if not token:
        return SharedToken(token)
    # dict.setdefault is atomic under the GIL: two threads asking at once get the same one.
    return _SHARED_TOKENS.setdefault((profile, base_url, token), SharedToken(token))


def forget_tokens() -> None:
    """Forget every account's token (as a process that starts over would: tests do)."""
    _SHARED_TOKENS.clear()


class Connection:
    """A resolved connection. In demo mode it owns the running demo server.

    `notices` collects what the user should hear about that is not an error (a token
    renewed for this session only, a config file that could not be updated).
    """

    def __init__(self, settings: Settings, base_url: str, token: str, demo_server: DemoServer | None = None) -> None:
        self.settings = settings
        self.base_url = base_url
        # One token per account in this process: every client made here, and every connection
        # made for the same profile, address and token, reads it (a renewal by the loading thread
        # is what the instances view, or the region view switched to, sends next).
        self.shared_token = shared_token(settings.profile, base_url, token)
        self.demo_server = demo_server
        self.known_api = settings.known_api
        self.known_instance_list = settings.known_instance_list
        self.notices: list[str] = []

    def __repr__(self) -> str:
        return f"Connection(host={self.host!r}, token=****, demo={self.demo})"

    @property
    def token(self) -> str:
        """The account's token as it stands (renewed or not)."""
        return self.shared_token.value

    @property
    def demo(self) -> bool:
        return self.settings.demo

    @property
    def host(self) -> str:
        """host[:port] of the configured base URL, never any user:password@ it may carry."""
        return host_of(self.settings.base_url or self.base_url)

    @property
    def label(self) -> str:
        """Where the data comes from, for people: `华东一区【昆山】 · profile alice-11250 · host` or `DEMO`."""
        # Translators: the badge of the embedded demo API, where the region's name would be.
        return _("DEMO") if self.demo else " · ".join([*self._names(), self.host])

    @property
    def short_label(self) -> str:
        """The region and profile (the host when there is neither), for sentences."""
        return _("the demo API") if self.demo else " · ".join(self._names()) or self.host

    def _names(self) -> list[str]:
        region, profile = self.settings.region, self.settings.profile
        return [name for name in (region, _("profile {name}").format(name=profile) if profile else "") if name]

    def account(self) -> Account:
        return Account(
            ac_url=self.settings.ac_url,
            cluster_id=self.settings.cluster_id,
            image_api=self.settings.image_api,
            known_api=self.known_api,
            on_token_renewed=self._token_renewed,
            on_api_detected=self._api_detected,
            known_instance_list=self.known_instance_list,
            on_instance_list_detected=self._instance_list_detected,
            shared_token=self.shared_token,
        )

    def client(self) -> ScnetClient:
        """The async client, for the browser."""
        from .api.drivers import ScnetClient

        return ScnetClient(self.base_url, self.token, self.settings.options, self.account())

    def sync_client(self, sleep: Callable[[float], None] | None = None,
                    abandon: threading.Event | None = None) -> ScnetSyncClient:
        """The same client without asyncio, for the shell commands (and the browser's loading
        thread, whose `sleep` between retries ends early when the app closes, and whose call in
        flight is given up when `abandon` is set)."""
        from .api.drivers import ScnetSyncClient

        return ScnetSyncClient(self.base_url, self.token, self.settings.options, self.account(),
                               abandon=abandon, **({"sleep": sleep} if sleep is not None else {}))

    def _token_renewed(self, token: str) -> None:
        if not self.settings.stores_token:
            self.notices.append(_renewed_for_session(self.settings.token_from))
            return
        if self._store(token=token):
            self.notices.append(_("The token had expired; renewed it and stored the new one in profile {profile}").format(
                profile=self.settings.profile))

    def _api_detected(self, api: str) -> None:
        self.known_api = api
        if self.settings.profile and self.settings.config_file is not None:
            self._store(detected_image_api=api)

    def _instance_list_detected(self, path: str) -> None:
        self.known_instance_list = path
        if self.settings.profile and self.settings.config_file is not None:
            self._store(detected_instance_list=path)

    def _store(self, **values: str) -> bool:
        from .profiles import update_profile

        assert self.settings.config_file is not None
        try:
            update_profile(self.settings.config_file, self.settings.profile, **values)
        except ScnetError as error:
            self.notices.append(_("Could not update profile {profile}: {problem}").format(
                profile=self.settings.profile, problem=error.message))
            return False
        return True

    def close(self) -> None:
        if self.demo_server is not None:
            self.demo_server.stop()
            self.demo_server = None


def _renewed_for_session(token_from: str) -> str:
    """The notice of a token renewed that cannot be stored, by where the token came from."""
    if token_from == "environment":
        return _("The token had expired and was renewed for this session only (it came from the environment); "
                 "run `scnet-images login` to store one")
    if token_from == "token_command":
        return _("The token had expired and was renewed for this session only (it came from the token_command); "
                 "run `scnet-images login` to store one")
    if token_from == "profile":
        return _("The token had expired and was renewed for this session only (it came from the profile); "
                 "run `scnet-images login` to store one")
    return _("The token had expired and was renewed for this session only (it came from the command line); "
             "run `scnet-images login` to store one")


# The name a choice of the embedded demo API goes by (profile names cannot start with a colon).
DEMO_PROFILE = ":demo"


def connection_for_profile(name: str) -> Connection:
    """A connection to the stored profile `name` as the file holds it (DEMO_PROFILE: the demo).

    The variables that override a profile (SCNET_BASE_URL, SCNET_TOKEN, ...) do not apply:
    the user chose this profile by name. Raises ConfigError for a profile that cannot be used.
    """
    import os

    from .config import (
        ENV_BASE_URL,
        ENV_IMAGE_API,
        ENV_PROFILE,
        ENV_TOKEN,
        load_settings,
    )

    if name == DEMO_PROFILE:
        return open_connection(Settings(base_url="", token="", demo=True))
    overrides = (ENV_BASE_URL, ENV_TOKEN, ENV_PROFILE, ENV_IMAGE_API)
    env = {key: value for key, value in os.environ.items() if key not in overrides}
    return open_connection(load_settings(profile=name, env=env))


def open_connection(settings: Settings, *, demo_images: list[dict] | None = None) -> Connection:
    """Start the demo API when the settings say demo; otherwise just wrap the settings."""
    if not settings.demo:
        return Connection(settings, settings.base_url, settings.token)
    from .demo.server import DemoServer

    # A fresh random token each run: the demo exercises the same token path as a real region.
    server = DemoServer(demo_images, token=None).start()
    return Connection(settings, server.base_url, server.token, server)


# Shown as _(DEMO_HINT) (the language is chosen after import).
DEMO_HINT = N_(
    "demo data from the embedded API; to use your account run `scnet-images login` "
    "(or set SCNET_BASE_URL and SCNET_TOKEN; see README)"
)
