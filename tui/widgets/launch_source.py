"""The launch form's calls: what the region offers a launch, and the create itself.

`LaunchSource` (a widget nothing draws) runs each call in a worker and answers with a
message: `Offered` (the groups, limits and mount directories, or one group's limits),
`Unavailable` (they could not be read), `Created` (the create was sent: its id, or what is
known of an outcome that is not sure) and `Refused` (the create was refused or never left:
nothing was launched). The create is never replaced by a newer call: cancelling it would
lose its answer.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from textual import work
from textual.message import Message
from textual.widget import Widget

from ..api import containers
from ..api.container_models import LaunchSpec, Limits
from ..api.errors import OutcomeUnknown, ProbablyLaunched, ScnetError
from ..i18n import _


# How long the list read just before a create may hold it up (its pages, its retries): past
# that the create goes without it.
LIST_BEFORE_SECONDS = 5.0


class Launched(NamedTuple):
    """What a create came to once sent: the new instance's id; or, with `unsure` set (the id
    ""), a launch that may or probably did happen, `unsure` saying why it is not known for
    sure. `name` is the instance's, to look for in the list; `existing` the ids listed just
    before the create was sent (None when they could not be read), which are not it."""

    instance_id: str
    name: str
    unsure: ScnetError | None = None
    existing: frozenset[str] | None = None


class LaunchSource(Widget):
    """A launch's calls through `client` (the async client), for an image of `accelerator`."""

    DEFAULT_CSS = "LaunchSource { display: none; }"

    class Offered(Message):
        """What the region offers this launch: its groups, limits and mount directories; or (a
        group chosen) that group's limits alone."""

        def __init__(self, choices: containers.LaunchChoices | None = None, limits: Limits | None = None) -> None:
            super().__init__()
            self.choices, self.limits = choices, limits

    class Unavailable(Message):
        """What the region offers could not be read."""

        def __init__(self, error: BaseException) -> None:
            super().__init__()
            self.error = error

    class Created(Message):
        """The create was sent: see `Launched`."""

        def __init__(self, launched: Launched) -> None:
            super().__init__()
            self.launched = launched

    class Refused(Message):
        """The create was refused, or never left: nothing was launched."""

        def __init__(self, error: BaseException) -> None:
            super().__init__()
            self.error = error

    def __init__(self, client: Any, accelerator: str) -> None:
        super().__init__()
        self.client = client
        self.accelerator = accelerator

    @work(exclusive=True, group="choices", exit_on_error=False)
    async def load_choices(self) -> None:
        """The region's groups, the limits of the one chosen for the accelerator, its mounts."""
        try:
            self.post_message(self.Offered(choices=await containers.launch_choices(self.client, self.accelerator)))
        except Exception as error:
            self.post_message(self.Unavailable(error))

    @work(exclusive=True, group="choices", exit_on_error=False)
    async def load_limits(self, group: str) -> None:
        """The limits of `group` for the accelerator."""
        try:
            self.post_message(self.Offered(limits=await containers.group_limits(self.client, group, self.accelerator)))
        except Exception as error:
            self.post_message(self.Unavailable(error))

    # Never exclusive: a newer worker would cancel a create in flight and lose its answer.
    @work(group="create", exit_on_error=False)
    async def create(self, spec: LaunchSpec) -> None:
        """Send the create (once), answered with `Created` or `Refused`. The instances listed
        just before are noted: if its outcome is not known, an instance of its name among them
        is an older one, not this launch."""
        existing = await self._listed_ids()
        try:
            instance_id = await containers.create_instance(self.client, spec)
        except (OutcomeUnknown, ProbablyLaunched) as unsure:
            self.post_message(self.Created(Launched("", spec.name, unsure, existing)))
        except ScnetError as error:  # refused, or never sent: shown in the form, nothing was launched
            self.post_message(self.Refused(error))
        except Exception as error:  # a fault of ours, perhaps after sending: not known either way
            unsure = OutcomeUnknown(
                _("Something unexpected happened after the launch of {name} was sent ({kind}): it may have been "
                  "launched").format(name=spec.name, kind=type(error).__name__),
                _("do not launch it again before checking: `scnet-images ps` lists your instances"))
            self.post_message(self.Created(Launched("", spec.name, unsure, existing)))
        else:
            self.post_message(self.Created(Launched(instance_id, spec.name)))

    async def _listed_ids(self) -> frozenset[str] | None:
        """The ids of the instances listed now (a read, asked once), None when the list cannot
        be read whole."""
        import asyncio

        try:
            listed = await asyncio.wait_for(containers.list_instances(self.client), LIST_BEFORE_SECONDS)
        except Exception:  # the create is what matters: it goes all the same (a timeout included)
            return None
        return None if listed.cut_short else frozenset(instance.id for instance in listed.instances)
