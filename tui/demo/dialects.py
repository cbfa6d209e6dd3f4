"""How the demo API speaks where the platform's pages and the live platform differ.

`../shared/api/real-platform-evidence.md` (in the project's notes) records what clients
outside this project saw the live platform do. The demo answers in one of two dialects:

- `default`: as the clients that ran live expect (what four public clients read when
  pointed at this demo): the region lookup's `data` an object with `clusterUserInfo`,
  a login's token list with a region first, the instance list at both `.../task` (a JSON
  body, the page's) and `.../task/list` (query parameters);
- `live`: the stricter variants seen live, all at once: the instance list only at
  `.../task/list`, records naming their id `instanceServiceId`, a create answering an
  object, errors saying `message` instead of `msg`, `sort` required by the paginated
  image list, the region lookup as a list, and one region (20091) whose AI address answers
  HTTP 404 for everything, as one region was seen to.

A client that reads both dialects reads everything the evidence shows.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Dialect(NamedTuple):
    name: str
    list_paths: tuple[str, ...]  # where the instance list answers, under .../instance-service/
    id_key: str  # what an instance record calls its id
    create_answers_object: bool  # create's `data`: {"instanceServiceId": id} instead of the id
    message_key: str  # what an error answer calls its text: "msg" (the page) or "message"
    sort_required: bool  # the paginated image list refuses a body without `sort` (10003)
    center_as_list: bool  # the region lookup's `data` a list (the page's type) instead of an object
    dead_regions: frozenset[str]  # regions whose AI address answers 404 for every path

    def created(self, instance_id: str) -> Any:
        """Create's `data` for a new instance."""
        return {"instanceServiceId": instance_id} if self.create_answers_object else instance_id

    def record(self, record: dict[str, Any]) -> dict[str, Any]:
        """An instance record with its id under this dialect's name."""
        if self.id_key == "id":
            return record
        renamed = {self.id_key: record["id"]}
        renamed.update((key, value) for key, value in record.items() if key != "id")
        return renamed


DIALECTS = {
    "default": Dialect("default", ("task", "task/list"), "id", False, "msg", False, False, frozenset()),
    "live": Dialect("live", ("task/list",), "instanceServiceId", True, "message", True, True, frozenset({"20091"})),
}
