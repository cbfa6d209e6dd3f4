"""The shell commands as a user runs them: subprocesses against the demo API."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tui.api.models import DOCUMENTED_FIELDS
from tui.demo.server import DemoServer


def run(*args: str, server: DemoServer | None = None, token: str | None = None, env: dict | None = None,
        timeout: float = 30) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SCNET_") or k == "SCNET_CONFIG"}
    if server is not None:
        environment["SCNET_BASE_URL"] = server.base_url
        environment["SCNET_TOKEN"] = token or server.token
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True,
                          env=environment, timeout=timeout, check=False)


def test_list_paths_is_the_default_off_a_terminal(demo_server: DemoServer) -> None:
    done = run("list", server=demo_server)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(demo_server.images)
    assert lines[0] == demo_server.images[0]["path"]
    assert done.stderr == ""  # a configured connection: no demo note


def test_list_table(demo_server: DemoServer) -> None:
    done = run("list", "--format", "table", "--accelerator", "cpu", server=demo_server)
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["NAME", "TAG", "ACCEL", "TYPE", "ACCESS", "PRESET", "CREATED", "USER", "PATH"]
    assert "\x1b" not in done.stdout  # no colour when stdout is not a terminal
    assert len(lines) == 1 + 13
    assert all(line.split()[-2] == "admin" and line.split()[2] in {"cpu", "gpu,cpu"} for line in lines[1:])
    assert all(line.split()[-1].startswith("10.0.35.26:5000/") for line in lines[1:])


def test_list_json_uses_the_documented_names(demo_server: DemoServer) -> None:
    done = run("list", "-f", "json", "-a", "dcu", "-t", "JupyterLab", server=demo_server)
    items = json.loads(done.stdout)
    assert items and all(item["acceleratorType"] == "dcu" and item["type"] == "JupyterLab" for item in items)
    assert set(DOCUMENTED_FIELDS) <= set(items[0])
    assert json.loads(demo_server.requests[-1].body) == {"acceleratorType": "dcu", "imageType": "JupyterLab"}


def test_list_csv_has_a_header(demo_server: DemoServer) -> None:
    rows = list(csv.reader(io.StringIO(run("list", "-f", "csv", "-s", "vllm", server=demo_server).stdout)))
    assert rows[0] == list(DOCUMENTED_FIELDS)
    assert len(rows) > 2 and all("vllm" in row[rows[0].index("path")] for row in rows[1:])


def test_list_search_and_sort(demo_server: DemoServer) -> None:
    for sort in (["--sort=-created"], ["--sort", "created", "--desc"]):
        done = run("list", "-f", "json", "--search", "PyTorch dtk24.04", *sort, server=demo_server)
        items = json.loads(done.stdout)
        assert items and all("pytorch" in item["path"] and "dtk24.04" in item["path"] for item in items)
        times = [item["createTime"] for item in items]
        assert times == sorted(times, reverse=True)
    names = [item["name"] for item in json.loads(run("list", "-f", "json", "--sort", "name", server=demo_server).stdout)]
    assert names == sorted(names, key=str.lower)


def test_list_bad_sort_field_is_a_usage_error(demo_server: DemoServer) -> None:
    done = run("list", "--sort", "colour", server=demo_server)
    assert done.returncode == 64 and "colour" in done.stderr


def test_path_unique_match(demo_server: DemoServer) -> None:
    done = run("path", "pytorch", "2.1.0", "ubuntu20.04", "dtk24.04", server=demo_server)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "image.sourcefind.cn:5000/dcu/admin/base/pytorch:2.1.0-ubuntu20.04-dtk24.04-py3.10\n"


def test_path_exact_version_wins(demo_server: DemoServer) -> None:
    done = run("path", "vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10", server=demo_server)
    assert done.stdout == "image.sourcefind.cn:5000/dcu/admin/base/vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10\n"


def test_path_ambiguous_lists_candidates(demo_server: DemoServer) -> None:
    done = run("path", "pytorch", "dtk24.04", server=demo_server)
    assert done.returncode == 2
    assert done.stdout == ""
    candidates = [line.strip() for line in done.stderr.splitlines()[1:]]
    assert len(candidates) >= 2 and all("pytorch:" in c and "-dtk24.04-" in c for c in candidates)


def test_path_all(demo_server: DemoServer) -> None:
    done = run("path", "--all", "jax", "dtk24.04", server=demo_server)
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) >= 2


def test_path_no_match(demo_server: DemoServer) -> None:
    done = run("path", "no-such-framework", server=demo_server)
    assert done.returncode == 1
    assert "no image matches" in done.stderr and done.stdout == ""


def test_path_with_a_control_character_is_refused(demo_server: DemoServer) -> None:
    demo_server.set_images([{"name": "evil", "tag": "1", "path": "r/evil:1\x1b]52;c;aGk=\x07"}])
    done = run("path", "evil", server=demo_server)
    assert done.returncode == 6 and "\x1b" not in done.stdout + done.stderr


def test_path_copy_without_any_clipboard_still_prints(demo_server: DemoServer) -> None:
    done = run("path", "--copy", "vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10", server=demo_server,
               env={"DISPLAY": "", "WAYLAND_DISPLAY": "", "PATH": "/nonexistent"})
    assert done.returncode == 0
    assert done.stdout.endswith("py3.10\n")
    assert "clipboard" in done.stderr


@pytest.mark.parametrize(
    "setup, code, words",
    [
        (lambda s: None, 3, "Token refused"),
        (lambda s: s.inject("code", "10001"), 5, "10001"),
        (lambda s: s.inject("status", "500"), 5, "HTTP 500"),
        (lambda s: s.inject("malformed", "html"), 6, "not JSON"),
    ],
)
def test_failures_exit_with_their_code(demo_server: DemoServer, setup, code: int, words: str) -> None:
    setup(demo_server)
    token = "wrong-token" if code == 3 else None
    done = run("path", "pytorch", server=demo_server, token=token)
    assert done.returncode == code
    assert words in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert "wrong-token" not in done.stderr


def test_network_failure_exit_code() -> None:
    with DemoServer() as server:
        url = server.base_url
    done = run("list", env={"SCNET_BASE_URL": url, "SCNET_TOKEN": "t0ken-value"})
    assert done.returncode == 4 and "refused the connection" in done.stderr


def test_config_error_exit_code() -> None:
    done = run("list", env={"SCNET_TOKEN": "t0ken-value"})
    assert done.returncode == 7 and "SCNET_BASE_URL" in done.stderr


def test_usage_error_exit_code() -> None:
    assert run("list", "--format", "yaml").returncode == 64
    assert run("path").returncode == 64


def test_demo_mode_says_so_on_stderr(isolated_environment: Path) -> None:
    done = run("path", "jax:0.4.23-ubuntu20.04-dtk24.04-py310")
    assert done.returncode == 0
    assert done.stdout == "image.sourcefind.cn:5000/dcu/admin/base/jax:0.4.23-ubuntu20.04-dtk24.04-py310\n"
    assert "demo data" in done.stderr
    again = run("path", "jax:0.4.23-ubuntu20.04-dtk24.04-py310")
    assert again.returncode == 0 and "demo data" not in again.stderr  # once a day is plenty


@pytest.mark.parametrize("command", [[], ["list"], ["path"], ["demo-server"], ["browse"], ["login"], ["profiles"], ["logout"]])
def test_help_everywhere(command: list[str]) -> None:
    done = run(*command, "--help")
    assert done.returncode == 0 and "usage: scnet-images" in done.stdout
    if command not in (["browse"], ["profiles"], ["logout"]):
        assert "examples:" in done.stdout
    if command in ([], ["list"], ["path"]):
        assert "exit codes:" in done.stdout


def test_lookups_do_not_import_textual(demo_server: DemoServer) -> None:
    program = (
        "import sys\n"
        "from tui.cli import main\n"
        "for argv in (['list', '-f', 'json'], ['path', 'vllm', '0.9.2', 'dtk25.04.2'], ['path', 'nothing']):\n"
        "    main(argv)\n"
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] in ('textual', 'rich'))\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
        "raise SystemExit(1 if loaded else 0)\n"
    )
    environment = dict(os.environ, SCNET_BASE_URL=demo_server.base_url, SCNET_TOKEN=demo_server.token)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=environment, timeout=30)
    assert "LOADED []" in done.stderr, done.stderr
    assert done.returncode == 0


def test_the_browser_module_does_not_import_httpx() -> None:
    """The browser imports httpx with its first client, on the loading thread: a start from the
    cached catalog paints its rows first."""
    program = ("import sys\nimport tui.app\n"
               "print('LOADED', sorted(name for name in sys.modules if name.split('.')[0] in ('httpx', 'httpcore')))\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=30)
    assert "LOADED []" in done.stdout, done.stdout + done.stderr


def test_standalone_demo_server_serves_the_pages_curl_example() -> None:
    process = subprocess.Popen([sys.executable, "-m", "tui", "demo-server", "--token", "abc123", "--images", "500"],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        base_url = first.split()[4]
        assert "(500 images)" in first
        response = httpx.request("GET", base_url + "/ai/openapi/v2/instance-service/images",
                                 headers={"token": "abc123", "Content-Type": "application/json"},
                                 content=b'{"acceleratorType": "dcu", "imageType": "Base"}')
        answer = response.json()
        assert answer["code"] == "0" and answer["data"]
        assert all(item["acceleratorType"] == "dcu" for item in answer["data"])
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_broken_pipe_is_quiet(demo_server: DemoServer) -> None:
    environment = dict(os.environ, SCNET_BASE_URL=demo_server.base_url, SCNET_TOKEN=demo_server.token)
    done = subprocess.run(f"{sys.executable} -m tui list -f json | head -c 10", shell=True, capture_output=True,
                          text=True, env=environment, timeout=30)
    assert done.stdout == "[\n  {\n    \"a"[:10]
    assert "Traceback" not in done.stderr


def test_list_on_a_terminal_is_a_table_with_a_bold_header(demo_server: DemoServer) -> None:
    import pty

    primary, secondary = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment.update(SCNET_BASE_URL=demo_server.base_url, SCNET_TOKEN=demo_server.token)
    process = subprocess.Popen([sys.executable, "-m", "tui", "list", "-a", "cpu"], stdout=secondary,
                               stderr=subprocess.PIPE, env=environment)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    assert process.wait(timeout=30) == 0
    output = b"".join(chunks).decode()
    assert output.startswith("\x1b[1mNAME")
    assert "jupyter" in output and "4.4-py3.7-cpu" in output


def test_paging_progress_goes_to_a_terminals_stderr_only(demo_server: DemoServer) -> None:
    import pty

    primary, secondary = pty.openpty()
    environment = dict(os.environ, SCNET_BASE_URL=demo_server.base_url, SCNET_TOKEN=demo_server.token)
    process = subprocess.Popen([sys.executable, "-m", "tui", "list", "--image-api", "post", "-f", "paths"],
                               stdout=subprocess.PIPE, stderr=secondary, env=environment)
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    assert process.stdout is not None
    paths = process.stdout.read().decode().splitlines()
    assert process.wait(timeout=30) == 0
    assert len(paths) == 265 and all("received" not in line for line in paths)
    assert b"received 265 of 265 images" in shown
    assert shown.rstrip(b"\n").endswith(b"\r\x1b[K")  # the progress line is wiped at the end


def test_the_browser_closed_while_a_launch_waited_says_so_on_the_shell(monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from tui.app import ScnetImagesApp
    from tui.cli import main

    monkeypatch.setattr(ScnetImagesApp, "run", lambda self: ["the launch of vllm-1202-1200"])
    assert main(["browse"]) == 8
    err = capsys.readouterr().err
    assert "The launch of vllm-1202-1200 was waiting" in err and "scnet-images ps" in err
