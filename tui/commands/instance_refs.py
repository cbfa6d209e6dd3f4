"""Which instances the shell's references name: a whole id, a unique prefix of one, or a
name (as docker and kubectl take them), read from one list of the region's instances."""

from __future__ import annotations

from typing import Any, Sequence

from ..api.container_models import Instance, status_word
from ..i18n import _
from .exits import EXIT_AMBIGUOUS, EXIT_NO_MATCH, EXIT_USAGE
from .output import aligned_lines, say


def resolve_instances(client: Any, refs: Sequence[str]) -> list[Instance] | int:
    """The instances `refs` name (each once, in order), by its whole id, or a unique prefix of
    it, or its name (as docker and kubectl take them), from one read of the list; else the exit
    code, said on stderr: 1 for a reference that names none, 2 for one that could name several
    (the candidates listed: a name that is also the start of another id is one), 64 for an
    empty one. When the list may be incomplete, only a whole id is taken."""
    from ..api import containers
    from ..safe_text import printable

    if any(not ref.strip() for ref in refs):
        say(_("an empty ID names no instance (is a variable unset?)"))
        return EXIT_USAGE
    listed = containers.list_instances(client)
    whole = not listed.cut_short and not listed.skipped
    chosen: dict[str, Instance] = {}
    for ref in refs:
        exact = [i for i in listed.instances if i.id == ref]
        matches = exact or ([i for i in listed.instances if i.name == ref or i.id.startswith(ref)] if whole else [])
        if not matches:
            if whole:
                say(_("no instance with id {ref} (nor one of that name) in this region; `scnet-images ps` lists them")
                    .format(ref=repr(printable(ref[:70]))))
            else:
                say(_("no instance with id {ref} in this region's list, which may be incomplete: give an instance's "
                      "whole id").format(ref=repr(printable(ref[:70]))))
            return EXIT_NO_MATCH
        if len(matches) > 1:
            say(_("{ref} could name several instances; give more of the id:").format(ref=repr(printable(ref[:70]))))
            rows = [(instance.id, printable(instance.name), printable(status_word(instance.status))) for instance in matches]
            # In columns, as `ps` prints them (the header line left out), the id whole.
            for line in aligned_lines(("id", "name", "status"), rows, widths={"id": 64})[1:]:
                say("  " + line)
            return EXIT_AMBIGUOUS
        chosen.setdefault(matches[0].id, matches[0])
    return list(chosen.values())
