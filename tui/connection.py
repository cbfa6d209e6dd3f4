"""From settings to a server to talk to: the configured region, or the embedded demo API.

Shared by the browser and the shell commands, so both connect the same way.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .api.client import ScnetClient, ScnetSyncClient
from .config import Settings


class Connection:
    """A resolved connection. In demo mode it owns the running demo server."""

    def __init__(self, settings: Settings, base_url: str, token: str, demo_server: object | None = None) -> None:
        self.settings = settings
        self.base_url = base_url
        self.token = token
        self.demo_server = demo_server

    def __repr__(self) -> str:
        return f"Connection(host={self.host!r}, token=****, demo={self.demo})"

    @property
    def demo(self) -> bool:
        return self.settings.demo

    @property
    def host(self) -> str:
        """host[:port] of the configured base URL, never any user:password@ it may carry."""
        return urlsplit(self.settings.base_url or self.base_url).netloc.rpartition("@")[2]

    @property
    def label(self) -> str:
        """Where the data comes from, for people: `profile kunshan · host` or `DEMO`."""
        if self.demo:
            return "DEMO"
        name = f"profile {self.settings.profile} · " if self.settings.profile else ""
        return f"{name}{self.host}"

    def client(self) -> ScnetClient:
        """The async client, for the browser."""
        return ScnetClient(self.base_url, self.token, self.settings.options)

    def sync_client(self) -> ScnetSyncClient:
        """The same client without asyncio, for the shell commands."""
        return ScnetSyncClient(self.base_url, self.token, self.settings.options)

    def close(self) -> None:
        if self.demo_server is not None:
            self.demo_server.stop()  # type: ignore[attr-defined]
            self.demo_server = None


def open_connection(settings: Settings, *, demo_images: list[dict] | None = None) -> Connection:
    """Start the demo API when the settings say demo; otherwise just wrap the settings."""
    if not settings.demo:
        return Connection(settings, settings.base_url, settings.token)
    from .demo.server import DemoServer

    # A fresh random token each run: the demo exercises the same token path as a real region.
    server = DemoServer(demo_images, token=None).start()
    return Connection(settings, server.base_url, server.token, server)


DEMO_HINT = "demo data from the embedded API; to use your account set SCNET_BASE_URL and SCNET_TOKEN (see README)"
