"""`scnet-images login` (and the registration of `profiles` and `logout`, in `profiles.py`):
connecting an account, like `gh auth login`.

Login asks for what it needs (the password and secret key hidden, never taken
from a flag), gets every region's token, looks up each region's AI address,
lets the user pick the default region and stores one profile per region. The
prompts are parameters so tests can answer them.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

from ..api.addresses import host_of, is_http_url, shown_url
from ..api.errors import ConfigError
from ..api.options import ClientOptions
from ..config import config_path
from ..config_values import parse_timeout
from ..i18n import _, ngettext
from ..safe_text import printable
from .connect import add_transport_options
from .exits import EXIT_CODES_HELP, EXIT_USAGE
from .login_regions import Prompts, Region, UsageError, choose_default, login_says, regions_of, tell
from .output import hide, safe_line

if TYPE_CHECKING:
    pass

# The platform hosts (as in tui.api.auth, which is imported only when a login runs: it loads httpx).
DEFAULT_AC_URL = "https://www.scnet.cn"
DEFAULT_AUTH_URL = "https://api.scnet.cn"

ENV_SECRET_KEY = "SCNET_SECRET_KEY"
ENV_AC_URL = "SCNET_AC_URL"


def register(commands: argparse._SubParsersAction) -> None:
    login = commands.add_parser(
        "login",
        help=_("log in and store a profile per region"),
        description=_(
            "Log in to SCNet with your password (asked for, hidden) or an access key, look up "
            "each region's AI address, and store one profile per region in the config file "
            "(mode 600). The password and secret key are never stored."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_(
            "examples:\n"
            "  scnet-images login                                  asks for user, org id, password\n"
            "  scnet-images login --user alice --org-id 6048ce7b   asks for the password only\n"
            "  pass show scnet | scnet-images login --user alice --org-id 6048ce7b --password-stdin\n"
            "  SCNET_SECRET_KEY=... scnet-images login --user alice --access-key AK\n"
            "  scnet-images login --ac-url http://127.0.0.1:8765   against `scnet-images demo-server`\n"
        ) + "\n" + _(EXIT_CODES_HELP),
    )
    login.add_argument("--user", default=None, help=_("SCNet user name (asked for when missing)"))
    login.add_argument("--org-id", default=None, help=_("organisation id, for the password login (asked for when missing)"))
    way = login.add_mutually_exclusive_group()
    way.add_argument(
        "--password-stdin", action="store_true", help=_("read the password from standard input (for scripts)")
    )
    way.add_argument(
        "--access-key",
        default=None,
        metavar="KEY",
        help=_("log in with this access key; the secret key comes from SCNET_SECRET_KEY or a prompt"),
    )
    login.add_argument("--region", default=None, help=_("the default region: its id or a part of its name"))
    login.add_argument(
        "--allow-http",
        action="store_true",
        help=_("store a region address the platform names over plain http even though it was asked over https"),
    )
    login.add_argument(
        "--ac-url", default=None, help=_("the platform host (default {url}, or SCNET_AC_URL)").format(url=DEFAULT_AC_URL)
    )
    login.add_argument(
        "--auth-url",
        default=None,
        help=_("the access-key login host (default {url}; the --ac-url when that is given)").format(url=DEFAULT_AUTH_URL),
    )
    # SUPPRESS: given before the command (`scnet-images --insecure login`), they still count.
    add_transport_options(login, argparse.SUPPRESS)
    login.add_argument(
        "--image-api",
        choices=("auto", "get", "post"),
        default=argparse.SUPPRESS,
        help=_("image-list call for the new profiles"),
    )

    login.set_defaults(run=lambda args: run_account_command("login", args))
    profiles = commands.add_parser(
        "profiles",
        help=_("list the stored profiles (tokens masked), or remove some"),
        description=_("List the profiles of the config file: region, address, user, masked token, time left."),
        epilog=_("examples:\n  scnet-images profiles\n  scnet-images profiles rm alice-20091"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    profiles.set_defaults(run=lambda args: run_account_command("profiles", args))
    removing = profiles.add_subparsers(dest="profiles_action", metavar="rm")
    remove = removing.add_parser("rm", help=_("remove profiles, with their tokens and settings"))
    remove.add_argument("names", nargs="+", metavar="PROFILE")
    remove.set_defaults(run=lambda args: run_account_command("forget", args))
    logout = commands.add_parser(
        "logout",
        help=_("remove stored tokens"),
        description=_("Remove the stored token of the named profiles, or of every profile."),
    )
    logout.add_argument("names", nargs="*", metavar="PROFILE", help=_("profiles to log out (default: all)"))
    logout.add_argument("--forget", action="store_true", help=_("remove the profiles too, not only their tokens"))
    logout.set_defaults(run=lambda args: run_account_command("logout", args))


def run_account_command(command: str, args: argparse.Namespace, prompts: Prompts | None = None) -> int:
    """Run `login`, `profiles` or `logout`; returns the exit code."""
    from .profiles import logout, print_profiles  # the profile store is read only when one runs

    path = config_path()
    if command == "profiles":
        return print_profiles(path, sys.stdout)
    if command == "logout":
        return logout(path, args.names, sys.stdout, forget=args.forget)
    if command == "forget":
        return logout(path, args.names, sys.stdout, forget=True)
    if prompts is None:
        prompts = Prompts(interactive=sys.stdin.isatty())
    return login(args, path, prompts, sys.stdin, sys.stdout)


# --- login ----------------------------------------------------------------------


def _answer(value: str | None, prompt: str, prompts: Prompts, missing: str, empty: str) -> str:
    """`value`, else what the user answers `prompt`; `missing` and `empty` say why not."""
    if value:
        return value.strip()
    if not prompts.interactive:
        raise UsageError(missing)
    answer = prompts.ask(prompt).strip()
    if not answer:
        raise UsageError(empty)
    return answer


def _secret(prompt: str, prompts: Prompts, missing: str, empty: str) -> str:
    if not prompts.interactive:
        raise UsageError(missing)
    answer = prompts.ask_secret(prompt)
    if not answer:
        raise UsageError(empty)
    return answer


def login(args: argparse.Namespace, path: Any, prompts: Prompts, stdin: TextIO, out: TextIO) -> int:
    ac_url = _address(args.ac_url or os.environ.get(ENV_AC_URL) or DEFAULT_AC_URL, "--ac-url")
    auth_url = _address(args.auth_url or args.ac_url or os.environ.get(ENV_AC_URL) or DEFAULT_AUTH_URL, "--auth-url")
    from ..api.auth import access_key_login, password_login

    connect, read = parse_timeout(args.timeout, "--timeout") or (10.0, 30.0)
    options = ClientOptions(
        connect_timeout=connect,
        read_timeout=read,
        ca_bundle=args.ca_bundle,
        insecure=bool(args.insecure),
        deadline=args.deadline or ClientOptions().deadline,
    )
    if args.insecure:
        login_says(_("warning: {message}").format(message=_(
            "TLS certificates of {host} are not verified (--insecure)").format(host=host_of(ac_url))))
    try:
        user = _answer(args.user, _("SCNet user: "), prompts,
                       _("no user name given and no terminal to ask for it; pass {flag}").format(flag="--user"),
                       _("a user name is needed"))
        if args.access_key:
            secret = os.environ.get(ENV_SECRET_KEY) or _secret(
                _("Secret key (not shown): "), prompts,
                _("no secret key given and no terminal to ask for it; set {variable}").format(variable=ENV_SECRET_KEY),
                _("a secret key is needed"),
            )
            hide(secret)
            tell(_("Logging in as {user} with access key {key}… at {host}").format(
                user=user, key=args.access_key[:4], host=host_of(auth_url)))
            tokens = access_key_login(auth_url, user, args.access_key.strip(), secret, options)
        else:
            org_id = _answer(args.org_id, _("Org id: "), prompts,
                             _("no org id given and no terminal to ask for it; pass {flag}").format(flag="--org-id"),
                             _("an org id is needed"))
            if args.password_stdin:
                password = stdin.readline().rstrip("\r\n")
                if not password:
                    raise UsageError(_("--password-stdin read an empty line"))
            else:
                password = _secret(
                    _("Password (not shown): "), prompts,
                    _("no password given and no terminal to ask for it; pipe it in with --password-stdin"),
                    _("a password is needed"),
                )
            hide(password)
            tell(_("Logging in as {user} at {host}").format(user=user, host=host_of(ac_url)))
            tokens = password_login(ac_url, user, org_id, password, options)
        hide(*(token.token for token in tokens if token.token))
        regions = regions_of(tokens, ac_url, options, allow_http=bool(args.allow_http))
        default = choose_default(regions, args.region, prompts)
    except UsageError as problem:
        login_says(str(problem))
        return EXIT_USAGE
    except EOFError:
        login_says(_("cancelled"))
        return EXIT_USAGE
    return _store(path, user, regions, default, ac_url, args.image_api, out, ac_insecure=bool(args.insecure))


def _address(url: str, flag: str) -> str:
    """`www.scnet.cn` -> `https://www.scnet.cn`; anything else that is not http(s) is refused."""
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = "https://" + url
    if not is_http_url(url):
        raise ConfigError(_("{flag} {url} is not an http(s) address").format(flag=flag, url=repr(shown_url(url))),
                          _("e.g. {example}").format(example="https://www.scnet.cn"))
    return url


def _store(
    path: Any,
    user: str,
    regions: list[Region],
    default: Region,
    ac_url: str,
    image_api: str | None,
    out: TextIO,
    *,
    ac_insecure: bool = False,
) -> int:
    from ..profiles import profile_name, read_profiles, save_login
    from .profiles import profile_table

    names = {region.cluster_id: profile_name(user, region.cluster_id) for region in regions}
    profiles = {
        names[region.cluster_id]: {
            "region": printable(region.name),  # a name is data: what cannot be written is escaped
            "cluster_id": region.cluster_id,
            "user": user,
            "base_url": region.base_url,
            "ac_url": ac_url,
            "token": region.token,
            "image_api": image_api or "",
            "ac_insecure": ac_insecure,
            "home_path": printable(region.home_path),
        }
        for region in regions
    }
    save_login(path, profiles, names[default.cluster_id])
    out.write(safe_line(ngettext("Logged in as {user}: {count} region, saved to {path} (mode 600)",
                                   "Logged in as {user}: {count} regions, saved to {path} (mode 600)", len(regions)).format(
        user=user, count=len(regions), path=path)) + "\n")
    stored = [profile for profile in read_profiles(path) if profile.name in profiles]
    profile_table(stored, out)
    out.write(_("Default: {profile}. Switch in the browser with p, or: scnet-images --profile NAME").format(
        profile=names[default.cluster_id]) + "\n")
    if ac_insecure:
        out.write(_("TLS verification stays off for {host} in these profiles (ac_insecure = true).").format(
            host=host_of(ac_url)) + "\n")
    return 0
