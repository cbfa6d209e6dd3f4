"""Pure functions over images: search terms, filtering, sorting, best match.

The browser and the shell commands both use these, so a query finds the same
images everywhere. Nothing here does I/O.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Iterable, NamedTuple, Sequence

from .api.gc_pause import gc_paused
from .api.models import Image, ImageList, split_accelerators
from .columns import FIELD, SORT_FIELDS, column_widths, natural
from .i18n import _

def warm_sort_keys(images: Iterable[Image]) -> None:
    """Compute the natural keys of every tag ahead of time (on a thread, once a catalog is
    shown): the first sort by name or tag of 100,000 images then takes 0.1 s, not 0.5 s."""
    for image in images:
        natural(image.tag)


def let_go(images: list[Image]) -> None:
    """Free a replaced catalog a few thousand images at a time (on a thread, given the last
    reference to its images). Dropped at once, 100,000 images, their fields and raw structs
    are freed in one cascade of C that holds the interpreter for 200 ms."""
    while images:
        del images[-2000:]


_WORD_SPLIT = re.compile(r"[-:/_@]")


def parse_terms(query: str) -> tuple[str, ...]:
    """`"PyTorch  dtk24.04"` -> `("pytorch", "dtk24.04")`."""
    return tuple(query.lower().split())


def filter_images(images: Iterable[Image], query: str | Sequence[str]) -> list[Image]:
    """The images matching every search term, in their given order."""
    terms = parse_terms(query) if isinstance(query, str) else tuple(query)
    if not terms:
        return list(images)
    if len(terms) == 1:
        term = terms[0]
        return [image for image in images if term in image.haystack]
    return [image for image in images if all(term in image.haystack for term in terms)]


def sort_images(images: Iterable[Image], field: str, descending: bool = False) -> list[Image]:
    """A sorted copy. Ties keep their order; an unknown field is a ValueError."""
    try:
        key = FIELD[field].sort_key
    except KeyError:
        raise ValueError(_("cannot sort by {field}; one of {choices}").format(
            field=repr(field), choices=", ".join(SORT_FIELDS))) from None
    return sorted(images, key=key, reverse=descending)  # type: ignore[arg-type]


def narrows(old_terms: Sequence[str], new_terms: Sequence[str]) -> bool:
    """True when every image matching `new_terms` also matches `old_terms`.

    That holds when each old term is part of some new term (typing on extends a
    term; a new term adds a condition), so the new search can start from the old
    results instead of the whole catalog.
    """
    if not old_terms or not new_terms:
        return False
    return all(any(old in new for new in new_terms) for old in old_terms)


class SearchIndex:
    """Images in display order, with their search texts laid out for fast repeated search.

    Filtering follows each image's own search text, scattered over the heap after
    a sort; fresh copies made in display order sit next to each other, and a scan
    over them stays in the CPU cache: 100,000 images filter in under 10 ms.
    Results are row numbers into `images`, so nothing is copied per keystroke.
    """

    def __init__(self, images: Sequence[Image], rows_by_id: dict[int, int] | None = None) -> None:
        self.images = list(images)
        self._rows_by_id = rows_by_id  # see `position`; `rows_of(images)` when made beforehand
        self._texts: list[str] | None = None  # laid out by the first search: a sort needs none

    def _laid_out(self) -> list[str]:
        if self._texts is None:
            # One join and one split: a fresh, contiguous copy of every text, in order.
            self._texts = "\n".join([image.haystack for image in self.images]).split("\n")
            if len(self._texts) != len(self.images):  # an empty catalog splits into [""]
                self._texts = [image.haystack for image in self.images]
        return self._texts

    def search(self, terms: Sequence[str], within: Sequence[int] | None = None) -> list[int] | None:
        """Rows whose text holds every term, in order (None: no terms, so every row).

        `within` narrows an earlier result (see `narrows`) instead of scanning every row.
        """
        if not terms:
            return None
        texts = self._laid_out()
        first, *rest = terms
        if within is None:
            rows = [row for row, text in enumerate(texts) if first in text]
        else:
            rows = [row for row in within if first in texts[row]]
        for term in rest:
            rows = [row for row in rows if term in texts[row]]
        return rows

    def release(self) -> None:
        """Drop the search texts (the index can no longer search): a re-sort calls this on
        the old index before building the new one, so two sets of copies never coexist."""
        self._texts = []

    def position(self, image: Image) -> int | None:
        """The row of this very image (identity, not equality), or None.

        The first call maps every image to its row (the table asks on every keystroke,
        to keep its cursor on the same image); later calls are a dictionary lookup.
        """
        if self._rows_by_id is None:
            self._rows_by_id = rows_of(self.images)
        row = self._rows_by_id.get(id(image))
        return row if row is not None and self.images[row] is image else None


class ImageView(Sequence[Image]):
    """The rows of a SearchIndex that a search kept, as a sequence of images, without copying."""

    def __init__(self, index: SearchIndex, rows: list[int] | None) -> None:
        self.index = index
        self.rows = rows

    def __len__(self) -> int:
        return len(self.index.images) if self.rows is None else len(self.rows)

    def __getitem__(self, item):  # type: ignore[override]
        if isinstance(item, slice):
            return [self[i] for i in range(*item.indices(len(self)))]
        return self.index.images[item if self.rows is None else self.rows[item]]

    def position(self, image: Image) -> int | None:
        """Where `image` is in this view, or None: a search in the index, then a bisection."""
        row = self.index.position(image)
        if row is None or self.rows is None:
            return row
        at = bisect_left(self.rows, row)
        return at if at < len(self.rows) and self.rows[at] == row else None


def rows_of(images: Sequence[Image]) -> dict[int, int]:
    """Each image's row by its identity: what `SearchIndex.position` looks up (30-50 ms for
    100,000 images, so a catalog's loading thread makes it)."""
    return {id(image): row for row, image in enumerate(images)}


