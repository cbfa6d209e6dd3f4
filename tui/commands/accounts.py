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
import re
import sys
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, TextIO

from ..api.addresses import host_of, is_http_url, shown_url, valid_token
from ..api.errors import ConfigError, ScnetError, TokenRefused
from ..api.options import ClientOptions
from ..config import config_path
from ..config_values import parse_timeout
from ..i18n import _
from ..safe_text import printable
from .connect import add_transport_options
from .exits import EXIT_CODES_HELP, EXIT_USAGE
from .output import hide, safe_line

if TYPE_CHECKING:
    from ..api.auth import RegionToken

# The platform hosts (as in tui.api.auth, which is imported only when a login runs: it loads httpx).
DEFAULT_AC_URL = "https://www.scnet.cn"
DEFAULT_AUTH_URL = "https://api.scnet.cn"

ENV_SECRET_KEY = "SCNET_SECRET_KEY"
ENV_AC_URL = "SCNET_AC_URL"
# What a region id may look like: it names a profile and a TOML table.
_CLUSTER_ID = re.compile(r"[A-Za-z0-9_.-]{1,40}")


def _tell(text: str) -> None:
    """A line on stderr (progress, notes, questions), with server data made safe to print."""
    print(safe_line(text), file=sys.stderr)


def _login_says(message: str) -> None:
    """`scnet-images login: message` on stderr."""
    _tell("scnet-images login: " + message)


def _login_note(message: str) -> None:
    _login_says(_("note: {message}").format(message=message))


def _ask_hidden(prompt: str) -> str:
    import getpass  # reads from the terminal itself, with echo off

    return getpass.getpass(prompt)


class Prompts(NamedTuple):
    """How login asks: `ask` for plain answers, `ask_secret` without echo. `interactive`
    says whether anyone is there to answer (otherwise missing answers are usage errors)."""

    ask: Callable[[str], str] = input
    ask_secret: Callable[[str], str] = _ask_hidden
    interactive: bool = True


class Region(NamedTuple):
    cluster_id: str
    name: str
    token: str
    base_url: str
    home_path: str = ""  # the user's home directory there, when the region lookup says
    serves_images: bool = True  # False: its AI address answers neither image call (HTTP 404)

    def __repr__(self) -> str:
        return f"Region({self.cluster_id!r}, {self.name!r}, token=****, base_url={self.base_url!r})"


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
        raise _UsageError(missing)
    answer = prompts.ask(prompt).strip()
    if not answer:
        raise _UsageError(empty)
    return answer


def _secret(prompt: str, prompts: Prompts, missing: str, empty: str) -> str:
    if not prompts.interactive:
        raise _UsageError(missing)
    answer = prompts.ask_secret(prompt)
    if not answer:
        raise _UsageError(empty)
    return answer


