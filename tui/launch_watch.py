"""What the instances view says of a launch: the one it follows (how it ended up), and one
whose outcome is unknown that it looks for in the list. Pure: the view notifies what these
return."""

from __future__ import annotations

from typing import NamedTuple

from .api.container_models import Instance, status_word
from .i18n import _
from .safe_text import printable


class Said(NamedTuple):
    """A notice: its title, its words, how serious it is."""

    title: str
    message: str
    severity: str = "information"


def found_launch(instances: list[Instance], name: str, existing: frozenset[str] | None) -> tuple[Instance, Said] | None:
    """The instance a launch of `name` whose outcome was unknown made, once listed, and what to
    say of it; None while it is not. `existing`: the ids listed just before the create was sent
    (none of them is it), None when they could not be read: then only an instance on its way or
    running is taken for it (one that ended is more likely an older one of that name, and its
    end would be told as this launch's)."""
    found = [instance for instance in instances if instance.name == name and instance.id not in (existing or ())
             and (existing is not None or not instance.final)]
    if not found:
        return None
    if existing is None:  # what was there before is not known: it may be an older one
        said = _("An instance named {name} is in the list, perhaps an earlier one of that name (the list "
                 "before the launch could not be read): check its creation time. Following it.")
    elif len(found) == 1:
        said = _("{name} is in the list: the launch went through. Following it.")
    else:
        said = _("{count} new instances named {name} are in the list: the newest is followed.")
    newest = max(found, key=lambda instance: instance.create_time)
    return newest, Said(_("Launch found"), said.format(name=printable(name), count=len(found)))


def not_found(name: str) -> Said:
    return Said(_("Launch not found"), _("No instance named {name} is listed: the launch has not shown up. Press r "
                                         "to look again before launching it again.").format(name=printable(name)),
                "warning")


def how_it_ended(instance: Instance) -> Said | None:
    """What to say once a followed instance is no longer on its way (None while it is)."""
    if instance.busy:
        return None
    name = printable(instance.name or instance.id)
    if instance.status != "Running":
        return Said(_("Instance did not start"), _("{name} is {status}. The platform's console has its logs.").format(
            name=name, status=status_word(instance.status)), "error")
    web, ssh = instance.serves("HTTP"), instance.serves("SSH")
    if web and ssh:
        said = _("{name} is running: o opens it, u copies its URL, s copies its ssh command.")
    elif web:
        said = _("{name} is running: o opens it, u copies its URL.")
    else:
        said = _("{name} is running: s copies its ssh command.")
    return Said(_("Instance running"), said.format(name=name))