class SortedSearch:
    """The loaded catalog as the browser shows it: sorted by one field, narrowed by a search.

    Sorting builds a new SearchIndex (and frees the old one's copies first); searching
    narrows the last result when the new terms only add to the old ones.
    """

    def __init__(self) -> None:
        self.images: list[Image] = []
        self._sorted_by: tuple[str, bool] | None = None
        self._rows_by_id: dict[int, int] | None = None
        self._index = SearchIndex([])
        self._terms: tuple[str, ...] = ()
        self.visible = ImageView(self._index, None)

    def replace(self, images: Sequence[Image], sorted_by: tuple[str, bool] | None = None,
                rows_by_id: dict[int, int] | None = None) -> None:
        """A newly loaded catalog (sort it next); `sorted_by`: it is in that order already
        (sorted on the loading thread, `rows_by_id` its `rows_of`), so that sort costs the
        screen nothing."""
        self.images = list(images)
        self._sorted_by = sorted_by
        self._rows_by_id = rows_by_id

    def sort(self, field: str, descending: bool) -> None:
        if self._sorted_by == (field, descending):
            ordered, rows_by_id = self.images, self._rows_by_id
        else:
            ordered, rows_by_id = sort_images(self.images, field, descending), None
        self._index.release()
        self._index = SearchIndex(ordered, rows_by_id)
        self._terms = ()

    def search(self, query: str) -> ImageView:
        """The images matching `query`, in sort order; also kept as `visible`."""
        terms = parse_terms(query)
        same_index = self.visible.index is self._index
        within = self.visible.rows if same_index and narrows(self._terms, terms) else None
        self.visible = ImageView(self._index, self._index.search(terms, within))
        self._terms = terms
        return self.visible


class PathMatch(NamedTuple):
    """The outcome of looking one image up.

    `kind` is `exact`, `unique`, `ambiguous` or `none`; `images` are the best
    matches, `candidates` every image that matched at all (what `--all` prints).
    """

    kind: str
    images: tuple[Image, ...]
    candidates: tuple[Image, ...] = ()


def _words(image: Image) -> set[str]:
    """The name as one word (`jupyterlab-pytorch` is not `pytorch`), plus the tag's parts."""
    return {image.name.lower()} | {word for word in _WORD_SPLIT.split(image.tag.lower()) if word}


def find_path_match(images: Sequence[Image], terms: Sequence[str]) -> PathMatch:
    """The single best image for `terms`.

    An exact version (`name:tag`) or path wins. Otherwise every term must occur;
    among those, the images where the most terms match a whole word of the
    version (so `dtk24.04` prefers `...-dtk24.04-...` over `...-dtk24.04.1-...`)
    are the best, and more than one of them is ambiguous.
    """
    wanted = [term.strip() for term in terms if term.strip()]
    if not wanted:
        return PathMatch("none", (), ())
    lowered = [term.lower() for term in wanted]
    whole = " ".join(lowered)
    exact = tuple(
        image
        for image in images
        if whole in {image.version.lower(), image.path.lower()}
        or any(term in {image.version.lower(), image.path.lower()} for term in lowered)
    )
    if exact:
        unique_paths = {image.path or image.version for image in exact}
        return PathMatch("exact" if len(unique_paths) == 1 else "ambiguous", exact, exact)
    # In name and version order (naturally: 0.4.23 before 0.11.0), for people reading the list.
    candidates = tuple(sort_images(filter_images(images, lowered), "name"))
    if not candidates:
        return PathMatch("none", (), ())
    scored = [(sum(term in _words(image) for term in lowered), image) for image in candidates]
    best = max(score for score, _ in scored)
    top = tuple(image for score, image in scored if score == best)
    return PathMatch("unique" if len(top) == 1 else "ambiguous", top, candidates)


class Prepared(NamedTuple):
    """A loaded catalog made ready on the thread that loaded it (sorted, its filter values and
    column widths found), so that showing it costs the screen little: 100,000 images land
    between two keystrokes."""

    result: ImageList
    images: list[Image]  # in `sorted_by` order
    sorted_by: tuple[str, bool]
    accelerators: set[str]
    image_types: set[str]
    widths: list[int]
    rows_by_id: dict[int, int]  # `rows_of(images)`


def prepare(result: ImageList, field: str, descending: bool) -> Prepared:
    """`result` sorted by `field` and measured (a catalog's work done once, off the screen)."""
    with gc_paused(keep=True):  # the sorted list and the row map live as long as the catalog
        images = sort_images(result.images, field, descending)
        spellings = {image.accelerator_type for image in images}  # a few, however many images
        accelerators = {kind for spelling in spellings for kind in split_accelerators(spelling)}
        return Prepared(result, images, (field, descending), accelerators, {image.type for image in images},
                        column_widths(images), rows_of(images))
