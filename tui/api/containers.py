"""The container-instance calls (containers-api.md, calls 1-10): what they send, how answers read.

- `create_instance`: `POST .../instance-service/task`, a JSON body built by `LaunchSpec.body`;
  `data` is the new instance's id;
- `list_instances`: the page's `GET .../task` (a JSON body, and the filters as query
  parameters too) or, where a region serves only that, `GET .../task/list` (query
  parameters, what the clients that ran live call); the other is tried on 404/405,
  10009 or an answer that is no instance list, and the one that worked is remembered;
- `instance_detail`, `access_url`;
- `restart_instance` (`?instanceServiceId=`), `stop_instances` and `delete_instances`
  (repeated `?ids=`);
- what a launch may ask for: `resource_groups`, `group_limits`, `mount_dirs` (their
  answers' shapes are not documented: lists of strings or of objects are both read).

Each function takes a client and returns what `client.run` gives: the result with the
sync client, an awaitable with the async one. Every call renews an expired token once.

Create, restart, stop and delete start, stop or delete something: each is sent at most
once (`Session.call(once=True)`: no retry, no redirect followed). A failure after it may
have reached the platform is an `OutcomeUnknown` that says what may have happened and how
to check; a create the platform accepted whose id cannot be read is `ProbablyLaunched`.
Only a refused token is followed by a second send, after renewal: the platform refused
the first, so nothing was done.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence
from urllib.parse import quote

from ..i18n import N_, _, ngettext
from .container_answers import (
    ignore,
    read_access_url,
    read_groups,
    read_id,
    read_instance,
    read_limits,
    read_list,
    read_paths,
    valid_instance_id,
)
from .container_models import Group, Instance, InstanceList, LaunchSpec, Limits
from .errors import (
    ApiError,
    ConfigError,
    MalformedResponse,
    OutcomeUnknown,
    ScnetError,
    not_served,
)
from .renewal import with_renewal
from .plans import Plan
from .transport import Session

BASE_PATH = "/ai/openapi/v2/instance-service"
# Where a region lists instances: the page's path, and the one the clients that ran live call.
LIST_PATHS = ("task", "task/list")
# Pages of the instance list this client reads at most (of PAGE_SIZE each).
PAGE_SIZE = 100
MAX_PAGES = 50

# What to do next, by code, for these calls (the image calls' hints speak of filters).
# Marked here, translated when given.
_HINTS = {
    "10003": N_("a field of the request is missing; check the launch settings"),
    "10004": N_("a value was refused; check the instance id, the group and the launch settings"),
    "716865": N_("check the resources asked for against the group's limits and your quota "
                 "(stopping or deleting an instance frees some)"),
    "716866": N_("stop the instance first, or refresh the list: it may be gone already"),
    "716020": N_("a problem on the platform's side; try again later"),
    "716867": N_("the platform could not stop it; refresh the list (r, or `scnet-images ps`) to see where it stands"),
    "716868": N_("the platform could not start it (its group may be full); refresh the list to see where it stands, "
                 "then restart it later"),
}
# What to check when even a renewed token is refused (see `renewal.with_renewal`).
_INSTANCES_ACCESS_HINT = N_("the account may lack access to this region's instances; check it in the SCNet console")
_CONTAINER_ACCESS_HINT = N_(
    "the account may lack access to this region's container calls; check it in the SCNet console"
)


# --- the calls ------------------------------------------------------------------------------------


def create_instance(client: Session, spec: LaunchSpec) -> Any:
    """Launch an instance; its id (a string). Creation goes on in the background.

    Sent at most once. Raises OutcomeUnknown when it may have been launched without an
    answer saying so, ProbablyLaunched when the platform accepted it without a usable id."""
    def read(payload: Any) -> str:
        return read_id(payload, spec.name, client.secrets())

    return _run(client, "POST", "/task", read, body=spec.body(), once=_UNKNOWN["create"], about=spec.name)


def list_instances(client: Session, *, status: str | None = None, task_type: str | None = None) -> Any:
    """The account's instances in this region (every page), newest first: an InstanceList."""
    filters = {key: value for key, value in (("status", status), ("taskType", task_type)) if value}
    return client.run(with_renewal(client, lambda: _either_path(client, filters), _INSTANCES_ACCESS_HINT))


def instance_detail(client: Session, instance_id: str) -> Any:
    return _run(client, "GET", f"/{_segment(instance_id)}/detail", read_instance)


def access_url(client: Session, instance_id: str) -> Any:
    """The instance's entry point (a URL string; it may carry a service credential)."""
    return _run(client, "GET", f"/{_segment(instance_id)}/url", read_access_url)


def restart_instance(client: Session, instance_id: str) -> Any:
    """Start a stopped or failed instance again (sent at most once)."""
    return _run(client, "POST", "/task/actions/restart", ignore, params={"instanceServiceId": _segment(instance_id)},
                once=_UNKNOWN["restart"], about=instance_id)


