"""The cached catalog answers only for the account that fetched it.

A cache file is keyed by the address and the account (a JWT's user and cluster, else a keyed
hash of the token), so another token on the same address is never answered from it; and no
cache answers after the server refused the token.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator, NamedTuple

import pytest
from textual.widgets import Static

from tui import cache
from tui.api.models import parse_image
from tui.app import ScnetImagesApp
from tui.cli import main
from tui.config import Settings
from tui.connection import Connection
from tui.demo.accounts import DEMO_ACCOUNTS
from tui.demo.server import DemoServer
from tui.widgets.image_table import ImageTable

from ..conftest import FAST
from ..test_cache import _complete, listed
from ..ui.scenarios import STANDARD, settle


class Accounts(NamedTuple):
    base_url: str
    mine: str  # a token the server takes
    other: str  # another account's token on the same address, which the server refuses


@pytest.fixture(params=["jwt", "opaque"])
def accounts(request: pytest.FixtureRequest) -> Iterator[tuple[DemoServer, Accounts]]:
    """Two tokens on one address: region tokens (JWTs naming their user and cluster) of the demo
    account and of a frozen one, or the root's opaque token and an unknown one."""
    with DemoServer() as server:
        if request.param == "jwt":
            demo, frozen = DEMO_ACCOUNTS
            yield server, Accounts(server.base_url + "/r/11250", server.issuer.issue(demo, "11250"),
                                   server.issuer.issue(frozen, "11250"))
        else:
            yield server, Accounts(server.base_url, server.token, "someone-elses-token")


def use(monkeypatch: pytest.MonkeyPatch, base_url: str, token: str) -> None:
    monkeypatch.setenv("SCNET_BASE_URL", base_url)
    monkeypatch.setenv("SCNET_TOKEN", token)


