"""From settings to a server to talk to: the configured region, or the embedded demo API.

Shared by the browser and the shell commands, so both connect the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .api.client import ScnetClient
from .config import Settings


@dataclass
class Connection:
    """A resolved connection. In demo mode it owns the running demo server."""

    settings: Settings
    base_url: str
    token: str = field(repr=False)
    demo_server: object | None = None

    @property
    def demo(self) -> bool:
        return self.settings.demo

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    @property
    def label(self) -> str:
        """Where the data comes from, for people: `profile kunshan · host` or `DEMO`."""
        if self.demo:
            return "DEMO"
        name = f"profile {self.settings.profile} · " if self.settings.profile else ""
        return f"{name}{self.host}"

    def client(self) -> ScnetClient:
        return ScnetClient(self.base_url, self.token, self.settings.options)

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