def stop_instances(client: Session, instance_ids: Sequence[str]) -> Any:
    """Stop instances (sent at most once)."""
    return _run(client, "POST", "/task/actions/stop", ignore, params=[("ids", _segment(i)) for i in instance_ids],
                once=_UNKNOWN["stop"], about=" ".join(instance_ids))


def delete_instances(client: Session, instance_ids: Sequence[str]) -> Any:
    """Delete instances (sent at most once)."""
    return _run(client, "DELETE", "/task", ignore, params=[("ids", _segment(i)) for i in instance_ids],
                once=_UNKNOWN["delete"], about=" ".join(instance_ids))


# What an action whose outcome is unknown may have done, and how to check (marked here,
# translated when said): {about} is the instance's name (create) or ids, {cause} what went
# wrong after the request left (it names the host when a host is to blame).
_UNKNOWN = {
    "create": (N_("The launch of {about} was sent, but no answer says whether it was carried out "
                  "({cause}): the instance may have been launched"),
               N_("do not launch it again before checking: `scnet-images ps` lists your instances")),
    "restart": (N_("The restart of {about} was sent, but no answer says whether it was carried out "
                   "({cause}): it may be restarting"),
                N_("check with `scnet-images ps` before restarting it again")),
    "stop": (N_("The stop of {about} was sent, but no answer says whether it was carried out "
                "({cause}): it may have been stopped"),
             N_("check with `scnet-images ps` before stopping it again")),
    "delete": (N_("The deletion of {about} was sent, but no answer says whether it was carried out "
                  "({cause}): it may have been deleted"),
               N_("check with `scnet-images ps` before deleting it again")),
}


def resource_groups(client: Session) -> Any:
    """The region's resource groups (a list of Group)."""
    return _run(client, "GET", "/resource-group", read_groups)


def group_limits(client: Session, group: str, accelerator: str) -> Any:
    """The per-instance limits of `group` for `accelerator` (Limits)."""
    def read(payload: Any) -> Limits:
        return read_limits(payload, group, accelerator)

    return _run(client, "GET", "/resources", read, params={"resourceGroup": group, "acceleratorType": accelerator})


def mount_dirs(client: Session) -> Any:
    """The directories a launch may mount (a list of paths)."""
    return _run(client, "GET", "/allowed-mount-dir", read_paths)


class LaunchChoices(NamedTuple):
    """What a launch of an image with this accelerator may choose from: the region's groups,
    the limits of the chosen one, and the directories it may mount; `notes` say what of the
    answers could not be read and was left out (a sentence each)."""

    groups: list[Group]
    limits: Limits
    mount_dirs: list[str]
    notes: tuple[str, ...] = ()


def launch_choices(client: Session, accelerator: str, group: str | None = None) -> Any:
    """The groups, the limits of `group` (or of the first group that serves `accelerator`:
    one whose kind is said, else the first whose limits the region gives for it), and the
    allowed mount directories. Raises ApiError when no group serves `accelerator`."""
    url = client.root + BASE_PATH

    def plan() -> Plan:
        notes: list[str] = []
        try:
            groups = yield from _hinted(client.call("GET", url + "/resource-group", read_groups))
        except MalformedResponse as error:  # said below, with the groups there are (none)
            groups = []
            notes.append(_("The resource group answer could not be read: {problem}").format(problem=error.message))
        named = [Group(group, accelerator)] if group else []
        candidates = named or [g for g in groups if g.accelerator == accelerator] + [g for g in groups if not g.accelerator]
        limits = None
        for candidate in candidates:
            try:
                limits = yield from client.call(
                    "GET", url + "/resources", lambda payload: read_limits(payload, candidate.name, accelerator),
                    params={"resourceGroup": candidate.name, "acceleratorType": accelerator},
                )
            except MalformedResponse as error:  # this group's limits cannot be read: another may do
                if named:
                    raise
                notes.append(_("Group {group} left out: {problem}").format(group=candidate.name, problem=error.message))
                continue
            except ApiError as error:
                if error.code != "10004" or named:  # 10004: this group does not serve the accelerator
                    raise
                continue
            if named or accelerator == "cpu" or limits.cards > 0:
                break
            limits = None
        if limits is None:
            names = ", ".join(g.name for g in groups)
            if names:
                message = _("No resource group of this region serves {accelerator} instances (groups: {names})").format(
                    accelerator=accelerator, names=names)
            else:
                message = _("No resource group of this region serves {accelerator} instances (groups: none)").format(
                    accelerator=accelerator)
            raise ApiError(" ".join([message, *notes]), _("choose a group yourself, or launch another image"))
        try:
            dirs = yield from client.call("GET", url + "/allowed-mount-dir", read_paths)
        except ApiError:  # a region without mounts: a launch needs none
            dirs = []
        except MalformedResponse as error:
            dirs = []
            notes.append(_("The allowed mount directories could not be read, so none is offered: {problem}").format(
                problem=error.message))
        return LaunchChoices(groups, limits, dirs, tuple(notes))

    return client.run(with_renewal(client, lambda: _hinted(plan()), _CONTAINER_ACCESS_HINT))


