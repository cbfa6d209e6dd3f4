"""`scnet-images demo-server`: the embedded demo API on its own, for curl and other tools."""

from __future__ import annotations

import argparse

from ..i18n import _, ngettext
from .exits import EXIT_NETWORK, EXIT_OK, EXIT_USAGE
from .output import say


def register(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser(
        "demo-server",
        help=_("run the embedded SCNet-compatible demo API"),
        description=_("Run the demo API standalone, for curl and other tools."),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_(
            "examples:\n"
            "  scnet-images demo-server --port 8765\n"
            "  scnet-images demo-server --images 100000 --fault latency:0.5\n"
            "  scnet-images demo-server --fault status:502x2   # two 502s, then answers\n"
            "  scnet-images demo-server --fault status:504x1@create   # one create done, its answer lost\n\n"
            "faults: latency:SECONDS, status:HTTP_STATUS, code:API_CODE, drop (no answer),\n"
            "        malformed:(html|not-json|array|data-string|no-code|empty); add xN for N times,\n"
            "        @CALL for one call only (images, list, detail, url, create, restart, stop, delete, ...);\n"
            "        aimed at create, restart, stop or delete, a fault strikes after the call was done\n"
        ),
    )
    demo.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default 127.0.0.1)"))
    demo.add_argument("--port", type=int, default=0, help=_("port (default: any free port)"))
    demo.add_argument("--token", default=None, help=_("the token clients must send (default scnet-demo-token)"))
    demo.add_argument("--images", type=int, default=None, help=_("serve N synthetic images instead of the demo catalog"))
    demo.add_argument(
        "--shape", choices=("list", "object", "null", "wrapped"), default="list", help=_("shape of `data`")
    )
    demo.add_argument("--fault", action="append", default=[], metavar="SPEC", help=_("inject a fault (repeatable)"))
    demo.add_argument(
        "--dialect", choices=("default", "live"), default="default",
        help=_("live: answer in the stricter forms seen on the live platform (instance list only at task/list, "
               "ids as instanceServiceId, errors with message, sort required, one region answering 404)"),
    )
    demo.add_argument(
        "--token-lifetime",
        type=float,
        default=24 * 3600,
        metavar="SECONDS",
        help=_("lifetime of the tokens its login calls issue (default a day; short to try renewal)"),
    )
    demo.add_argument(
        "--deploy-seconds",
        type=float,
        default=3.0,
        metavar="SECONDS",
        help=_("how long a launched container instance deploys before it runs (default 3)"),
    )
    demo.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..demo.catalog import synthetic_catalog
    from ..demo.server import DEMO_TOKEN, DemoServer, Fault

    try:
        faults = [Fault.parse(spec) for spec in args.fault]
    except ValueError as exc:
        say(_("bad --fault: {problem}").format(problem=exc))
        return EXIT_USAGE
    images = synthetic_catalog(args.images) if args.images is not None else None
    token = args.token or DEMO_TOKEN
    try:
        server = DemoServer(
            images, token=token, host=args.host, port=args.port, shape=args.shape, token_lifetime=args.token_lifetime,
            deploy_seconds=args.deploy_seconds, signing_key=_signing_key(), dialect=args.dialect,
        )
    except OSError as exc:
        say(_("cannot listen on {host}:{port}: {problem}").format(host=args.host, port=args.port, problem=exc.strerror))
        return EXIT_NETWORK
    for fault in faults:
        server.inject(fault.kind, fault.value, fault.times, fault.call)
    url = server.base_url + "/ai/openapi/v2/instance-service/images"
    count = len(server.images)
    print(ngettext("SCNet demo API on {url}  ({count} image)", "SCNet demo API on {url}  ({count} images)", count)
          .format(url=server.base_url, count=count), flush=True)
    print("  " + _("token: {token}").format(token=token))
    print("  " + _("try:"))
    print(f"    curl --location --request GET '{url}' \\")
    print(f"      --header 'token: {token}' --header 'Content-Type: application/json' \\")
    print("      --data '{\"acceleratorType\": \"dcu\", \"imageType\": \"Base\"}'")
    print(f"    SCNET_BASE_URL={server.base_url} SCNET_TOKEN={token} scnet-images")
    print(_("  log in to its regions (user demo, org id demo-org, password demo-password;\n"
            "  or access key demo-access-key with SCNET_SECRET_KEY=demo-secret-key):"))
    print(f"    scnet-images login --ac-url {server.base_url}")
    print("  " + _("Ctrl-C stops it."), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return EXIT_OK


def _signing_key() -> bytes | None:
    """The key the standalone demo signs its login tokens with, kept in the user's data folder
    (mode 600) so that a restarted demo still accepts the logins stored before; None (a fresh
    key, logins lost on restart) when it cannot be kept."""
    import os
    import secrets

    import platformdirs

    path = platformdirs.user_data_path("scnet-images") / "demo-signing-key"
    try:
        return bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError):
        pass
    key = secrets.token_bytes(32)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(key.hex())
    except OSError:
        return None
    return key
