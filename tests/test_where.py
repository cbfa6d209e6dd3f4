"""Every region at once from the shell: `where`, `list --all-regions`, `--region`, over HTTP
against the demo's four regions (overlapping catalogs, one with its own registry and images
of its own, one whose token lapsed), logged in as a user would, and with no account at all."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from tui.cli import main
from tui.demo.accounts import DEMO_ACCOUNTS
from tui.demo.server import DemoServer

VLLM = ("vllm", "0.9.2", "dtk25.04.2")
SGLANG = "harbor-cd.sourcefind.cn:5443/dcu/admin/base/sglang:0.4.9-ubuntu22.04-dtk25.04.2-py3.10"


@pytest.fixture
def logged_in(demo_server: DemoServer, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch,
              capsys: pytest.CaptureFixture[str]) -> DemoServer:
    monkeypatch.setattr(sys, "stdin", io.StringIO(DEMO_ACCOUNTS[0].password + "\n"))
    assert main(["login", "--user", "demo", "--org-id", "demo-org", "--password-stdin",
                 "--ac-url", demo_server.base_url, "--region", "11250"]) == 0
    capsys.readouterr()
    return demo_server


def where_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(["where", "--format", "json", *argv])
    out = capsys.readouterr().out
    return code, json.loads(out) if out else {}


def test_where_names_each_region_that_has_the_image_with_its_path_and_free_cards(
        logged_in: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, found = where_json(capsys, *VLLM)
    assert code == 0
    by_region = {match["regionId"]: match for match in found["matches"]}
    assert set(by_region) == {"11250", "20091", "30042"}  # 40017's token lapsed: said, not fatal
    assert by_region["30042"]["path"].startswith("harbor-cd.sourcefind.cn:5443/")  # its own registry
    assert by_region["11250"]["path"].startswith("image.sourcefind.cn:5000/")
    assert {match["version"] for match in found["matches"]} == {"vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10"}
    assert by_region["11250"]["free"]["groups"][0] == {"group": "dcu-k100-4", "free": 3}
    assert all(group["group"].startswith("dcu-") for match in found["matches"] for group in match["free"]["groups"])
    assert [failure["regionId"] for failure in found["failed"]] == ["40017"]
    assert "login" in found["failed"][0]["hint"] and found["free"]["source"].endswith("maxFreeNum")


def test_free_cards_follow_the_instances_that_start_and_stop(logged_in: DemoServer,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    def free_in_11250() -> int:
        _code, found = where_json(capsys, *VLLM)
        return next(match["free"]["cards"] for match in found["matches"] if match["regionId"] == "11250")

    before = free_in_11250()
    assert main(["run", "--yes", "--region", "11250", "--accelerators", "2", "--group", "dcu-k100-4", *VLLM]) == 0
    instance = capsys.readouterr().out.strip()
    assert free_in_11250() == before - 2
    assert main(["stop", "--yes", "--region", "11250", instance]) == 0
    capsys.readouterr()
    assert free_in_11250() == before


def test_an_image_one_region_alone_has(logged_in: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, found = where_json(capsys, "sglang")
    assert code == 0 and [(m["regionId"], m["path"]) for m in found["matches"]] == [("30042", SGLANG)]
    assert main(["where", "nosuch-image"]) == 1
    assert "no region has 'nosuch-image'" in capsys.readouterr().err


def test_where_text_is_one_line_a_region(logged_in: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["where", *VLLM]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "REGION", "PATH", "FREE", "CARDS"]
    assert [line.split()[0] for line in lines[1:]] == ["11250", "20091", "30042"]
    assert "(dcu-k100-4 3, dcu-z100-2 1)" in lines[1]
    assert "华北一区【雄安】 (40017)" in err and "scnet-images login" in err
    assert logged_in.token not in out + err


def test_offline_where_answers_from_the_caches_and_says_free_cards_are_unknown(
        logged_in: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["where", *VLLM]) == 0  # fills the caches
    capsys.readouterr()
    logged_in.stop()
    assert main(["--offline", "where", *VLLM]) == 0
    out = capsys.readouterr().out
    assert out.count("vllm:0.9.2") == 3 and all(line.endswith("?") for line in out.splitlines()[1:])


def test_list_all_regions_adds_the_region(logged_in: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--all-regions", "--format", "json", "--search", " ".join(VLLM)]) == 0
    items = json.loads(capsys.readouterr().out)
    assert [item["regionId"] for item in items] == ["11250", "20091", "30042"]
    assert {item["region"] for item in items} >= {"华东一区【昆山】", "西南一区【成都】"}
    assert main(["list", "--all-regions", "--format", "paths", "--search", " ".join(VLLM)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2  # each path once: two regions share one
    assert main(["list", "--all-regions", "--format", "table", "--search", "sglang"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[0] == "REGION" and lines[1].split()[0] == "30042"


def test_region_picks_a_profile_by_its_region(logged_in: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["path", "--region", "30042", *VLLM]) == 0
    assert capsys.readouterr().out.startswith("harbor-cd.sourcefind.cn:5443/")
    assert main(["path", "--region", "西南一区【成都】", *VLLM]) == 0  # by its name
    assert capsys.readouterr().out.startswith("harbor-cd.sourcefind.cn:5443/")
    assert main(["--region", "成都", "path", *VLLM]) == 0  # a part only it has, before the command
    capsys.readouterr()
    assert main(["path", "--region", "华", *VLLM]) == 64
    assert "could name several regions" in capsys.readouterr().err
    assert main(["path", "--region", "99999", *VLLM]) == 64
    assert "the regions are: 华东一区【昆山】 (11250)" in capsys.readouterr().err
    assert main(["run", "--dry-run", "--region", "30042", *VLLM]) == 0
    assert json.loads(capsys.readouterr().out)["imagePath"].startswith("harbor-cd.")


def test_with_no_account_the_demo_regions_answer(capsys: pytest.CaptureFixture[str]) -> None:
    code, found = where_json(capsys, *VLLM)
    assert code == 0 and {match["regionId"] for match in found["matches"]} == {"11250", "20091", "30042"}
    assert [failure["regionId"] for failure in found["failed"]] == ["40017"]
    assert main(["path", "--region", "30042", *VLLM]) == 0
    assert capsys.readouterr().out.startswith("harbor-cd.")


def test_region_completion_offers_ids_then_names(logged_in: DemoServer) -> None:
    from tui.commands.completion import _regions

    offered = _regions("")
    assert offered[:4] == ["11250", "20091", "30042", "40017"] and "西南一区【成都】" in offered
    assert _regions("3") == ["30042"]


def test_where_from_the_caches_reads_only_their_lookup_index(logged_in: DemoServer, capsys: pytest.CaptureFixture[str],
                                                             tmp_path: Path) -> None:
    assert main(["where", *VLLM]) == 0  # fills every region's cache, and its index
    online = capsys.readouterr().out
    folder = tmp_path / "cache" / "scnet-images" / "catalogs"
    for catalog in folder.glob("*.pickle"):
        catalog.write_bytes(b"not a catalog")  # were it read, nothing would be found
    logged_in.stop()
    assert main(["--offline", "where", *VLLM]) == 0
    offline = capsys.readouterr().out
    assert [line.split()[:3] for line in offline.splitlines()] == [line.split()[:3] for line in online.splitlines()]


@pytest.mark.parametrize("terms", [("vllm", "0.9.2"), ("pytorch", "dtk24.04"), ("JAX",), ("jax:0.4.99-dtk24.04",),
                                   ("renamed",), ("jupyterlab-pytorch:2.1.0",),
                                   ("harbor.sourcefind.cn:5443/dcu/admin/base/pytorch:2.7.1-ubuntu22.04-dtk26.04-py3.10",),
                                   ("nothing-like-it",)])
def test_the_lookup_index_finds_what_the_catalog_does(terms: tuple[str, ...], tmp_path: Path) -> None:
    from tui import cache
    from tui.api.models import parse_image
    from tui.catalog import find_path_match
    from tui.demo.catalog import demo_catalog

    odd = [  # upper case, and a name and tag that are not the path's end: the index's long lines
        {"name": "JAX", "tag": "0.4.99-DTK24.04", "version": "JAX:0.4.99-DTK24.04", "path": "R.example:5000/dcu/JAX:0.4.99-DTK24.04"},
        {"name": "pytorch", "tag": "9.9", "version": "pytorch:9.9", "path": "r.example/dcu/pytorch-renamed:9.9-dtk24.04"},
    ]
    images = tuple(parse_image(item) for item in [*odd, *demo_catalog()])
    cache.save("index-check", cache.Cached(images, 1234.5, ("", ""), "here"))
    saved_at, light = cache.load_where("index-check", terms)
    whole, indexed = find_path_match(images, terms), find_path_match(light, terms)
    assert saved_at == 1234.5 and whole.kind == indexed.kind
    assert [image.path for image in whole.candidates] == [image.path for image in indexed.candidates]
    assert [image.path for image in whole.images] == [image.path for image in indexed.images]