class _UsageError(Exception):
    pass


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
        _login_says(_("warning: {message}").format(message=_(
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
            _tell(_("Logging in as {user} with access key {key}… at {host}").format(
                user=user, key=args.access_key[:4], host=host_of(auth_url)))
            tokens = access_key_login(auth_url, user, args.access_key.strip(), secret, options)
        else:
            org_id = _answer(args.org_id, _("Org id: "), prompts,
                             _("no org id given and no terminal to ask for it; pass {flag}").format(flag="--org-id"),
                             _("an org id is needed"))
            if args.password_stdin:
                password = stdin.readline().rstrip("\r\n")
                if not password:
                    raise _UsageError(_("--password-stdin read an empty line"))
            else:
                password = _secret(
                    _("Password (not shown): "), prompts,
                    _("no password given and no terminal to ask for it; pipe it in with --password-stdin"),
                    _("a password is needed"),
                )
            hide(password)
            _tell(_("Logging in as {user} at {host}").format(user=user, host=host_of(ac_url)))
            tokens = password_login(ac_url, user, org_id, password, options)
        hide(*(token.token for token in tokens if token.token))
        regions = _regions(tokens, ac_url, options, allow_http=bool(args.allow_http))
        default = _choose_default(regions, args.region, prompts)
    except _UsageError as problem:
        _login_says(str(problem))
        return EXIT_USAGE
    except EOFError:
        _login_says(_("cancelled"))
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


def _regions(
    tokens: list[RegionToken], ac_url: str, options: ClientOptions | None, *, allow_http: bool = False
) -> list[Region]:
    """The regions with a token and an enabled AI address; says why others are left out.

    A region address over plain http, named by a platform asked over https, is left out
    unless `allow_http`: the token would travel in the clear."""
    from ..api.auth import region_center

    candidates = [token for token in tokens if not token.platform]
    for token in [token for token in candidates if not _CLUSTER_ID.fullmatch(token.cluster_id)]:
        _login_note(_("skipped a region whose id is not a plain id: {id}").format(id=repr(token.cluster_id)))
        candidates.remove(token)
    suspended = [token for token in candidates if token.token is None]
    garbled = [token for token in candidates if token.token is not None and not valid_token(token.token)]
    usable = [token for token in candidates if token.token is not None and valid_token(token.token)]
    for token in garbled:
        _login_note(_("the token for region {region} holds characters a request header cannot carry; skipped")
                    .format(region=token.cluster_name or token.cluster_id))
    for token in suspended:
        _login_note(_("no token for region {region} (the account is suspended there)")
                    .format(region=token.cluster_name or token.cluster_id))
    if not usable:
        raise TokenRefused(
            _("The login succeeded but gave no region token (the account is suspended in every region)") if suspended
            else _("The login succeeded but gave no region token"),
            _("check the account's state in the SCNet console (arrears, suspension)"),
        )
    regions: list[Region] = []
    failures: list[ScnetError] = []
    for token in usable:
        name = printable(token.cluster_name or token.cluster_id)
        try:
            center = region_center(ac_url, token.token or "", options)
        except ScnetError as error:
            failures.append(error)
            _login_note(_("could not look up region {region}: {problem}").format(region=name, problem=error.message))
            continue
        base_url = center.ai_url
        if base_url is None:
            _login_note(_("region {region} has no AI service enabled; skipped").format(region=name))
            continue
        if _scheme(base_url) == "http" and _scheme(ac_url) == "https" and not allow_http:
            _login_note(_(
                "region {region} names a plain-http address ({url}), where the token would travel unencrypted; "
                "skipped (--allow-http stores it anyway)").format(region=name, url=shown_url(base_url)))
            continue
        regions.append(Region(token.cluster_id, token.cluster_name, token.token or "", base_url, center.home_path,
                              _serves_images(name, base_url, token.token or "", options)))
    if not regions:
        if failures:
            raise failures[0]
        raise ConfigError(_("None of the account's regions has an AI service enabled"),
                          _("check the account in the SCNet console"))
    return regions


def _serves_images(name: str, base_url: str, token: str, options: ClientOptions | None) -> bool:
    """Whether the region's AI address answers an image-list call (asked cheaply, read-only).
    One that answers neither (HTTP 404 for every path, as one region was seen live) is said;
    any other failure is noted and taken as serving (the browser will say more)."""
    from ..api.drivers import ScnetSyncClient
    from ..api.images import probe_image_calls

    try:
        with ScnetSyncClient(base_url, token, options) as client:
            served = probe_image_calls(client)
    except ScnetError as error:
        _login_note(_("could not ask region {region} for its images: {problem}").format(region=name,
                                                                                      problem=error.message))
        return True
    if not served:
        _login_note(_("region {region} answers neither image-list call at {url} (HTTP 404); stored, but not made "
                      "the default").format(region=name, url=shown_url(base_url)))
    return bool(served)


def _scheme(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).scheme.lower()


def _choose_default(regions: list[Region], wanted: str | None, prompts: Prompts) -> Region:
    if wanted:
        key = wanted.strip().lower()
        for region in regions:
            if key in (region.cluster_id, region.name.lower()):
                return region
        matches = [region for region in regions if key in region.name.lower()]
        if len(matches) == 1:
            return matches[0]
        known = ", ".join(f"{region.cluster_id} {printable(region.name)}" for region in regions)
        if matches:
            raise _UsageError(_("--region {wanted} names several region(s) of: {known}").format(
                wanted=repr(wanted), known=known))
        raise _UsageError(_("--region {wanted} names no region(s) of: {known}").format(wanted=repr(wanted), known=known))
    serving = [region for region in regions if region.serves_images] or regions
    if len(regions) == 1 or not prompts.interactive:
        return serving[0]
    _tell(_("Regions:"))
    for number, region in enumerate(regions, 1):
        if region.serves_images:
            _tell(f"  {number}. {printable(region.name)} ({region.cluster_id})")
        else:
            _tell(f"  {number}. {printable(region.name)} ({region.cluster_id}) — " + _("answers no image-list call"))
    first = regions.index(serving[0]) + 1
    while True:
        answer = prompts.ask(_("Default region [1-{last}, Enter for {first}]: ").format(
            last=len(regions), first=first)).strip()
        if not answer:
            return serving[0]
        if answer.isdigit() and 1 <= int(answer) <= len(regions):
            return regions[int(answer) - 1]
        _tell("  " + _("type a number from 1 to {last}").format(last=len(regions)))


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
    out.write(safe_line(_("Logged in as {user}: {count} region(s), saved to {path} (mode 600)").format(
        user=user, count=len(regions), path=path)) + "\n")
    stored = [profile for profile in read_profiles(path) if profile.name in profiles]
    profile_table(stored, out)
    out.write(_("Default: {profile}. Switch in the browser with p, or: scnet-images --profile NAME").format(
        profile=names[default.cluster_id]) + "\n")
    if ac_insecure:
        out.write(_("TLS verification stays off for {host} in these profiles (ac_insecure = true).").format(
            host=host_of(ac_url)) + "\n")
    return 0