def test_another_token_on_the_same_address_is_never_answered_from_the_cache(
    accounts: tuple[DemoServer, Accounts], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server, tokens = accounts
    use(monkeypatch, tokens.base_url, tokens.mine)
    assert main(["list", "--format", "paths"]) == 0 and listed(server) == 1
    capsys.readouterr()
    use(monkeypatch, tokens.base_url, tokens.other)
    assert main(["list", "--format", "paths"]) == 3  # the server was asked, and refused
    assert listed(server) == 2 and capsys.readouterr().out == ""
    assert main(["list", "--refresh", "--format", "paths"]) == 3  # no fallback to the other account's
    out, err = capsys.readouterr()
    assert out == "" and "answering from the catalog cached" not in err
    assert main(["path", "--offline", "vllm"]) == 4  # nothing is cached for this account
    use(monkeypatch, tokens.base_url, tokens.mine)
    assert main(["path", "vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10"]) == 0
    assert listed(server) == 3  # the first account's cache still answers it


def test_no_cache_answers_after_the_server_refused_the_token(
    accounts: tuple[DemoServer, Accounts], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server, tokens = accounts
    use(monkeypatch, tokens.base_url, tokens.mine)
    assert main(["list", "--format", "paths"]) == 0
    capsys.readouterr()
    server.inject("code", "10008")  # insufficient permission: what an expired token gets
    assert main(["list", "--refresh", "--format", "paths"]) == 3
    out, err = capsys.readouterr()
    assert out == "" and "answering from the catalog cached" not in err and "10008" in err
    server.clear_faults()
    server.inject("status", "503")  # a failing server, not a refusal: the cache still stands in
    assert main(["list", "--refresh", "--format", "paths"]) == 0
    assert "answering from the catalog cached" in capsys.readouterr().err


def test_the_account_of_a_jwt_is_its_user_and_cluster() -> None:
    with DemoServer() as server:
        demo, frozen = DEMO_ACCOUNTS
        address = server.base_url + "/r/11250"
        first, renewed = server.issuer.issue(demo, "11250"), server.issuer.issue(demo, "11250", expires_in=7200)
        assert first != renewed
        assert cache.key_of(address, first, False) == cache.key_of(address, renewed, False)  # the same account
        assert cache.key_of(address, first, False) != cache.key_of(address, server.issuer.issue(frozen, "11250"), False)
        assert cache.key_of(address, first, False) != cache.key_of(address, server.issuer.issue(demo, "20091"), False)
        assert cache.key_of(address, first, False) != cache.key_of(server.base_url + "/r/20091", first, False)
    assert not cache.folder().exists()  # claims need no key of the tokens' hashes
    assert cache.key_of("https://x", "", True) == "demo"


def test_an_opaque_token_is_known_by_a_keyed_hash_only() -> None:
    address, token = "https://ai.example:65011", "opaque-token-of-sixteen"
    assert cache.key_of(address, token, False, create=False) is None  # no key yet: nothing can be cached
    assert not cache.folder().exists()
    key = cache.key_of(address, token, False)
    secret = cache.folder() / cache.SECRET_NAME
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600 and len(secret.read_bytes()) == 32
    assert cache.key_of(address, token, False, create=False) == key  # the same key, read back
    assert cache.key_of(address, token + "x", False) != key
    unkeyed = {hashlib.sha256(text.encode()).hexdigest()[:24] for text in (token, f"{address}|{token}",
                                                                            f"{address}|token {token}")}
    assert key not in unkeyed and token not in str(key)


def test_the_key_of_the_tokens_hashes_is_made_once_however_many_make_it() -> None:
    barrier = threading.Barrier(8)
    keys: list[str | None] = []

    def make() -> None:
        barrier.wait(10)
        keys.append(cache.key_of("https://ai.example", "opaque", False))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(keys) == 8 and len(set(keys)) == 1
    assert [name for name in os.listdir(cache.folder()) if name.endswith(".tmp")] == []


@pytest.mark.parametrize("spoil", ["readable", "fifo", "symlink"])
def test_a_key_of_the_tokens_hashes_not_ours_alone_is_not_used(
    spoil: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with DemoServer() as server:
        use(monkeypatch, server.base_url, server.token)
        cache.key_of(server.base_url, server.token, False)
        secret = cache.folder() / cache.SECRET_NAME
        if spoil == "readable":
            secret.chmod(0o640)
        else:
            elsewhere = tmp_path / "planted.key"
            elsewhere.write_bytes(secret.read_bytes())
            elsewhere.chmod(0o600)
            secret.unlink()
            if spoil == "fifo":
                os.mkfifo(secret, 0o600)
            else:
                secret.symlink_to(elsewhere)
        assert main(["list", "--format", "paths"]) == 0  # the server answers; nothing is cached
        assert "the cache key" in capsys.readouterr().err
        assert not [name for name in os.listdir(cache.folder()) if name.endswith(".pickle")]
        assert main(["cache", "clear"]) == 0  # makes way for a new key
        assert not os.path.lexists(secret)
        assert main(["list", "--format", "paths"]) == 0 and (cache.folder() / cache.SECRET_NAME).is_file()


def test_completion_offers_only_the_names_of_the_tokens_account(
    accounts: tuple[DemoServer, Accounts], monkeypatch: pytest.MonkeyPatch, isolated_environment: Path
) -> None:
    server, tokens = accounts
    env = {"XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"], "SCNET_CONFIG": str(isolated_environment),
           "SCNET_BASE_URL": tokens.base_url, "SCNET_TOKEN": tokens.other}
    assert _complete("scnet-images path vllm:0.9", env) == []
    assert not (cache.folder() / cache.SECRET_NAME).exists()  # a <TAB> makes no key
    use(monkeypatch, tokens.base_url, tokens.mine)
    assert main(["list", "--format", "paths"]) == 0
    assert _complete("scnet-images path vllm:0.9", env) == []  # another account: nothing of the first's
    offered = _complete("scnet-images path vllm:0.9", {**env, "SCNET_TOKEN": tokens.mine})
    assert "vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10" in offered
    assert "vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10" in _complete(
        f"scnet-images path --token {tokens.mine} vllm:0.9", {**env, "SCNET_TOKEN": ""})


def test_the_account_key_of_a_tab_imports_no_client_and_no_catalog() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoiYSIsImNsdXN0ZXJJZCI6IjExMjUwIn0.c2ln"
    program = (
        "import sys\n"
        "from tui.cache_names import key_of, load_names\n"
        f"load_names(key_of('https://ai.example', {jwt!r}, False, create=False), 'vl')\n"
        "load_names(key_of('https://ai.example', 'opaque', False, create=False), 'vl')\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('httpx', 'httpcore', 'msgspec', 'textual')"
        " or name in ('tui.cache', 'tui.catalog', 'tui.api.models', 'pickle')))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=30,
                          env=dict(os.environ))
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr


async def test_the_browser_never_shows_another_accounts_cache(server: DemoServer) -> None:
    def app_of(token: str) -> ScnetImagesApp:
        settings = Settings(base_url=server.base_url, token=token, options=FAST)
        return ScnetImagesApp(connection=Connection(settings, server.base_url, token))

    async with app_of(server.token).run_test(size=STANDARD) as pilot:
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()  # the catalog is written on a thread
    kept, _ = cache.load(str(cache.key_of(server.base_url, server.token, False)))
    assert kept is not None and len(kept.images) == len(server.images)
    app = app_of("someone-elses-token")
    async with app.run_test(size=STANDARD) as pilot:
        await settle(pilot)
        assert app.screen.query_one(ImageTable).row_count == 0
        assert "cached" not in str(app.screen.query_one("#counts", Static).render())
        assert app.screen.query_one("#error-banner", Static).display


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer() as demo:
        yield demo


def test_images_kept_for_one_account_are_read_back_for_it_only() -> None:
    images = (parse_image({"name": "private", "tag": "1", "path": "r/private:1"}),)
    mine = cache.key_of("https://ai.example", "token-a", False)
    cache.save(str(mine), cache.Cached(images, 1000.0))
    assert cache.load(str(mine))[0] is not None
    theirs = cache.key_of("https://ai.example", "token-b", False)
    assert theirs != mine and cache.load(str(theirs)) == (None, "") and cache.load_names(theirs) == []
