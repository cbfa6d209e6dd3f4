"""The demo API's container-instance calls (containers-api.md, "Container instances" 1-10),
all region calls under `/ai/openapi/v2/instance-service`:

- `GET /resource-group`, `GET /resources?resourceGroup=&acceleratorType=`,
  `GET /allowed-mount-dir`: the groups, one group's limits, the mountable directories;
- `POST /task` (create), `GET /task` (list: filters as a JSON body on the GET and/or as
  query parameters) and `GET /task/list` (the same, as clients that ran live call it;
  which of the two a region serves is the dialect's: `dialects.py`), `DELETE /task?ids=`
  (final instances only);
- `GET /{id}/detail`, `GET /{id}/url`;
- `POST /task/actions/restart?instanceServiceId=`, `POST /task/actions/stop?ids=`;
- `POST /task/actions/execute-script` (a running instance; nothing really runs) and
  `POST /resource-spec/actions/update` (cores, cards and memory of an instance).

Where the pages leave `data`'s shape open (groups, mount directories, the list), the root
and region 11250 answer objects and region 20091 bare lists (`DemoRegion.plain_lists`).
Instances belong to the region they were created in (the root is a region of its own);
`instances.py` moves them along the clock, and an instance named with "fail" in it fails
to deploy: that is how the demo shows a failure.

Not region calls (no API token, like the platform's forwarding gateway): the access pages
`/jupyter-forward/{id}/?token=sothisai_{id}` (and codeserver, rstudio) of running instances.
Nothing is really started: the pages say so, and nothing listens on the SSH ports.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import threading
from typing import Any, Callable

from .accounts import DEMO_ACCOUNTS, DEMO_REGIONS
from .container_checks import MOUNT_DIRS, launch_fields, list_filters, resize_fields, script_fields, serving
from .dialects import DIALECTS, Dialect
from .instances import RESOURCE_GROUPS, Instance, Scheduler, beijing, clock_text, seconds_of, seed
from .envelope import Answer, api_error, json_object, ok
from .plumbing import Request, Route

BASE_PATH = "/ai/openapi/v2/instance-service"
# Instances not in a final state one region may hold (the platform's quota).
ACTIVE_QUOTA = 3
# Instances, final ones included, one region keeps: what clients send is kept bounded.
MAX_INSTANCES = 100
# The HTTP service each task type opens (besides SSH, which every one has): port and path.
HTTP_PORTS = {"jupyter": ("8888", "jupyter-forward"), "codeserver": ("8080", "codeserver-forward"),
              "rstudio": ("8787", "rstudio-forward")}
_CARD_LIMITS = {"gpu": "nvLimits", "dcu": "dcuLimits", "mlu": "mluLimits"}
_QUOTA = f"超出实例配额 (at most {ACTIVE_QUOTA} active instances)"


class ContainerCalls:
    """The container calls over a `Scheduler`. `instances` (by id) is every region's;
    `base_url()` is the server's address, which the access URLs name."""

    def __init__(self, clock: Callable[[], float], base_url: Callable[[], str], *,
                 deploy_seconds: float = 3.0, seed_instances: bool = True,
                 dialect: Dialect = DIALECTS["default"]) -> None:
        self.base_url = base_url
        self.dialect = dialect
        self.scheduler = Scheduler(clock, deploy_seconds)
        self.instances = self.scheduler.instances
        self.lock = threading.Lock()  # the HTTP server answers on many threads
        if seed_instances:
            start = clock()
            for region in ("", *(region.cluster_id for region in DEMO_REGIONS)):
                seed(self.scheduler, region, start)

    def routes(self) -> list[Route]:
        calls = [
            ("GET", "/resource-group", self.groups, "groups"), ("GET", "/resources", self.limits, "limits"),
            ("GET", "/allowed-mount-dir", self.mount_dirs, "mounts"), ("POST", "/task", self.create, "create"),
            *(("GET", "/" + path, self.list_tasks, "list") for path in self.dialect.list_paths),
            ("DELETE", "/task", self.delete, "delete"),
            ("GET", "/{id}/detail", self.detail, "detail"), ("GET", "/{id}/url", self.url, "url"),
            ("POST", "/task/actions/restart", self.restart, "restart"), ("POST", "/task/actions/stop", self.stop, "stop"),
            ("POST", "/task/actions/execute-script", self.execute, "execute"),
            ("POST", "/resource-spec/actions/update", self.resize, "resize"),
        ]
        return [Route(method, BASE_PATH + path, handle, region_call=True, name=name)
                for method, path, handle, name in calls]

    def page_routes(self) -> list[Route]:
        """The access pages, served without an API token (their own `token` query checks)."""
        return [Route("GET", f"/{prefix}/{{id}}", self._page_of(task_type))
                for task_type, (_, prefix) in HTTP_PORTS.items()]

    # --- groups, limits, mounts --------------------------------------------------------------------

    def groups(self, request: Request) -> Answer:
        if _plain(request):
            return ok([group.name for group in RESOURCE_GROUPS])
        return ok([{"resourceGroup": g.name, "acceleratorType": g.accelerator, "nodeNumber": g.nodes}
                   for g in RESOURCE_GROUPS])

    def limits(self, request: Request) -> Answer:
        name, accelerator = _one(request, "resourceGroup"), _one(request, "acceleratorType")
        missing = [key for key, value in (("resourceGroup", name), ("acceleratorType", accelerator)) if not value]
        if missing:
            return api_error("10003", ", ".join(missing))
        group = serving(name, accelerator)
        if isinstance(group, Answer):
            return group
        limits = {"cpuNumber": group.cpus, "gpuNumber": group.cards, "memorySize": group.memory_mb}
        # The card quota of the group's own kind: every card of every node; none of the others.
        limits |= {key: group.cards * group.nodes if kind == group.accelerator else 0
                   for kind, key in _CARD_LIMITS.items()}
        return ok(limits | {"nodeNumber": group.nodes, "maxTime": group.max_time, "resourceGroup": group.name,
                            "id": None, "userName": None})

    def mount_dirs(self, request: Request) -> Answer:
        return ok([{"path": path} for path in MOUNT_DIRS] if _plain(request) else list(MOUNT_DIRS))

    # --- instances ---------------------------------------------------------------------------------

    def create(self, request: Request) -> Answer:
        given = json_object(request.body)
        if isinstance(given, Answer):
            return given
        launch = launch_fields(given)
        if isinstance(launch, Answer):
            return launch
        region = _region(request)
        with self.lock:
            now = self.scheduler.now()
            if self.scheduler.active_in(region) >= ACTIVE_QUOTA:
                return api_error("716865", _QUOTA)
            if sum(1 for item in self.instances.values() if item.region == region) >= MAX_INSTANCES:
                return api_error("716865", f"超出实例数量上限 (at most {MAX_INSTANCES} instances: delete some)")
            instance_id, order = self.scheduler.new_id(launch["name"])
            self.scheduler.add(Instance(instance_id, region, order, created=now, **launch), now)
        return ok(self.dialect.created(instance_id))

    def list_tasks(self, request: Request) -> Answer:
        filters = list_filters(request)
        if isinstance(filters, Answer):
            return filters
        names = [name.lower() for name in filters["names"]]
        with self.lock:
            now = self.scheduler.now()
            rows = [
                item for item in self.instances.values()
                if item.region == _region(request)
                and filters["status"] in ("", item.status) and filters["taskType"] in ("", item.task_type)
                and (not names or any(name in item.name.lower() for name in names))
            ]
            rows.sort(key=lambda item: (item.created, item.order), reverse=filters["sort"] == "desc")
            start = filters["start"]
            records = [self.dialect.record(self._record(item, now)) for item in rows[start : start + filters["limit"]]]
        return ok(records if _plain(request) else {"total": len(rows), "list": records})

    def detail(self, request: Request) -> Answer:
        with self.lock:
            now = self.scheduler.now()
            instance = self._find(request, request.params["id"])
            return instance if isinstance(instance, Answer) else ok(self.dialect.record(self._record(instance, now)))

    def url(self, request: Request) -> Answer:
        with self.lock:
            self.scheduler.now()  # brings every instance up to the clock before it is read
            instance = self._find(request, request.params["id"])
            if isinstance(instance, Answer):
                return instance
            ports, status = self._ports(instance), instance.status
        if status != "Running":
            return api_error("10004", "实例未运行 (not running)")
        # A web task's entry is its HTTP service; an SSH task's its SSH port (22).
        entry = next((port for port in ports if port["protocolType"] == "HTTP"),
                     next(port for port in ports if port["containerPort"] == "22"))
        return ok(entry["accessUrl"])

    def restart(self, request: Request) -> Answer:
        instance_id = _one(request, "instanceServiceId")
        if not instance_id:
            return api_error("10003", "instanceServiceId")
        with self.lock:
            now = self.scheduler.now()
            instance = self._find(request, instance_id)
            if isinstance(instance, Answer):
                return instance
            if instance.active:
                return api_error("10004", "实例运行中,无需重启")
            if self.scheduler.active_in(instance.region) >= ACTIVE_QUOTA:
                return api_error("716865", _QUOTA)
            self.scheduler.restart(instance, now)
        return ok(instance.id)

    def stop(self, request: Request) -> Answer:
        with self.lock:
            now = self.scheduler.now()
            found = self._find_all(request)
            if isinstance(found, Answer):
                return found
            for instance in found:  # a final one stays as it is
                self.scheduler.stop(instance, now)
        return ok(None)

    def delete(self, request: Request) -> Answer:
        with self.lock:
            self.scheduler.now()
            found = self._find_all(request)
            if isinstance(found, Answer):
                return found
            if any(instance.active for instance in found):  # all or nothing, like one transaction
                return api_error("716866", "请先停止实例 (stop it first)")
            for instance in found:
                self.scheduler.remove(instance)
        return ok(None)

    def execute(self, request: Request) -> Answer:
        """Run a script in a running instance: checked and accepted (`data` null); nothing runs."""
        given = json_object(request.body)
        if isinstance(given, Answer):
            return given
        fields = script_fields(given)
        if isinstance(fields, Answer):
            return fields
        with self.lock:
            self.scheduler.now()
            instance = self._find(request, fields["id"])
            if isinstance(instance, Answer):
                return instance
            if instance.status != "Running":
                return api_error("716864", "实例未运行 (not running)")
        return ok(None)

    def resize(self, request: Request) -> Answer:
        """Change an instance's cores, cards and memory within its group's limits."""
        given = json_object(request.body)
        if isinstance(given, Answer):
            return given
        fields = resize_fields(given)
        if isinstance(fields, Answer):
            return fields
        with self.lock:
            self.scheduler.now()
            instance = self._find(request, fields["id"])
            if isinstance(instance, Answer):
                return instance
            group = instance.group
            for key, value, most in (("cpuNumber", fields["cpus"], group.cpus), ("gpuNumber", fields["cards"], group.cards),
                                     ("ramSize", fields["ram_mb"], group.memory_mb)):
                if value > most:
                    return api_error("716865", f"资源超出资源组上限 ({key} {value} > {most})")
            instance.cpus, instance.cards, instance.ram_mb = fields["cpus"], fields["cards"], fields["ram_mb"]
        return ok(None)

    # --- the access pages --------------------------------------------------------------------------

    def _page_of(self, task_type: str) -> Callable[[Request], Answer]:
        def page(request: Request) -> Answer:
            instance_id = request.params["id"]
            with self.lock:
                self.scheduler.now()
                instance = self.instances.get(instance_id)
                if instance is None or instance.task_type != task_type:
                    return _html(404, "404 Not Found", "no such instance here")
                name, status = instance.name, instance.status
            given = (request.query.get("token") or [""])[-1]
            if not hmac.compare_digest(given.encode(), f"sothisai_{instance_id}".encode()):
                return _html(403, "403 Forbidden", "the token in the address is missing or wrong")
            if status != "Running":  # the gateway has nothing to forward to
                return _html(502, "502 Bad Gateway", f"the instance is {status}")
            return _html(200, f"SCNet demo — {task_type}",
                         f"SCNet demo — {task_type} of instance {html.escape(name)}; nothing is really started")

        return page

    # --- answers -----------------------------------------------------------------------------------

    def _find(self, request: Request, instance_id: str) -> Instance | Answer:
        """The instance of the request's region with this id, or the 10004 that says there is none."""
        instance = self.instances.get(instance_id)
        if instance is None or instance.region != _region(request):
            return api_error("10004", f"实例不存在 (no instance {instance_id[:40]!r})")
        return instance

    def _find_all(self, request: Request) -> list[Instance] | Answer:
        """The instances `ids` names (repeated, or comma-joined as Spring also reads an array)."""
        ids = [part for value in request.query.get("ids", []) for part in value.split(",") if part]
        if not ids:
            return api_error("10003", "ids")
        found = [self._find(request, instance_id) for instance_id in dict.fromkeys(ids)]
        refused = next((item for item in found if isinstance(item, Answer)), None)
        return refused or found  # type: ignore[return-value]

    def _ports(self, instance: Instance) -> list[dict[str, str]]:
        """The task's own ports, and those create asked for (echoed as asked); an access URL
        each while it runs, none before."""
        ports = []
        if instance.task_type in HTTP_PORTS:
            port, prefix = HTTP_PORTS[instance.task_type]
            url = f"{self.base_url()}/{prefix}/{instance.id}/?token=sothisai_{instance.id}"
            ports.append({"accessUrl": url, "containerPort": port, "protocolType": "HTTP"})
        ssh = f"ssh://root@127.0.0.1:{20000 + int(instance.id[:4], 16) % 10000}"
        ports.append({"accessUrl": ssh, "containerPort": "22", "protocolType": "SSH"})
        for port, protocol in instance.ports:
            if all(port != known["containerPort"] for known in ports):
                forwarded = 30000 + (int(instance.id[:4], 16) + int(port)) % 10000
                url = (f"ssh://root@127.0.0.1:{forwarded}" if protocol == "SSH"
                       else f"{self.base_url()}/port-forward/{instance.id}/{port}/?token=sothisai_{instance.id}")
                ports.append({"accessUrl": url, "containerPort": port, "protocolType": protocol})
        if instance.status != "Running":
            return [] if not instance.ports else [{**port, "accessUrl": ""} for port in ports
                                                  if any(port["containerPort"] == p for p, _ in instance.ports)]
        return ports

    def _record(self, instance: Instance, now: float) -> dict[str, Any]:
        """Every field of the detail page, as it stands at `now`."""
        started = instance.started if instance.status == "Running" else None
        limit = seconds_of(instance.time_limit)
        remaining = "--"
        if started is not None:
            remaining = "unlimited" if limit is None else clock_text(started + limit - now)
        return {
            "id": instance.id, "instanceServiceName": instance.name, "status": instance.status,
            "taskType": instance.task_type, "acceleratorType": instance.accelerator,
            "resourceGroup": instance.group.name, "cpuNumber": instance.cpus, "gpuNumber": instance.cards,
            "ramSize": instance.ram_mb,
            "resourceSpec": f"{instance.cpus} 核心; {instance.cards} 加速器; {instance.ram_mb / 1024:.1f}G 内存",
            "taskNumber": instance.tasks, "currentIndex": 0, "timeoutLimit": instance.time_limit,
            "userName": DEMO_ACCOUNTS[0].user, "version": instance.version, "imagePath": instance.image_path,
            "description": instance.description, "createTime": beijing(instance.created),
            "startTime": beijing(instance.started), "endTime": beijing(instance.ended),
            "duration": clock_text(now - started) if started is not None else "--",
            "remainingTime": remaining, "tensorboardId": None, "tensorboardPath": None,
            # The first container's task id: stable, and distinct from the instance's.
            "headerNotebookId": hashlib.sha256(f"header:{instance.id}".encode()).hexdigest()[:32],
            "headerNotebookIp": None,
            "mountInfoList": [{"sourcePath": source, "type": kind} for source, kind in instance.mounts],
            "containerPortInfoList": self._ports(instance), "useStartScript": instance.use_script,
            "startScriptContent": instance.script, "startScriptPath": None,
            "startScriptActionScope": instance.script_scope,
        }


def _region(request: Request) -> str:
    return request.region.cluster_id if request.region is not None else ""


def _plain(request: Request) -> bool:
    return request.region is not None and request.region.plain_lists


def _one(request: Request, key: str) -> str:
    return (request.query.get(key) or [""])[-1].strip()


def _html(status: int, title: str, text: str) -> Answer:
    page = f"<!DOCTYPE html><html><head><title>{title}</title></head><body><p>{text}</p></body></html>"
    return Answer(status, page.encode(), "text/html; charset=utf-8")
