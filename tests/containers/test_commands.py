"""`run`, `ps`, `url`, `restart`, `stop`, `rm` as a script uses them, against the demo API."""

from __future__ import annotations

import json
from typing import Iterator

import pytest

from tui.cli import main
from tui.demo.server import DemoServer

from ..conftest import FakeClock

VLLM = ("vllm", "0.9.2", "dtk25.04.2")
PATH = "image.sourcefind.cn:5000/dcu/admin/base/vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoServer]:
    """A demo API whose instances run as soon as they are asked about, pointed at by the environment."""
    with DemoServer(clock=FakeClock(), deploy_seconds=0) as demo:
        monkeypatch.setenv("SCNET_BASE_URL", demo.base_url)
        monkeypatch.setenv("SCNET_TOKEN", demo.token)
        yield demo


def created(server: DemoServer) -> list[dict]:
    return [json.loads(r.body) for r in server.requests if r.method == "POST" and r.path.endswith("/task")]


def test_dry_run_prints_the_request_and_sends_nothing(server: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--dry-run", *VLLM]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["imagePath"] == PATH and body["version"] == PATH.rsplit("/", 1)[1]
    assert (body["resourceGroup"], body["cpuNumber"], body["gpuNumber"], body["ramSize"]) == ("dcu-k100-4", 1, 1, 4096)
    assert body["timeoutLimit"] == "01:00:00" and body["taskType"] == "ssh"
    assert created(server) == [] and server.token not in json.dumps(body)


def test_run_yes_works_as_written(server: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--yes", *VLLM]) == 0
    instance_id = capsys.readouterr().out.strip()
    assert len(instance_id) == 32 and len(created(server)) == 1
    assert main(["ps"]) == 0
    table = capsys.readouterr().out
    assert instance_id in table and "RESOURCES" in table.splitlines()[0] and "1c 1×dcu 4G" in table


def test_run_with_flags_and_wait_prints_the_url(server: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["run", "--yes", "--wait", "--type", "jupyter", "--cpus", "8", "--accelerators", "2", "--memory", "32G",
            "--group", "dcu-z100-2", "--time", "2:00:00", "--name", "my-notebook", *VLLM]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    instance_id, url = out.split()
    assert "/jupyter-forward/" in url and "Running" in err
    body = created(server)[0]
    assert (body["cpuNumber"], body["gpuNumber"], body["ramSize"], body["timeoutLimit"]) == (8, 2, 32768, "02:00:00")
    assert body["resourceGroup"] == "dcu-z100-2" and body["instanceServiceName"] == "my-notebook"


def test_wait_says_each_status_in_the_interfaces_language(server: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "zh", "run", "--yes", "--wait", *VLLM]) == 0
    err = capsys.readouterr().err
    assert "：运行中" in err and "Running" not in err
    assert main(["--lang", "zh", "run", "--yes", "--wait", "--name", "this-will-fail", *VLLM]) == 5
    assert "失败" in capsys.readouterr().err


def test_a_failing_instance_ends_wait_with_an_api_error(server: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--yes", "--wait", "--name", "this-will-fail", *VLLM]) == 5
    assert "is Failed" in capsys.readouterr().err


@pytest.mark.parametrize(
    "flags, words",
    [
        (["--cpus", "99"], "CPU cores: 99 is outside 1-32"),
        (["--accelerators", "9"], "accelerator cards: 9"),
        (["--memory", "1T"], "memory (MB)"),
        (["--group", "dcu-z100-2", "--time", "unlimited"], "at most 72:00:00"),
        (["--memory", "lots"], "give a size like 32G"),
        (["--time", "soon"], "HH:MM:SS"),
        (["--mount", "/etc:/mnt/etc"], "not under an allowed directory"),
    ],
)
def test_what_the_limits_refuse_is_a_usage_error(server: DemoServer, flags: list[str], words: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--yes", *flags, *VLLM]) == 64
    assert words in capsys.readouterr().err and created(server) == []


def test_the_image_is_found_exactly_like_path(server: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--yes", "pytorch", "dtk24.04"]) == 2
    assert main(["run", "--yes", "no-such-image"]) == 1
    assert created(server) == []


def test_without_yes_and_without_a_terminal_nothing_is_launched(server: DemoServer,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", *VLLM]) == 64
    assert "pass --yes" in capsys.readouterr().err and created(server) == []


def test_quota_refusal_names_the_code(server: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    for number in range(2):
        assert main(["run", "--yes", "--name", f"n{number}", *VLLM]) == 0
    assert main(["run", "--yes", "--name", "third", *VLLM]) == 5
    err = capsys.readouterr().err
    assert "716865" in err and "quota" in err


def test_ps_formats(server: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ps", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert {"id", "status", "imagePath", "version", "instanceServiceName"} <= set(records[0])
    assert main(["ps", "--format", "csv", "--status", "Running"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("id,instanceServiceName,status") and len(lines) == 2 and ",Running," in lines[1]


def test_url_and_the_actions(server: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--yes", *VLLM]) == 0
    instance_id = capsys.readouterr().out.strip()
    assert main(["url", instance_id]) == 0
    assert capsys.readouterr().out.startswith("ssh -p ")  # an ssh task: its ssh command, as `s` copies it
    before = len(server.requests)
    assert main(["rm", "--yes", instance_id]) == 1  # still running: said, and nothing sent
    assert "is Running: stop it first" in capsys.readouterr().err
    assert not [r for r in list(server.requests)[before:] if r.method == "DELETE"]
    assert main(["stop", instance_id]) == 64  # no terminal to ask on, no --yes
    assert main(["stop", "--yes", instance_id]) == 0
    assert capsys.readouterr().out.strip().endswith(f"Stopped {instance_id}")
    capsys.readouterr()
    before = len(server.requests)
    assert main(["url", instance_id]) == 1  # stopped: it has no URL, said without asking the platform for one
    assert "is Terminated: only a running instance has an access URL (`scnet-images restart" in capsys.readouterr().err
    assert not [r for r in list(server.requests)[before:] if r.path.endswith("/url")]
    assert main(["stop", "--yes", instance_id]) == 0  # stopped already: said, nothing sent, not a failure
    assert "has already stopped (Terminated); nothing was sent" in capsys.readouterr().err
    assert main(["restart", instance_id]) == 64  # it starts spending: asked, and --yes off a terminal
    assert main(["restart", "--yes", instance_id]) == 0 and main(["stop", "--yes", instance_id]) == 0
    capsys.readouterr()
    assert main(["rm", "--yes", instance_id, "0" * 32]) == 1  # an unknown one: nothing is done
    assert f"no instance with id '{'0' * 32}'" in capsys.readouterr().err
    assert main(["rm", "--yes", instance_id[:6]]) == 0  # a unique prefix of the id
    assert f"Deleted {instance_id}" in capsys.readouterr().out


def test_an_id_that_is_not_one(server: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["url", "../../etc/passwd"]) == 1
    assert "no instance with id '../../etc/passwd'" in capsys.readouterr().err


def test_an_instance_by_its_name_or_an_ambiguous_prefix(server: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stop", "--yes", "jupyterlab-pytorch-demo"]) == 0  # the seeded running one, by name
    assert "Stopped " in capsys.readouterr().out
    assert main(["run", "--yes", "--name", "twin", *VLLM]) == 0 and main(["run", "--yes", "--name", "twin", *VLLM]) == 0
    capsys.readouterr()
    assert main(["stop", "--yes", "twin"]) == 2  # two of that name: the candidates, and nothing done
    err = capsys.readouterr().err
    assert "could name several instances" in err and err.count("twin") >= 3
    candidates = [line for line in err.splitlines() if "twin" in line and "several" not in line]
    assert len({line.index("Running") for line in candidates}) == 1  # in columns, as ps prints them
    assert main(["stop", "--yes", ""]) == 64  # an empty prefix names nothing, never "all"


def test_ps_masks_access_url_credentials_unless_asked(server: DemoServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ps", "--format", "json"]) == 0
    masked = capsys.readouterr().out
    assert "jupyter-forward" in masked and "sothisai_" not in masked
    assert main(["ps", "--format", "csv"]) == 0 and "sothisai_" not in capsys.readouterr().out
    assert main(["ps", "--format", "json", "--show-secrets"]) == 0
    assert "token=sothisai_" in capsys.readouterr().out


def test_the_question_goes_to_the_terminal_and_no_is_nothing_done(server: DemoServer, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal("n\n"))
    assert main(["run", *VLLM]) == 0
    out, err = capsys.readouterr()
    assert out == ""  # `id=$(scnet-images run …)` captures no question
    assert "1 core, 1 DCU card" in err and "Launch it? [y/N]" in err and "Nothing was done." in err
    assert created(server) == []
    monkeypatch.setattr(sys, "stdin", Terminal("y\n"))
    assert main(["run", "--cpus", "2", "--accelerators", "2", *VLLM]) == 0
    out, err = capsys.readouterr()
    assert len(out.strip()) == 32 and "2 cores, 2 DCU cards" in err


def test_an_instance_list_that_never_ends_says_it_may_be_incomplete(monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from tests.hostile import HostileServer

    from tui.api import containers

    def endless(seen):  # type: ignore[no-untyped-def]
        # Every page the same full one (its ids repeat: the list stays short), and a total of 10^9.
        page = [{"id": f"{n:032x}", "instanceServiceName": f"i{n}", "status": "Running"} for n in range(100)]
        return 200, {}, json.dumps({"code": "0", "msg": "ok", "data": {"total": 10**9, "list": page}}).encode()

    monkeypatch.setattr(containers, "MAX_PAGES", 3)
    with HostileServer({"/ai/openapi/v2/instance-service/task": endless}) as hostile:
        monkeypatch.setenv("SCNET_BASE_URL", hostile.base_url)
        monkeypatch.setenv("SCNET_TOKEN", "t0ken-value")
        assert main(["ps"]) == 0
    err = capsys.readouterr().err
    assert "stopped after 3 pages" in err and "may be incomplete" in err
