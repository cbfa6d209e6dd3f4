"""The instances view's calls: the list, an instance's detail, its access URL, and the actions.

`InstanceSource` (a widget nothing draws) runs each call in a worker and answers with a
message the screen handles: `Listed`, `Detailed`, `UrlFetched`, `Acted` (an action's
outcome: done, refused, or not known), `Failed`. A newer list, detail or URL replaces an
older one; an action is never replaced (cancelling it would lose its answer).
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.message import Message
from textual.widget import Widget

from ..api import containers
from ..api.container_models import Instance, InstanceList


class InstanceSource(Widget):
    """The calls of one region's instances, through `client` (the async client)."""

    DEFAULT_CSS = "InstanceSource { display: none; }"

    class Listed(Message):
        """The platform listed the region's instances."""

        def __init__(self, listed: InstanceList) -> None:
            super().__init__()
            self.listed = listed

    class Detailed(Message):
        """The detail call described an instance."""

        def __init__(self, instance: Instance) -> None:
            super().__init__()
            self.instance = instance

    class UrlFetched(Message):
        """An instance's access URL, to open (`open_it`) or to copy."""

        def __init__(self, instance: Instance, url: str, open_it: bool) -> None:
            super().__init__()
            self.instance, self.url, self.open_it = instance, url, open_it

    class Acted(Message):
        """An action on `instance` was answered: done (`error` None) or not, or not known."""

        def __init__(self, instance: Instance, action: str, error: BaseException | None = None) -> None:
            super().__init__()
            self.instance, self.action, self.error = instance, action, error

    class Failed(Message):
        """A list, detail or URL call failed (an action's failure comes with `Acted`)."""

        def __init__(self, error: BaseException) -> None:
            super().__init__()
            self.error = error

    def __init__(self, client: Any) -> None:
        super().__init__()
        self.client = client
        self.listing = False  # a list is in flight

    def list(self) -> None:
        """Ask for the list (a newer one replaces one in flight)."""
        self.listing = True
        self._list()

    @work(exclusive=True, group="list", exit_on_error=False)
    async def _list(self) -> None:
        try:
            self.post_message(self.Listed(await containers.list_instances(self.client)))
        except Exception as error:
            self.post_message(self.Failed(error))
        finally:  # answered, failed, or replaced by a newer list
            self.listing = False

    @work(exclusive=True, group="detail", exit_on_error=False)
    async def detail(self, instance_id: str) -> None:
        try:
            self.post_message(self.Detailed(await containers.instance_detail(self.client, instance_id)))
        except Exception as error:
            self.post_message(self.Failed(error))

    @work(exclusive=True, group="url", exit_on_error=False)
    async def fetch_url(self, instance: Instance, open_it: bool) -> None:
        try:
            self.post_message(self.UrlFetched(instance, await containers.access_url(self.client, instance.id), open_it))
        except Exception as error:
            self.post_message(self.Failed(error))

    # Not exclusive: each action is its own call, never cancelled by the next one.
    @work(group="action", exit_on_error=False)
    async def act(self, action: str, instance: Instance) -> None:
        """`restart`, `stop` or `delete` the instance: sent once, answered with `Acted`."""
        calls = {"restart": containers.restart_instance,
                 "stop": lambda client, one: containers.stop_instances(client, [one]),
                 "delete": lambda client, one: containers.delete_instances(client, [one])}
        try:
            await calls[action](self.client, instance.id)
        except Exception as error:
            self.post_message(self.Acted(instance, action, error))
        else:
            self.post_message(self.Acted(instance, action))
