"""The cached catalog: what is kept, how it is read back (or ignored), and the shell's use of it."""

from __future__ import annotations

import json
import os
import pickle
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import msgspec
import pytest

from tui import cache
from tui.api.models import Image, parse_image
from tui.api.typed import ImageVo, images_from_body
from tui.demo.catalog import synthetic_catalog
from tui.cli import main
from tui.demo.server import DemoServer

from .conftest import FakeClock

IMAGES = tuple(parse_image({"id": str(n), "name": f"img{n}", "tag": f"1.{n}", "path": f"r/img{n}:1.{n}",
                            "acceleratorType": "dcu" if n % 2 else "gpu", "type": "Base"}) for n in range(50))


def test_a_catalog_comes_back_as_it_was_kept() -> None:
    kept = cache.Cached(IMAGES, 1000.0, ("", ""), "华东一区【昆山】 · profile demo-11250")
    cache.save("k", kept)
    back, problem = cache.load("k")
    assert problem == "" and back == kept
    assert stat.S_IMODE((cache.folder() / "k.pickle").stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.folder().stat().st_mode) == 0o700
    assert cache.load_names("k")[:3] == ["img0", "img0:1.0", "img1"]
    assert [image.name for image in back.select("gpu", None)] == [f"img{n}" for n in range(0, 50, 2)]


def _typed_images(count: int) -> tuple[Image, ...]:
    listed = images_from_body(json.dumps({"code": "0", "data": synthetic_catalog(count)}).encode())
    assert listed is not None and isinstance(listed.images[0].raw, ImageVo)
    return listed.images


def test_a_typed_catalog_comes_back_with_its_raw_fields() -> None:
    images = _typed_images(cache._FRAME + 10)  # two frames, and the head
    cache.save("k", cache.Cached(images, 1000.0), head=images[:5])
    back, problem = cache.load("k")
    assert problem == "" and back is not None and back.images == images
    assert all(type(image.raw) is ImageVo for image in back.images)
    assert [dict(image.raw) for image in back.images] == [dict(image.raw) for image in images]
    head = cache.load_head("k")
    assert head is not None and head.images == images[:5]


def test_raw_fields_msgpack_cannot_hold_are_pickled() -> None:
    images = list(_typed_images(3))
    images[1] = images[1]._replace(raw=msgspec.structs.replace(images[1].raw, description=1 << 70))
    cache.save("k", cache.Cached(tuple(images), 1000.0))
    back, problem = cache.load("k")
    assert problem == "" and back is not None and back.images[1].raw["description"] == 1 << 70


@pytest.mark.parametrize("packed", [[{"name": 1}] * 3, [{"name": "a", "description": msgspec.msgpack.Ext(1, b"x")}] * 3],
                         ids=["not structs", "an extension"])
def test_packed_raw_fields_that_are_not_structs_are_ignored_with_a_note(packed: list[object]) -> None:
    columns = list(map(list, zip(*_typed_images(3))))
    columns[cache._RAW] = msgspec.msgpack.encode(packed)
    cache.save("k", cache.Cached(IMAGES, 1000.0))
    (cache.folder() / "k.pickle").write_bytes(_crafted({"count": 3}, tuple(columns)))
    back, problem = cache.load("k")
    assert back is None and "was ignored" in problem


