"""Pure functions over images: search terms, filtering, sorting, best match.

The browser and the shell commands both use these, so a query finds the same
images everywhere. Nothing here does I/O.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, NamedTuple, Sequence

from .api.models import Image

# Columns people sort by -> the key that sorts them. Missing values sort last.
SORT_KEYS: dict[str, Callable[[Image], object]] = {
    "name": lambda image: (image.name.lower(), image.tag.lower()),
    "tag": lambda image: image.tag.lower(),
    "accelerator": lambda image: image.accelerator_type,
    "type": lambda image: image.type.lower(),
    "access": lambda image: image.access,
    "preset": lambda image: {True: 0, False: 1, None: 2}[image.is_preset_image],
    "created": lambda image: image.create_time,
    "user": lambda image: image.user.lower(),
    "version": lambda image: image.version.lower(),
    "path": lambda image: image.path.lower(),
}
SORT_FIELDS = tuple(SORT_KEYS)

_WORD_SPLIT = re.compile(r"[-:/_@]")


def parse_terms(query: str) -> tuple[str, ...]:
    """`"PyTorch  dtk24.04"` -> `("pytorch", "dtk24.04")`."""
    return tuple(query.lower().split())


def match_terms(image: Image, terms: Sequence[str]) -> bool:
    """True when every term occurs in the image's name, tag, version or path (case-insensitive)."""
    haystack = image.haystack
    return all(term in haystack for term in terms)


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
        key = SORT_KEYS[field]
    except KeyError:
        raise ValueError(f"cannot sort by {field!r}; one of {', '.join(SORT_FIELDS)}") from None
    return sorted(images, key=key, reverse=descending)  # type: ignore[arg-type]


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
    candidates = tuple(filter_images(images, lowered))
    if not candidates:
        return PathMatch("none", (), ())
    scored = [(sum(term in _words(image) for term in lowered), image) for image in candidates]
    best = max(score for score, _ in scored)
    top = tuple(image for score, image in scored if score == best)
    return PathMatch("unique" if len(top) == 1 else "ambiguous", top, candidates)
