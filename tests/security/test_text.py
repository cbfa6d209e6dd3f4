"""Text that reaches a terminal, a clipboard, a file or a shell: each class of hostile input."""

from __future__ import annotations

import csv
import io
import json
import shlex
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.demo.catalog import demo_catalog, synthetic_catalog
from tui.image_ref import reference_problem
from tui.safe_text import csv_cell, excerpt, has_control_chars, json_safe, printable, redact
from tui.shell_text import command_line, docker_pull

INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def test_every_control_format_and_separator_character_is_escaped() -> None:
    missed = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in INVISIBLE_CATEGORIES and not has_control_chars(chr(code))
    ]
    assert missed == []


@pytest.mark.parametrize(
    "char", ["\u200b", "\u200d", "\u200e", "\u200f", "\u202e", "\u2066", "\ufeff", "\u00ad", "\U000e0041",
             "\u115f", "\u3164", "\ufe0f", "\x1b", "\x9b", "\x07"],
)
def test_invisible_characters_become_visible_escapes(char: str) -> None:
    shown = printable(f"a{char}b")
    assert shown.startswith("a\\") and shown.endswith("b") and not has_control_chars(shown)


def test_ordinary_text_is_left_alone() -> None:
    for text in ("华东一区【昆山】", "pytorch:2.1.0-ubuntu20.04-dtk24.04-py3.10", "Ünïcödé ✓", "a\u0301"):
        assert printable(text) == text


@given(st.recursive(st.text() | st.integers() | st.booleans() | st.none(),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3)))
def test_json_safe_is_the_same_json_and_prints_nothing_raw(value: object) -> None:
    text = json_safe(json.dumps(value, ensure_ascii=False, indent=2))
    assert json.loads(text) == value
    assert all(not has_control_chars(line) for line in text.split("\n"))


@pytest.mark.parametrize("cell", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://e\")"])
def test_csv_cells_are_never_formulas(cell: str) -> None:
    out = io.StringIO()
    csv.writer(out).writerow([csv_cell(cell)])
    (read,) = csv.reader(io.StringIO(out.getvalue()))
    assert read[0].startswith("'") and not has_control_chars(read[0])


def test_redact_masks_known_secrets_and_echoed_pairs() -> None:
    said = 'bad token=eyJhbGc.def.ghi, password: hunter2 {"secretKey":"sk-1"} for alice'
    shown = redact(said + " the-real-token", ("the-real-token",))
    for secret in ("eyJhbGc", "hunter2", "sk-1", "the-real-token"):
        assert secret not in shown
    assert "alice" in shown and "****" in shown


@pytest.mark.parametrize("said, secret", [
    ("http://h/lab?jupyter_token=jt-123&x=1", "jt-123"),  # a prefixed key
    ("http://h/login?next=%2Flab%3Ftoken%3Denc-456", "enc-456"),  # a URL inside a URL, encoded
    ("x-auth-token: hdr-789", "hdr-789"),
])
def test_redact_masks_prefixed_and_encoded_pairs(said: str, secret: str) -> None:
    assert secret not in redact(said)


@pytest.mark.parametrize("said", ["Token refused, code 10008", "3 tokens left", "?tokenId=42"])
def test_redact_leaves_words_that_carry_no_credential(said: str) -> None:
    assert redact(said) == said


# --- image references ------------------------------------------------------------------------


def test_every_demo_path_is_a_valid_reference() -> None:
    for item in demo_catalog() + synthetic_catalog(500):
        assert reference_problem(item["path"]) is None, item["path"]


@pytest.mark.parametrize(
    "path, words",
    [
        ("-v/etc:/x", "starts with '-'"),
        ("reg:5000/a/$(touch pwned):1", "shell"),
        ("reg:5000/a/b:1;rm -rf ~", "shell"),
        ("reg:5000/a/`id`:1", "shell"),
        ("reg:5000/a/*:1", "shell"),
        ("reg:5000/a/b c:1", "shell"),
        ("reg:5000/a/b:1\nrm", "line break"),
        ("reg:5000/a/b\u200b:1", "invisible"),
        ("reg:5000/a/b\u202e:1", "invisible"),
        ("reg:5000/a/b\ufeff:1", "invisible"),
        ("reg:5000/a/b\u00ad:1", "invisible"),
        ("reg:5000/a/b\U000e0041:1", "invisible"),
        ("reg:5000/A/Big:1", "upper-case"),
        ("reg:5000/a/b:" + "t" * 200, "form"),
        ("", "empty"),
        ("reg:5000/a/bé:1", "ASCII"),
    ],
)
def test_what_is_not_an_image_reference_is_named(path: str, words: str) -> None:
    problem = reference_problem(path)
    assert problem is not None and words in problem


@given(st.text(max_size=40))
def test_a_reference_never_needs_quoting(text: str) -> None:
    # Whatever passes the grammar is one shell word as it is: no quoting, no expansion.
    if reference_problem(text) is None:
        assert shlex.quote(text) == text and not text.startswith("-")


# --- command lines ---------------------------------------------------------------------------------


@given(st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=4))
def test_a_command_line_reads_back_as_the_same_words(words: list[str]) -> None:
    line = command_line(*words)
    if any(has_control_chars(word) for word in words):
        assert line.text == "" and "no quoting" in line.problem
    else:
        assert shlex.split(line.text) == words


def test_docker_pull_of_a_valid_path() -> None:
    path = "image.sourcefind.cn:5000/dcu/admin/base/vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10"
    assert docker_pull(path).text == f"docker pull {path}"


@pytest.mark.parametrize("path", ["r/$(id):1", "-rm", "r/a:1;id", "r/a\n:1", "r/`id`:1"])
def test_docker_pull_refuses_what_is_not_a_reference(path: str) -> None:
    line = docker_pull(path)
    assert line.text == "" and "not a valid image reference" in line.problem


def test_a_path_cut_in_the_middle_keeps_its_name_and_tag() -> None:
    from tui.safe_text import fit_cells

    path = "harbor.sourcefind.cn:5443/dcu/admin/base/tensorflow:2.13.1-ubuntu22.04-dtk26.04-py3.11"
    assert fit_cells(path, 60, middle=True) == "harbor.source…/tensorflow:2.13.1-ubuntu22.04-dtk26.04-py3.11"
    narrow = fit_cells(path, 38, middle=True)  # not even the name:tag fits: cut in its own middle
    assert narrow.startswith("tensorflow:") and narrow.endswith("py3.11") and len(narrow) == 38
    # Exactly the name:tag's width (or one more): still marked as cut, never a bare name:tag.
    last = path.rpartition("/")[2]
    for width in (len(last), len(last) + 1):
        cut = fit_cells(path, width, middle=True)
        assert len(cut) == width and "…" in cut, cut


@pytest.mark.parametrize("hostile", ["_" * 50_000, "-" * 50_000, "a_" * 25_000])
def test_redact_reads_a_long_run_of_word_characters_in_one_pass(hostile: str) -> None:
    """A key is tried from where its word starts only: a quadratic pattern took minutes here (a
    hostile error body of 64 KiB is redacted before it is cut)."""
    assert redact(hostile + " token=abc") == hostile + " token=****"


def test_a_gateway_page_is_quoted_by_its_words_once() -> None:
    nginx = (b"<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway "
             b"Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
    assert excerpt(nginx) == "504 Gateway Time-out nginx"
    # Words said twice apart, or in plain text, are kept as sent.
    assert excerpt(b"<p>retry</p><p>later</p><p>retry</p>") == "retry later retry"
    assert excerpt(b"error error") == "error error"
