"""Keeping the cyclic garbage collector out of the way of large catalogs.

Decoding 100,000 images makes a few hundred thousand objects that hold no reference
cycles; the collector would walk them again and again for nothing.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def gc_paused(keep: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector while a large answer is decoded and parsed.

    Building 100,000 dicts and images triggers dozens of collections that each walk
    every object made so far (about a third of the parse time), and none finds
    garbage: JSON data holds no reference cycles.

    `keep`: what the block made lives long and holds no cycles (a catalog), so it is
    moved out of the collector's reach (`gc.freeze`, which costs nothing) before the
    collector runs again; otherwise the first collection after the block walks every
    image made (45 ms for 100,000, holding the interpreter while the user types).
    Refcounting still frees it when the catalog is replaced.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if keep:
            gc.freeze()
    finally:
        if enabled:
            gc.enable()