@pytest.mark.parametrize("spoil", ["truncate", "garbage", "version", "not images", "empty"])
def test_a_spoiled_file_is_ignored_with_a_note(spoil: str) -> None:
    cache.save("k", cache.Cached(IMAGES, 1000.0))
    path = cache.folder() / "k.pickle"
    data = path.read_bytes()
    spoiled = {
        "truncate": data[: len(data) // 2],
        "garbage": b"\x00\xff" * 100,
        "version": cache._MAGIC + pickle.dumps({"version": 999, "count": 0, "saved_at": 0}),
        "not images": cache._MAGIC + pickle.dumps({"version": cache.CACHE_VERSION, "count": 1, "saved_at": 0,
                                                   "where": ""}) + pickle.dumps(("x",)),
        "empty": b"",
    }[spoil]
    path.write_bytes(spoiled)
    back, problem = cache.load("k")
    assert back is None and "was ignored" in problem


def _crafted(header: dict[str, object], columns: tuple[object, ...] | None = None) -> bytes:
    """A cache file written by hand: a valid layout holding values of the wrong kind."""
    frame = columns if columns is not None else tuple(map(list, zip(*IMAGES)))
    base = {"version": cache.CACHE_VERSION, "saved_at": 1000.0, "filters": ("", ""), "where": "x",
            "count": len(IMAGES), "head": 0}
    return cache._MAGIC + pickle.dumps({**base, **header}) + pickle.dumps(frame)


def _with_column(field: str, value: object) -> tuple[object, ...]:
    columns = list(map(list, zip(*IMAGES)))
    columns[IMAGES[0]._fields.index(field)][3] = value
    return tuple(columns)


@pytest.mark.parametrize("crafted", [
    _crafted({"saved_at": float("nan")}), _crafted({"saved_at": float("inf")}), _crafted({"saved_at": "1000"}),
    _crafted({"saved_at": time.time() + 86400}), _crafted({"count": "50"}), _crafted({"where": 7}),
    _crafted({"filters": ("", 3)}), _crafted({}, _with_column("name", 42)), _crafted({}, _with_column("path", None)),
    _crafted({}, _with_column("is_preset_image", "yes")), _crafted({}, _with_column("raw", [1])),
], ids=["nan", "inf", "text time", "future", "text count", "int where", "int filter", "int name", "no path",
        "text flag", "list raw"])
def test_crafted_values_are_ignored_with_a_note_everywhere(crafted: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    cache.save("demo", cache.Cached(IMAGES, 1000.0))
    (cache.folder() / "demo.pickle").write_bytes(crafted)
    back, problem = cache.load("demo")
    assert back is None and "was ignored" in problem
    assert cache.load_head("demo") is None
    assert all(entry.saved_at == 1000.0 and entry.where == "x" for entry in cache.entries())  # its header, when sound
    assert main(["cache", "info"]) == 0  # not a traceback
    assert main(["path", "--offline", "img3"]) == 4
    assert "was ignored" in capsys.readouterr().err


def test_names_of_an_older_version_are_not_offered() -> None:
    cache.save("k", cache.Cached(IMAGES, 1000.0))
    assert cache.load_names("k", "img1")
    (cache.folder() / "k.names").write_bytes(b"img1\nIMG2\nimg3\n")  # before the header line (sorted otherwise)
    assert cache.load_names("k", "img") == []


def test_a_file_someone_else_could_write_is_not_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    cache.save("k", cache.Cached(IMAGES, 1000.0))
    path = cache.folder() / "k.pickle"
    path.chmod(0o666)
    assert cache.load("k")[0] is None and "writable by others" in cache.load("k")[1]
    path.chmod(0o600)
    monkeypatch.setattr(os, "geteuid", lambda: path.stat().st_uid + 1)
    assert cache.load("k")[0] is None and "another user" in cache.load("k")[1]


def test_a_folder_someone_else_could_write_is_not_read(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    cache.save("k", cache.Cached(IMAGES, 1000.0), head=IMAGES[:3])
    cache.folder().chmod(0o775)
    back, problem = cache.load("k")
    assert back is None and "the cache folder" in problem and "writable by others" in problem
    assert cache.load_head("k") is None and cache.load_names("k", "img") == []
    with pytest.raises(cache.Refused):
        cache.save("k", cache.Cached(IMAGES, 2000.0))  # nothing is written where others may swap it
    assert main(["cache", "info"]) == 0 and "writable by others" in capsys.readouterr().err
    cache.folder().chmod(0o700)
    assert cache.load("k")[0] is not None and cache.load("k")[0].saved_at == 1000.0
    monkeypatch.setattr(os, "geteuid", lambda: cache.folder().stat().st_uid + 1)
    assert "the cache folder" in cache.load("k")[1] and "another user" in cache.load("k")[1]
    assert cache.load_names("k", "img") == []


def test_a_names_file_someone_else_could_write_is_not_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    cache.save("k", cache.Cached(IMAGES, 1000.0))
    names = cache.folder() / "k.names"
    names.chmod(0o666)
    assert cache.load_names("k", "img") == []
    names.chmod(0o600)
    assert cache.load_names("k", "img1")
    monkeypatch.setattr(os, "geteuid", lambda: names.stat().st_uid + 1)
    assert cache.load_names("k", "img1") == []


def _plant(kind: str, path: Path, like: Path) -> None:
    """A FIFO (which would hold a reader for ever), or a symlink to a file of ours elsewhere."""
    copy = path.parent.parent / f"elsewhere-{path.name}"
    copy.write_bytes(like.read_bytes())
    copy.chmod(0o600)
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path, 0o600)
    else:
        path.symlink_to(copy)


@pytest.mark.parametrize("kind", ["fifo", "symlink"])
def test_a_planted_fifo_or_symlink_is_not_read(kind: str, isolated_environment: Path) -> None:
    cache.save("demo", cache.Cached(IMAGES, time.time()))
    for suffix in (".pickle", ".names"):
        path = cache.folder() / f"demo{suffix}"
        _plant(kind, path, path)
    env = {**os.environ, "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"], "SCNET_CONFIG": str(isolated_environment)}
    done = subprocess.run([sys.executable, "-m", "tui", "list", "--offline"], env=env, capture_output=True, text=True,
                          timeout=30)  # a FIFO opened for reading waits for a writer for ever
    assert done.returncode == 4 and "is not a regular file" in done.stderr and done.stdout == ""
    assert _complete("scnet-images path img", {"XDG_CACHE_HOME": env["XDG_CACHE_HOME"],
                                                "SCNET_CONFIG": str(isolated_environment)}) == []
    assert cache.load_head("demo") is None and cache.entries() == []


@pytest.fixture
def region(monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoServer]:
    with DemoServer(clock=FakeClock()) as server:
        monkeypatch.setenv("SCNET_BASE_URL", server.base_url)
        monkeypatch.setenv("SCNET_TOKEN", server.token)
        yield server


def listed(server: DemoServer) -> int:
    return sum(1 for request in server.requests if request.path.endswith("/images"))


def test_path_answers_from_a_fresh_cache_and_keeps_no_token(region: DemoServer,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["path", "vllm", "0.9.2", "dtk25.04.2"]) == 0
    assert listed(region) == 1
    assert main(["path", "vllm", "0.9.2", "dtk25.04.2"]) == 0
    assert listed(region) == 1  # the second answer came from the cache
    assert main(["path", "--refresh", "jax:0.4.23-ubuntu20.04-dtk24.04-py310"]) == 0
    assert listed(region) == 2
    out = capsys.readouterr().out
    assert out.count("vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10") == 2
    for path in cache.folder().iterdir():
        assert region.token.encode() not in path.read_bytes()


def test_offline_and_a_failing_server(region: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--offline"]) == 4  # nothing cached yet
    assert "--offline" in capsys.readouterr().err
    assert main(["list", "--format", "paths"]) == 0
    capsys.readouterr()
    region.inject("status", "503")
    assert main(["list", "--refresh", "--format", "paths"]) == 0  # the server fails: the cache answers
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == len(region.images) and "answering from the catalog cached" in err
    assert len(err.strip().splitlines()) == 1
    assert main(["list", "--offline", "-a", "gpu", "--format", "paths"]) == 0  # filtered here, as the server would
    assert all("/gpu/" in line or "cuda" in line for line in capsys.readouterr().out.splitlines())


def test_an_old_cache_asks_the_server_again(region: DemoServer, isolated_environment: Path) -> None:
    isolated_environment.parent.mkdir(parents=True, exist_ok=True)
    isolated_environment.write_text("cache_ttl = 60\n")
    assert main(["list", "--format", "paths"]) == 0
    key = next(cache.folder().glob("*.pickle")).stem
    kept, _ = cache.load(key)
    cache.save(key, kept._replace(saved_at=time.time() - 120))  # two minutes old: past the minute
    assert main(["list", "--format", "paths"]) == 0
    assert listed(region) == 2


def test_cache_info_and_clear(region: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cache", "info"]) == 0
    assert "nothing is cached" in capsys.readouterr().err
    assert main(["list", "--format", "paths"]) == 0
    capsys.readouterr()
    assert main(["cache"]) == 0
    out = capsys.readouterr().out
    assert f"{len(region.images)}" in out and "just now" in out and region.token not in out
    assert main(["cache", "clear"]) == 0
    assert not list(cache.folder().glob("*.pickle"))


def _complete(line: str, env: dict[str, str]) -> list[str]:
    """What <TAB> offers at the end of `line`, the way the shell asks argcomplete."""
    out = Path(env["XDG_CACHE_HOME"]) / "completion.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, **env, "_ARGCOMPLETE": "1", "COMP_LINE": line, "COMP_POINT": str(len(line)),
                   "_ARGCOMPLETE_STDOUT_FILENAME": str(out)}
    done = subprocess.run([sys.executable, "-m", "tui"], env=environment, capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return [word.strip() for word in out.read_text().split("\v") if word.strip()]


def test_completion_offers_commands_flags_and_cached_names(region: DemoServer, isolated_environment: Path) -> None:
    env = {"XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"], "SCNET_CONFIG": str(isolated_environment),
           "SCNET_BASE_URL": region.base_url, "SCNET_TOKEN": region.token}
    assert "list" in _complete("scnet-images li", env) and "completion" in _complete("scnet-images comp", env)
    assert _complete("scnet-images path vl", env) == []  # nothing cached: nothing offered, nothing fetched
    assert main(["list", "--format", "paths"]) == 0
    offered = _complete("scnet-images path vllm:0.9", env)
    assert "vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10" in offered and all(o.startswith("vllm:0.9") for o in offered)
    assert _complete("scnet-images list --sort cr", env) == ["created"]
    assert _complete("scnet-images list -a g", env) == ["gpu"]
    assert listed(region) == 1  # completion never asked the server


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", shell]) == 0
    assert "scnet-images" in capsys.readouterr().out


def test_completion_names_are_found_by_prefix_ignoring_case() -> None:
    mixed = tuple(parse_image({"name": name, "tag": tag}) for name, tag in
                  [("PyTorch", "2.1"), ("pytorch", "2.4"), ("vllm", "0.9"), ("Paddle", "3.0"), ("pytorch-lite", "1")])
    cache.save("m", cache.Cached(mixed, 1000.0))
    assert cache.load_names("m", "pyt") == ["PyTorch", "pytorch", "pytorch-lite", "pytorch-lite:1",
                                             "PyTorch:2.1", "pytorch:2.4"]
    assert cache.load_names("m", "PYTORCH:2") == ["PyTorch:2.1", "pytorch:2.4"]
    assert cache.load_names("m", "x") == []
    assert len(cache.load_names("m")) == 10
    assert cache.load_names("nothing-cached", "p") == []


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.parametrize("cut", [False, True])
@pytest.mark.parametrize("candidates", [["pytorch:2.1", "pytorch:2.4"], ["a b:1", "a$(x):2"], ["vllm:0.9"], ["a:1", "a:\n2"]])
def test_completion_quoting_matches_argcomplete(
    shell: str, cut: bool, candidates: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path for plain candidates answers exactly what argcomplete's own quoting does."""
    import argcomplete

    from tui.commands.completion import _finder

    monkeypatch.setenv("_ARGCOMPLETE_SHELL", shell)
    wordbreak = candidates[0].index(":") if cut else None  # bash breaks words at the `:`
    ours, theirs = _finder(), argcomplete.CompletionFinder()
    for finder in (ours, theirs):
        finder.append_space = True
        finder._display_completions = {}
    assert ours.quote_completions(list(candidates), "", wordbreak) == theirs.quote_completions(
        list(candidates), "", wordbreak)


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_a_completion_starting_with_a_tilde_is_not_expanded(shell: str, monkeypatch: pytest.MonkeyPatch,
                                                            isolated_environment: Path) -> None:
    import argcomplete

    from tui.commands.completion import _finder

    monkeypatch.setenv("_ARGCOMPLETE_SHELL", shell)
    ours, theirs = _finder(), argcomplete.CompletionFinder()
    for finder in (ours, theirs):
        finder.append_space, finder._display_completions = True, {}
    for candidates in (["~root", "~root:1"], ["~root"]):  # argcomplete's quoting, and the tilde escaped
        assert ours.quote_completions(list(candidates), "", None) == [
            "\\" + word for word in theirs.quote_completions(list(candidates), "", None)]
    assert ours.quote_completions(["~root"], "", None) == ["\\~root "]
    assert ours.quote_completions(["~root", "~x"], "'", None) == ["~root", "~x"]  # quoted: nothing expands
    tilde = tuple(parse_image({"name": name, "tag": "1", "path": f"r/x{n}:1"})
                  for n, name in enumerate(["~root", "~rx"]))
    cache.save("demo", cache.Cached(tilde, time.time()))
    env = {"XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"], "SCNET_CONFIG": str(isolated_environment),
           "_ARGCOMPLETE_SHELL": shell}
    offered = _complete("scnet-images path ~r", env)
    # (zsh's answers carry a description after a colon)
    assert {word.split(":")[0] for word in offered} >= {"\\~root", "\\~rx"}
    assert not any(word.startswith("~") for word in offered)


def test_fish_escapes_a_tilde_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.commands.completion import _finder

    monkeypatch.setenv("_ARGCOMPLETE_SHELL", "fish")
    finder = _finder()
    finder.append_space, finder._display_completions = True, {}
    assert finder.quote_completions(["~root", "~x"], "", None) == ["~root", "~x"]
