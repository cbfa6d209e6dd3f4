"""Search terms, filtering, sorting and the best-match rules, without a terminal."""

from __future__ import annotations

import pytest

from tui.api.models import Image, parse_image
from tui.catalog import (
    ImageView,
    SearchIndex,
    filter_images,
    find_path_match,
    let_go,
    narrows,
    parse_terms,
    sort_images,
)


def make(path: str, **fields: object) -> Image:
    image = parse_image({"path": path, **fields})
    assert image is not None
    return image


IMAGES = [
    make("r:5000/dcu/admin/base/pytorch:2.1.0-ubuntu20.04-dtk24.04-py3.10", createTime="2024-05-01 10:00:00", user="admin"),
    make("r:5000/dcu/admin/base/pytorch:2.1.0-ubuntu20.04-dtk24.04.1-py3.10", createTime="2024-09-01 10:00:00", user="admin"),
    make("r:5000/dcu/admin/base/jupyterlab-pytorch:2.1.0-ubuntu20.04-dtk24.04-py3.10", createTime="2023-01-01 10:00:00", user="bob"),
    make("r:5000/dcu/admin/base/vllm:0.9.2-ubuntu22.04-dtk25.04.2-py3.10", createTime="2025-06-01 10:00:00", user="Alice"),
]


def test_terms_are_lowercased_and_split() -> None:
    assert parse_terms("  PyTorch   DTK24.04 ") == ("pytorch", "dtk24.04")


def test_all_terms_must_match_case_insensitively() -> None:
    assert len(filter_images(IMAGES, "PYTORCH 2.1.0")) == 3
    assert len(filter_images(IMAGES, "pytorch dtk24.04.1")) == 1
    assert filter_images(IMAGES, "pytorch vllm") == []
    assert filter_images(IMAGES, "") == IMAGES


def test_search_covers_path_but_not_user() -> None:
    assert len(filter_images(IMAGES, "r:5000/dcu")) == 4
    assert filter_images(IMAGES, "alice") == []


def test_filtering_keeps_the_order() -> None:
    ordered = sort_images(IMAGES, "created", descending=True)
    assert filter_images(ordered, "pytorch") == [i for i in ordered if "pytorch" in i.name]


@pytest.mark.parametrize("field", ["name", "tag", "accelerator", "type", "access", "preset", "created", "user", "version", "path"])
def test_every_column_sorts_both_ways(field: str) -> None:
    up = sort_images(IMAGES, field)
    down = sort_images(IMAGES, field, descending=True)
    assert sorted(map(id, up)) == sorted(map(id, IMAGES))
    assert len(down) == len(IMAGES)


def test_sort_by_created_and_user() -> None:
    assert [i.tag[:5] for i in sort_images(IMAGES, "created", True)][0] == "0.9.2"
    assert [i.user for i in sort_images(IMAGES, "user")] == ["admin", "admin", "Alice", "bob"]


def test_unknown_sort_field() -> None:
    with pytest.raises(ValueError):
        sort_images(IMAGES, "colour")


def test_exact_version_wins() -> None:
    match = find_path_match(IMAGES, ["pytorch:2.1.0-ubuntu20.04-dtk24.04-py3.10"])
    assert match.kind == "exact"
    assert match.images[0].tag == "2.1.0-ubuntu20.04-dtk24.04-py3.10"


def test_exact_path_wins() -> None:
    match = find_path_match(IMAGES, [IMAGES[3].path])
    assert match.kind == "exact" and match.images == (IMAGES[3],)


def test_whole_word_terms_rank_higher() -> None:
    match = find_path_match(IMAGES, ["pytorch", "dtk24.04"])
    assert match.kind == "unique"
    assert match.images[0] is IMAGES[0]
    assert len(match.candidates) == 3


def test_equally_good_matches_are_ambiguous() -> None:
    match = find_path_match(IMAGES, ["2.1.0"])
    assert match.kind == "ambiguous" and len(match.images) == 3


def test_no_match() -> None:
    assert find_path_match(IMAGES, ["tensorflow"]).kind == "none"
    assert find_path_match(IMAGES, []).kind == "none"


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (("py",), ("pyt",), True),
        (("py",), ("py", "dtk"), True),
        (("pytorch", "dtk"), ("dtk24", "pytorch"), True),
        (("pyt",), ("py",), False),
        (("py",), ("vllm",), False),
        ((), ("py",), False),
        (("py",), (), False),
    ],
)
def test_narrows(old: tuple[str, ...], new: tuple[str, ...], expected: bool) -> None:
    assert narrows(old, new) is expected


def test_search_index_agrees_with_filter_images() -> None:
    ordered = sort_images(IMAGES, "created", descending=True)
    index = SearchIndex(ordered)
    for query in ["", "pytorch", "PYTORCH dtk24.04", "2.1.0 ubuntu20.04", "nothing", "r:5000/dcu"]:
        terms = parse_terms(query)
        view = ImageView(index, index.search(terms))
        assert list(view) == filter_images(ordered, terms)
    wide = index.search(("py",))
    assert index.search(("pytorch", "dtk24.04"), within=wide) == index.search(("pytorch", "dtk24.04"))


def test_image_view_positions_by_identity() -> None:
    index = SearchIndex(IMAGES)
    view = ImageView(index, index.search(("pytorch",)))
    assert len(view) == 3 and view[0] is IMAGES[0] and view[-1] is IMAGES[2]
    assert view[1:] == [IMAGES[1], IMAGES[2]]
    assert view.position(IMAGES[1]) == 1
    assert view.position(IMAGES[3]) is None
    assert ImageView(index, None).position(IMAGES[3]) == 3
    twin = IMAGES[0]._replace()  # equal, but another object
    assert index.position(twin) is None


def test_empty_search_index() -> None:
    index = SearchIndex([])
    assert index.search(("x",)) == [] and len(ImageView(index, None)) == 0


def test_search_text_never_spans_lines() -> None:
    image = make("r/evil:1", name="a\nb", tag="1")
    assert "\n" not in image.haystack


def test_a_replaced_catalog_is_let_go_of_in_place() -> None:
    images = [parse_image({"name": f"n{i}", "tag": "1", "path": f"r/n{i}:1"}) for i in range(4500)]
    kept = images[10]
    let_go(images)
    assert images == [] and kept.name == "n10"  # emptied in place; what is held elsewhere stays
