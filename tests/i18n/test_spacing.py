"""The Chinese reads as the SCNet console writes it: a space between Chinese and Latin words or
numbers, none between two Chinese characters. Checked over every translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tui import i18n

CATALOG = Path(__file__).parents[2] / "tui" / "locale" / "zh_CN" / "LC_MESSAGES" / "scnet-images.po"
CJK = r"[\u3400-\u9fff]"
# Placeholders whose value is itself Chinese words in the Chinese interface (a sentence, a
# field's name, a time like "5 分钟"), so they sit next to Chinese with no space; any other
# placeholder is a name, a number or a path, and is spaced like a Latin word.
CHINESE_VALUES = {"what", "message", "problem", "summary", "reason", "said", "warning", "hint", "cause", "field",
                  "age", "account", "label", "scope", "where", "expiry", "time", "time_left", "status", "kind_text",
                  "accelerator", "image_type", "question", "context", "found", "current", "target"}


def translations() -> list[str]:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    found = []
    for message in catalog:
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            found += [text for text in strings if text]
    return found


def problems(text: str) -> list[str]:
    said = []
    for match in re.finditer(CJK + r"(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])" + CJK, text):
        said.append(f"no space between Chinese and Latin at {text[max(0, match.start() - 6):match.end() + 6]!r}")
    for match in re.finditer(CJK + r" +" + CJK, text):
        said.append(f"a space inside Chinese at {text[max(0, match.start() - 6):match.end() + 6]!r}")
    for match in re.finditer(CJK + r"\{(\w+)[^}]*\}|\{(\w+)[^}]*\}(?=" + CJK + ")", text):
        if (match.group(1) or match.group(2)) not in CHINESE_VALUES:
            said.append(f"no space around a placeholder at {text[max(0, match.start() - 6):match.end() + 6]!r}")
    return said


def test_every_translation_is_spaced_as_the_console_writes_it() -> None:
    found = {text: problems(text) for text in translations()}
    wrong = {text: said for text, said in found.items() if said}
    assert not wrong, "\n".join(f"{text!r}: {'; '.join(said)}" for text, said in wrong.items())


@pytest.mark.parametrize(("text", "expected"), [("使用English", 1), ("使用 English", 0), ("中文 内容", 1),
                                                ("共 3 个", 0), ("共3个", 2), ("已选{count}个", 1)])
def test_the_check_catches_what_it_should(text: str, expected: int) -> None:
    assert len(problems(text)) == expected


def test_a_value_meeting_chinese_words_is_spaced_where_it_is_latin() -> None:
    i18n.set_language("zh_CN")
    try:
        template = i18n._("Send this request to {region}? It starts {name}, which counts against your quota "
                          "until it is stopped.")
        assert i18n.fill(template, region="演示 API", name="x").startswith("向演示 API 发送此请求？")
        assert i18n.fill(template, region="ai01.example.com", name="x").startswith("向 ai01.example.com 发送")
        assert i18n.fill(template, region="华东一区【昆山】", name="x").startswith("向华东一区【昆山】发送")
    finally:
        i18n.set_language("en")