# --- plans ----------------------------------------------------------------------------------------------


def _segment(instance_id: str) -> str:
    """An instance id as it may go into a path or query: refused unless it looks like one."""
    if not valid_instance_id(instance_id):
        raise ConfigError(
            _("{id} is not an instance id").format(id=repr(instance_id[:70])),
            _("ids are letters and digits (32 hex characters); `scnet-images ps` lists them"),
        )
    return quote(instance_id, safe="")


def _run(client: Session, method: str, path: str, read: Any, *, body: Any = None, params: Any = None,
         once: tuple[str, str] | None = None, about: str = "") -> Any:
    """Run one call. `once` (one of `_UNKNOWN`'s pairs) makes it a call sent at most once,
    whose unknown outcome is worded with it, `about` naming what it acted on."""
    url = client.root + BASE_PATH + path

    def plan() -> Plan:
        return _hinted(client.call(method, url, read, body=body, params=params, once=once is not None))

    def worded() -> Plan:
        try:
            return (yield from with_renewal(client, plan, _CONTAINER_ACCESS_HINT, resend=once is None))
        except OutcomeUnknown as unknown:
            if once is None:
                raise
            message, hint = once
            raise OutcomeUnknown(
                _(message).format(about=about, cause=unknown.cause), _(hint),
                cause=unknown.cause,
            ).redacted(client.secrets()) from None

    return client.run(worded())


def _hinted(plan: Plan) -> Plan:
    """The plan, with the next step for a code said in the words of these calls."""
    try:
        return (yield from plan)
    except ApiError as error:
        if error.code in _HINTS:
            error.hint = _(_HINTS[error.code])
        raise


def _either_path(client: Session, filters: dict[str, str]) -> Plan:
    """The list at the path that worked last, else the page's first; the other when that one
    is not served there. When neither answers, the failure that says most (one that is not
    "no such path"), else the first."""
    first = client.known_instance_list if client.known_instance_list in LIST_PATHS else LIST_PATHS[0]
    failures: list[ScnetError] = []
    for path in (first, *(other for other in LIST_PATHS if other != first)):
        try:
            listed = yield from _every_page(client, path, filters)
        except ScnetError as error:
            if not not_served(error):
                raise
            failures.append(error)
            continue
        if path != client.known_instance_list:
            client.known_instance_list = path
            if client.account.on_instance_list_detected is not None:
                client.account.on_instance_list_detected(path)
        return listed
    raise next((error for error in failures if getattr(error, "status", 0) not in (404, 405)), failures[0])


def _every_page(client: Session, path: str, filters: dict[str, str]) -> Plan:
    url = client.root + BASE_PATH + "/" + path
    instances: list[Instance] = []
    skipped = 0
    cut_short = False
    for page in range(MAX_PAGES):
        query = {**filters, "start": page * PAGE_SIZE, "limit": PAGE_SIZE, "sort": "desc"}
        # `task`: the page says GET with a JSON body, and clients send query parameters: both.
        # `task/list`: query parameters, as the clients that ran live send them.
        body = query if path == "task" else None
        items, total, unnamed = yield from _hinted(client.call(
            "GET", url, read_list, body=body, params=query, max_bytes=client.options.max_page_bytes
        ))
        instances.extend(items)
        skipped += unnamed
        done = len(items) + unnamed < PAGE_SIZE or (total is not None and len(instances) + skipped >= total)
        if done:
            break
        cut_short = page == MAX_PAGES - 1
    if skipped and not instances:
        raise MalformedResponse(
            ngettext("The instance list holds {count} record, and it names no instance (neither "
                     "`instanceServiceId` nor `id`)",
                     "The instance list holds {count} records, and none names an instance (neither "
                     "`instanceServiceId` nor `id`)", skipped).format(count=skipped),
            _("the region may answer in a form this version does not read; run `scnet-images doctor` and report it"),
        )
    seen: set[str] = set()
    unique = [item for item in instances if not (item.id in seen or seen.add(item.id))]  # type: ignore[func-returns-value]
    return InstanceList(unique, skipped, cut_short, path)


def list_warnings(listed: InstanceList) -> list[str]:
    """What is worth knowing about an instance list that is not an error, a sentence each."""
    warnings = []
    if listed.cut_short:
        warnings.append(ngettext(
            "The platform kept sending full pages of instances; the client stopped after {count} page, so the "
            "list may be incomplete",
            "The platform kept sending full pages of instances; the client stopped after {count} pages, so the "
            "list may be incomplete", MAX_PAGES).format(count=MAX_PAGES))
    if listed.skipped:
        warnings.append(ngettext(
            "Skipped {count} record of the instance list that names no instance",
            "Skipped {count} records of the instance list that name no instance", listed.skipped,
        ).format(count=listed.skipped))
    return warnings
