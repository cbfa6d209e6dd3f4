"""`run`, `ps`, `url`, `restart`, `stop`, `rm`: container instances from the shell.

`run` resolves the image exactly like `path`, fills in what was not given the way the
browser's launch form does (`tui/launch.py`), checks it against the group's limits, and
only then, after a confirmation (or `--yes`), asks the platform to create the instance.
None of this imports Textual.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any, Sequence, TextIO

from ..api.container_models import status_word
from ..i18n import N_, _, ngettext
from .connect import add_connection_options, connected
from .exits import EXIT_CODES_HELP, EXIT_NO_MATCH, EXIT_OK, EXIT_OUTCOME_UNKNOWN, EXIT_USAGE
from .catalogs import add_filter_options, fetch_images
from .lookup import resolve_image
from .instance_refs import resolve_instances
from .output import aligned_lines, say, terminal_width, warn, write_csv, write_json

if TYPE_CHECKING:
    from ..api.container_models import Instance, LaunchSpec

EXIT_API = 5
# How often `run --wait` asks how the instance is doing, and for how long at most by default.
WAIT_POLL_SECONDS = 2.0
WAIT_DEFAULT_SECONDS = 600.0
# The columns of `ps` (translated when shown).
PS_HEADERS = (N_("ID"), N_("NAME"), N_("STATUS"), N_("TYPE"), N_("IMAGE"), N_("RESOURCES"), N_("GROUP"), N_("CREATED"),
              N_("RUN TIME"))
PS_CSV_FIELDS = ("id", "instanceServiceName", "status", "taskType", "acceleratorType", "resourceGroup",
                 "cpuNumber", "gpuNumber", "ramSize", "imagePath", "version", "createTime", "startTime",
                 "endTime", "duration", "timeoutLimit")


def register(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser(
        "run",
        help=_("launch a container instance from an image"),
        description=_(
            "Launch a container instance from the image TERMS name (found exactly like `path`). "
            "What is not given takes the browser's defaults: the region's first resource group "
            "that serves the image's accelerator, 1 CPU core, 1 accelerator card (none for a CPU "
            "image), 4G of memory, one hour, the task type from the image type."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_(
            "examples:\n"
            "  scnet-images run --yes vllm 0.9.2 dtk25.04.2\n"
            "  scnet-images run --dry-run --type jupyter --cpus 8 --memory 32G jupyterlab-pytorch 2.9.0 dtk25.04.2\n"
            "  scnet-images run --yes --wait --time 2:00:00 pytorch:2.4.1-ubuntu22.04-dtk25.04-py3.10\n"
        ) + "\n" + _(EXIT_CODES_HELP),
    )
    run.add_argument("terms", nargs="+", metavar="TERM", help=_("search terms, or an exact name:tag or path"))
    add_filter_options(run, cache_flags=False)
    run.add_argument("--name", help=_("instance name (default: the image's name and the time)"))
    run.add_argument("--type", dest="task_type", choices=("ssh", "jupyter", "codeserver", "rstudio"),
                     help=_("task type (default: jupyter for a JupyterLab image, ..., ssh for the rest)"))
    run.add_argument("--group", help=_("resource group (default: the first that serves the image's accelerator)"))
    run.add_argument("--cpus", type=int, help=_("CPU cores (default 1)"))
    run.add_argument("--accelerators", type=int, help=_("accelerator cards (default 1; 0 for a CPU image)"))
    run.add_argument("--memory", help=_("memory: 32G, 16384M (default 4G)"))
    run.add_argument("--time", help=_("run time limit: 2:00:00, 2h, 90m or unlimited (default 1 hour)"))
    run.add_argument("--script", metavar="FILE", type=argparse.FileType("r", encoding="utf-8"),
                     help=_("a start script to run in the container"))
    run.add_argument("--mount", action="append", default=[], metavar="SRC[:DST]",
                     help=_("mount an allowed directory (repeatable)"))
    run.add_argument("--wait", action="store_true", help=_("follow the instance until it runs (print its URL) or fails"))
    run.add_argument("--wait-timeout", type=float, default=WAIT_DEFAULT_SECONDS, metavar="SECONDS",
                     help=_("how long --wait waits (default {seconds:g})").format(seconds=WAIT_DEFAULT_SECONDS))
    run.add_argument("--dry-run", action="store_true", help=_("print the request body (JSON) and send nothing"))
    run.add_argument("-y", "--yes", action="store_true", help=_("launch without asking"))
    add_connection_options(run, argparse.SUPPRESS)
    run.set_defaults(run=run_launch)

    ps = commands.add_parser("ps", help=_("list your container instances"),
                             description=_("List your container instances in the region."))
    ps.add_argument("--status", choices=("Running", "Deploying", "Waiting", "Terminated", "Failed", "Completed"))
    ps.add_argument("-f", "--format", choices=("table", "json", "csv"), default="table",
                    help=_("table (default), json (the platform's field names) or csv"))
    ps.add_argument("--show-secrets", action="store_true",
                    help=_("print access URLs with their credentials (token=...) unmasked in json and csv"))
    add_connection_options(ps, argparse.SUPPRESS)
    ps.set_defaults(run=run_ps)

    url = commands.add_parser("url", help=_("print an instance's access URL"),
                              description=_("Print the access URL of a running instance (for an SSH one, its ssh "
                                            "command). ID may be a unique prefix of the id, or the instance's name."))
    url.add_argument("id", metavar="ID")
    add_connection_options(url, argparse.SUPPRESS)
    url.set_defaults(run=run_url)

    for name, verb, description, asks in (
        ("restart", _("restart stopped or failed instances"), _("Restart stopped or failed instances."), True),
        ("stop", _("stop instances"), _("Stop instances."), True),
        ("rm", _("delete stopped instances"), _("Delete stopped instances."), True),
    ):
        action = commands.add_parser(name, help=verb, description=description + " " + _(
            "Each ID may be a unique prefix of an instance's id, or its name."))
        action.add_argument("ids", nargs="+", metavar="ID")
        if asks:
            action.add_argument("-y", "--yes", action="store_true", help=_("do not ask"))
        add_connection_options(action, argparse.SUPPRESS)
        action.set_defaults(run=run_action, action=name)


# --- run ------------------------------------------------------------------------------------------------------


def run_launch(args: argparse.Namespace) -> int:
    from datetime import datetime

    from ..api import containers
    from ..api.errors import ScnetError
    from ..launch import accelerator_of, check_launch, parse_memory, parse_mount, parse_time_limit, plan_launch

    try:
        memory = parse_memory(args.memory) if args.memory else None
        time_limit = parse_time_limit(args.time) if args.time else None
        mounts = [parse_mount(text) for text in args.mount]
    except ValueError as problem:
        say(str(problem))
        return EXIT_USAGE
    script = args.script.read() if args.script else ""
    with connected(args) as client:
        image = resolve_image(fetch_images(client, args).images, args.terms)
        if isinstance(image, int):
            return image
        choices = containers.launch_choices(client, accelerator_of(image), args.group)
        limits = choices.limits
        spec = plan_launch(image, now=datetime.now(), group=limits.group, name=args.name, task_type=args.task_type,
                           cpus=args.cpus, cards=args.accelerators, memory_mb=memory, time_limit=time_limit,
                           start_script=script, mounts=mounts, limits=limits)
        problems = check_launch(spec, limits, choices.mount_dirs)
        if problems:
            say(_("not launched: {problems}").format(problems="; ".join(problems)))
            return EXIT_USAGE
        if args.dry_run:
            write_json(spec.body(), sys.stdout)
            return EXIT_OK
        if not args.yes:
            answer = _confirmed(_summary(spec), _("Launch it?"))
            if answer is not True:
                return answer
        try:
            instance_id = containers.create_instance(client, spec)
        except ScnetError:
            raise
        except (KeyboardInterrupt, Exception) as error:  # after it was sent: it may have happened
            say(_("interrupted ({kind}) after the launch of {name} was sent: it may have been launched; "
                  "`scnet-images ps` lists your instances").format(kind=type(error).__name__, name=spec.name))
            return EXIT_OUTCOME_UNKNOWN
        print(instance_id, flush=True)
        return _wait(client, instance_id, args.wait_timeout) if args.wait else EXIT_OK


def _summary(spec: LaunchSpec) -> str:
    from .. import i18n

    parts = [ngettext("{count} core", "{count} cores", spec.cpus).format(count=spec.cpus)]
    if spec.cards:
        parts.append(ngettext("{count} {accelerator} card", "{count} {accelerator} cards", spec.cards).format(
            count=spec.cards, accelerator=spec.accelerator_type.upper()))
    parts.append(f"{spec.memory_mb} MB")
    return _("{name}: {version} as {task_type} in {group}, {resources}, time limit {time_limit}").format(
        name=spec.name, version=spec.version, task_type=spec.task_type, group=spec.group,
        resources=i18n.join(parts), time_limit=spec.time_limit)


def _confirmed(summary: str, question: str) -> bool | int:
    """Ask on the terminal: True to go ahead, else the exit code (0 when the answer is no,
    64 off a terminal, where --yes is needed). The question and the summary go to stderr
    (`id=$(scnet-images run ...)` captures only the result), the answer comes from stdin."""
    if not sys.stdin.isatty():
        say(_("{summary} — not done: pass --yes to do it without a terminal to ask on").format(summary=summary))
        return EXIT_USAGE
    sys.stderr.write(f"{summary}\n{question} [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline()
    if answer.strip().lower() in ("y", "yes"):
        return True
    if not answer:  # end of input: the line the prompt is on is left open
        sys.stderr.write("\n")
    say(_("Nothing was done."))
    return EXIT_OK


def _wait(client: Any, instance_id: str, timeout: float) -> int:
    """Follow the instance until it runs (print its access URL) or fails or stops."""
    from ..api import containers
    from ..api.errors import ApiError

    ends = time.monotonic() + timeout
    said = ""
    while True:
        instance = containers.instance_detail(client, instance_id)
        if instance.status != said:
            say(_("{id}: {status}").format(id=instance_id, status=status_word(instance.status) if instance.status
                                           else _("unknown status")))
            said = instance.status
        if instance.status == "Running":
            return _print_entry(instance, containers.access_url(client, instance_id), sys.stdout)
        if instance.final:
            raise ApiError(_("Instance {id} is {status}").format(id=instance_id, status=status_word(instance.status)),
                           _("see `scnet-images ps`; the platform's console has its logs"))
        if time.monotonic() > ends:
            say(_("{id} is still {status} after {timeout:g}s; follow it with `scnet-images ps`").format(
                id=instance_id, status=status_word(instance.status), timeout=timeout))
            return EXIT_API
        time.sleep(WAIT_POLL_SECONDS)


# --- ps, url and the actions ------------------------------------------------------------------------------


def run_ps(args: argparse.Namespace) -> int:
    from ..api import containers

    with connected(args) as client:
        listed = containers.list_instances(client, status=args.status)
    for warning in containers.list_warnings(listed):
        warn(warning)
    print_instances(listed.instances, args.format, sys.stdout, show_secrets=args.show_secrets)
    return EXIT_OK


def print_instances(instances: Sequence[Instance], fmt: str, out: TextIO, *, show_secrets: bool = False) -> None:
    from ..links import masked_fields
    from ..safe_text import printable

    records = [dict(instance.raw) if show_secrets else masked_fields(instance.raw) for instance in instances]
    if fmt == "json":
        write_json(records, out)
    elif fmt == "csv":
        write_csv(PS_CSV_FIELDS, records, out)
    else:
        rows = [
            tuple(printable(cell) for cell in (
                instance.id, instance.name, status_word(instance.status), instance.task_type, instance.version,
                instance.resources, instance.resource_group, instance.create_time, instance.duration,
            ))
            for instance in instances
        ]
        headers = tuple(_(header) for header in PS_HEADERS)
        # At 80 columns the whole id, name, status and run time stay; the rest leave in this order.
        drop = tuple(headers[PS_HEADERS.index(name)] for name in ("GROUP", "CREATED", "TYPE", "RESOURCES", "IMAGE"))
        floors = {_(name): width for name, width in (("NAME", 12), ("IMAGE", 16), ("RESOURCES", 12), ("CREATED", 11))}
        for line in aligned_lines(headers, rows, fit=terminal_width(out), keep=(headers[0], headers[2]), drop=drop,
                                  floors=floors):
            out.write(line + "\n")
        if not rows:
            say(_("no container instances in this region"))


def run_url(args: argparse.Namespace) -> int:
    from ..api import containers

    with connected(args) as client:
        found = resolve_instances(client, [args.id])
        if isinstance(found, int):
            return found
        instance = found[0]
        if instance.status != "Running":  # the platform would answer "a parameter is invalid"
            from ..safe_text import printable

            name, status = printable(instance.name or instance.id), status_word(instance.status)
            if instance.final:
                say(_("{name} is {status}: only a running instance has an access URL (`scnet-images restart {id}` "
                      "starts it again)").format(name=name, status=status, id=instance.id))
            else:
                say(_("{name} is {status}: its access URL comes once it runs (`scnet-images ps` shows when)").format(
                    name=name, status=status))
            return EXIT_NO_MATCH
        return _print_entry(instance, containers.access_url(client, instance.id), sys.stdout)


def _print_entry(instance: Instance, url: str, out: TextIO) -> int:
    """Print how to reach the instance, checked first: its access URL, or for an instance
    reached over SSH (the URL an ssh:// address) the `ssh -p PORT user@host` command."""
    from ..links import ssh_command, url_problem
    from ..safe_text import printable

    if url.startswith("ssh://") or (url_problem(url) and instance.task_type == "ssh"):
        line = ssh_command(url)
        if line.text:
            out.write(line.text + "\n")
            return EXIT_OK
        problem = line.problem
    else:
        problem = url_problem(url)
    if problem:
        say(_("refusing to print the access URL {url}: {problem}").format(url=repr(printable(url[:80])), problem=problem))
        return 6
    out.write(url + "\n")
    return EXIT_OK


# What each action says once done (translated when said).
ACTIONS = {"restart": N_("Restarted {id}"), "stop": N_("Stopped {id}"), "rm": N_("Deleted {id}")}


def _out_of_step(action: str, instance: Instance) -> str | None:
    """Why `action` makes no sense in the instance's state as listed (nothing is sent then)."""
    from ..safe_text import printable

    name, status = printable(instance.name or instance.id), status_word(instance.status)
    if action == "stop" and instance.final:
        return _("{name} has already stopped ({status}); nothing was sent").format(name=name, status=status)
    if action in ("restart", "rm") and (instance.busy or instance.status == "Running"):
        if action == "restart":
            return _("{name} is {status}: nothing to restart; nothing was sent").format(name=name, status=status)
        return _("{name} is {status}: stop it first (`scnet-images stop {id}`); nothing was sent").format(
            name=name, status=status, id=instance.id)
    return None


def _asking(action: str, ids: Sequence[str]) -> str:
    """What an action says while asking whether to go ahead."""
    count = len(ids)
    if action == "restart":
        template = ngettext("Restart {count} instance: {ids}", "Restart {count} instances: {ids}", count)
    elif action == "stop":
        template = ngettext("Stop {count} instance: {ids}", "Stop {count} instances: {ids}", count)
    else:
        template = ngettext("Delete {count} instance: {ids}", "Delete {count} instances: {ids}", count)
    return template.format(count=count, ids=" ".join(ids))


def run_action(args: argparse.Namespace) -> int:
    """restart, stop or rm each ID in turn: a refusal names the instance and its reason, and
    the others go on; the exit code is the first failure's."""
    from ..api import containers
    from ..api.errors import ScnetError
    from ..safe_text import printable

    done = ACTIONS[args.action]
    calls = {"restart": containers.restart_instance,
             "stop": lambda client, one: containers.stop_instances(client, [one]),
             "rm": lambda client, one: containers.delete_instances(client, [one])}
    code = EXIT_OK
    with connected(args) as client:
        found = resolve_instances(client, args.ids)
        if isinstance(found, int):
            return found
        # What the instance's state makes pointless is not sent (the platform would refuse it).
        for instance in found:
            said = _out_of_step(args.action, instance)
            if said is not None:
                say(said)
                code = code or (EXIT_OK if args.action == "stop" else 1)
        found = [instance for instance in found if _out_of_step(args.action, instance) is None]
        if not found:
            return code
        if getattr(args, "yes", True) is False:
            answer = _confirmed(_asking(args.action, [f"{i.id} ({printable(i.name)})" for i in found]), _("Go ahead?"))
            if answer is not True:
                return answer
        for instance in found:
            try:
                calls[args.action](client, instance.id)
            except ScnetError as error:
                say(_("{id}: {problem}").format(id=instance.id, problem=error))
                code = code or error.exit_code
                continue
            except (KeyboardInterrupt, Exception) as error:  # after it was sent: it may have happened
                say(_("{id}: interrupted ({kind}) after the request was sent: it may have happened; `scnet-images ps` "
                      "shows where it stands").format(id=instance.id, kind=type(error).__name__))
                return EXIT_OUTCOME_UNKNOWN
            print(_(done).format(id=instance.id), flush=True)
    return code
