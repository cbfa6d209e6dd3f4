"""Printed tables fit the terminal they are printed on (as gh and kubectl do), and stay
whole when they go to a pipe or a file."""

from __future__ import annotations

import io
import sys
from typing import Iterator

import pytest
from rich.cells import cell_len

from tui.cli import main
from tui.commands.output import aligned_lines
from tui.demo.server import DemoServer


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoServer]:
    with DemoServer() as demo:
        monkeypatch.setenv("SCNET_BASE_URL", demo.base_url)
        monkeypatch.setenv("SCNET_TOKEN", demo.token)
        yield demo


def printed(monkeypatch: pytest.MonkeyPatch, columns: int | None, *args: str) -> list[str]:
    out = Terminal() if columns else io.StringIO()
    monkeypatch.setenv("NO_COLOR", "1")
    if columns:
        monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setattr(sys, "stdout", out)
    assert main(list(args)) == 0
    return out.getvalue().splitlines()


@pytest.mark.parametrize("columns", [80, 120])
def test_list_fits_the_terminal_and_keeps_the_path_longest(server: DemoServer, monkeypatch: pytest.MonkeyPatch,
                                                            columns: int) -> None:
    lines = printed(monkeypatch, columns, "list", "--format", "table", "--search", "vllm 0.11")
    assert all(cell_len(line) <= columns for line in lines)
    header = lines[0].split()
    assert header[:2] == ["NAME", "TAG"] and header[-1] == "PATH"
    if columns == 80:
        assert "USER" not in header and "PRESET" not in header  # the browser's order of giving way
    else:  # room for the path whole once the least needed columns have left
        assert any(line.endswith("vllm:0.11.0-ubuntu22.04-dtk26.04-py3.11") for line in lines)


def test_a_pipe_gets_the_whole_table(server: DemoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    lines = printed(monkeypatch, None, "list", "--format", "table", "--search", "vllm 0.11")
    assert lines[0].split()[-2:] == ["USER", "PATH"] and "…" not in "".join(lines)
    assert max(cell_len(line) for line in lines) > 100


def test_ps_keeps_the_whole_id_and_the_status_at_80_columns(server: DemoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = printed(monkeypatch, 80, "ps")
    assert lines[0].split() == ["ID", "NAME", "STATUS", "RUN", "TIME"]
    ids = [line.split()[0] for line in lines[1:]]
    assert ids and all(len(id_) == 32 for id_ in ids) and all(cell_len(line) <= 80 for line in lines)


def test_ps_in_chinese_says_the_status_in_words(server: DemoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = printed(monkeypatch, 200, "--lang", "zh", "ps")
    assert lines[0].split()[:3] == ["ID", "名称", "状态"] and any("运行中" in line for line in lines[1:])
    assert all(cell_len(line) <= 200 for line in lines)


@pytest.mark.parametrize("width", range(20, 90, 7))
def test_no_header_is_cut_and_a_kept_column_stays_whole(width: int) -> None:
    headers = ("ID", "名称", "状态", "PATH")
    rows = [("0123456789abcdef", "jupyterlab-pytorch-demo", "运行中", "image.sourcefind.cn:5000/dcu/admin/base/x:1")]
    header, line = aligned_lines(headers, rows, fit=width, keep=("ID",), drop=("状态",))
    assert header.split()[0] == "ID" and header.split()[-1] == "PATH" and "…" not in header
    assert line.startswith("0123456789abcdef  ")
    fits = cell_len(line) <= width
    assert fits or width < 16 + 2 + 6 + 2 + 6  # the id and the floors of the rest do not fit: as close as may be


# --- the lookup flags, before the command as well as after ------------------------------


def test_lookup_flags_work_before_the_command(server: DemoServer, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["path", "vllm", "0.9.2", "dtk25.04.2"]) == 0  # fills the cache
    path = capsys.readouterr().out
    server.stop()  # from here on only the cache can answer
    assert main(["--offline", "path", "vllm", "0.9.2", "dtk25.04.2"]) == 0
    assert capsys.readouterr().out == path
    assert main(["--offline", "-a", "cpu", "list", "--format", "paths"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed and all("/gpu/" in line or "/cpu/" in line or "cpu" in line for line in listed)


@pytest.mark.parametrize("argv, says", [
    (["--offline", "ps"], "--offline works with these commands only: list, path, where"),
    (["-t", "Base", "doctor"], "--image-type works with these commands only: list, path, where, run"),
    (["--offline", "list", "--refresh"], "not allowed with argument --refresh"),
])
def test_a_lookup_flag_the_command_has_no_use_for_is_a_usage_error(argv: list[str], says: str,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 64 and says in capsys.readouterr().err


def test_rows_a_narrow_terminal_cuts_still_tell_their_images_apart(server: DemoServer,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """At 80 columns the path cannot be whole: it is cut in the middle, keeping its name:tag."""
    lines = printed(monkeypatch, 80, "list", "--search", "vllm 0.9.2")
    rows = lines[1:]
    assert len(rows) >= 3 and len(set(rows)) == len(rows)
    assert all(cell_len(line) <= 80 for line in lines)
    assert all(row.endswith(("py3.10", "py3.11", "latest")) for row in rows)  # the tag's end is shown


def test_where_cuts_the_free_cards_before_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = printed(monkeypatch, 80, "where", "vllm", "0.9.2", "dtk25.04.2")
    assert all(cell_len(line) <= 80 for line in lines)
    assert all("dtk25.04.2-py3.10" in line for line in lines[1:])
