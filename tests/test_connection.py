"""From settings to a server: the configured region, or the embedded demo API."""

from __future__ import annotations

import httpx

from tui.config import Settings
from tui.connection import Connection, open_connection


def test_label_names_profile_and_host_but_never_credentials() -> None:
    settings = Settings(base_url="https://me:secret@ai01.example.com:65011/ai", token="t0ken", profile="kunshan")
    connection = open_connection(settings)
    assert connection.label == "profile kunshan · ai01.example.com:65011"
    assert "secret" not in connection.label
    assert "t0ken" not in repr(connection) and "secret" not in repr(connection)
    assert "secret" not in repr(connection.sync_client())


def test_demo_connection_starts_and_stops_the_demo_api() -> None:
    connection = open_connection(Settings(base_url="", token="", demo=True))
    try:
        assert connection.demo and connection.label == "DEMO"
        with connection.sync_client() as client:
            assert len(client.list_images().images) >= 250
    finally:
        connection.close()
    try:
        httpx.get(connection.base_url, timeout=1)
        reachable = True
    except httpx.HTTPError:
        reachable = False
    assert not reachable


def test_a_given_connection_is_used_as_it_is() -> None:
    settings = Settings(base_url="http://127.0.0.1:9", token="t0ken")
    connection = Connection(settings, settings.base_url, settings.token)
    assert connection.host == "127.0.0.1:9" and not connection.demo


def test_connections_made_again_for_an_account_share_its_renewed_token() -> None:
    """A region switch makes connections from the settings again: a token no renewal can write
    back (the environment's, a token_command's) is renewed once per process, not per connection."""
    from tui.demo.accounts import DEMO_ACCOUNTS
    from tui.demo.server import DemoServer

    from .conftest import FAST

    with DemoServer() as server:
        expired = server.issuer.issue(DEMO_ACCOUNTS[0], "11250", expires_in=-60)
        settings = Settings(base_url=server.base_url + "/r/11250", token=expired, profile="tc", token_from="token_command",
                            ac_url=server.base_url, cluster_id="11250", options=FAST)
        first = open_connection(settings)
        with first.sync_client() as client:
            assert len(client.list_images().images) == 265
        again = open_connection(settings)  # as the region picker makes it
        with again.sync_client() as client:
            assert len(client.list_images().images) == 265
        assert again.token == first.token != expired
        assert sum(1 for request in server.requests if request.path.endswith("/tokens/next")) == 1
