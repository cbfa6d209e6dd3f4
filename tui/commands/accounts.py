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
from ..config import config_path, parse_timeout
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

    def __repr__(self) -> str:
        return f"Region({self.cluster_id!r}, {self.name!r}, token=****, base_url={self.base_url!r})"


def register(commands: argparse._SubParsersAction) -> None:
    login = commands.add_parser(
        "login",
        help="log in and store a profile per region",
        description=(
            "Log in to SCNet with your password (asked for, hidden) or an access key, look up "
            "each region's AI address, and store one profile per region in the config file "
            "(mode 600). The password and secret key are never stored."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  scnet-images login                                  asks for user, org id, password\n"
            "  scnet-images login --user alice --org-id 6048ce7b   asks for the password only\n"
            "  pass show scnet | scnet-images login --user alice --org-id 6048ce7b --password-stdin\n"
            "  SCNET_SECRET_KEY=... scnet-images login --user alice --access-key AK\n"
            "  scnet-images login --ac-url http://127.0.0.1:8765   against `scnet-images demo-server`\n\n"
            + EXIT_CODES_HELP
        ),
    )
    login.add_argument("--user", default=None, help="SCNet user name (asked for when missing)")
    login.add_argument("--org-id", default=None, help="organisation id, for the password login (asked for when missing)")
    way = login.add_mutually_exclusive_group()
    way.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input (for scripts)"
    )
    way.add_argument(
        "--access-key",
        default=None,
        metavar="KEY",
        help="log in with this access key; the secret key comes from SCNET_SECRET_KEY or a prompt",
    )
    login.add_argument("--region", default=None, help="the default region: its id or a part of its name")
    login.add_argument(
        "--allow-http",
        action="store_true",
        help="store a region address the platform names over plain http even though it was asked over https",
    )
    login.add_argument(
        "--ac-url", default=None, help=f"the platform host (default {DEFAULT_AC_URL}, or SCNET_AC_URL)"
    )
    login.add_argument(
        "--auth-url",
        default=None,
        help=f"the access-key login host (default {DEFAULT_AUTH_URL}; the --ac-url when that is given)",
    )
    # SUPPRESS: given before the command (`scnet-images --insecure login`), they still count.
    add_transport_options(login, argparse.SUPPRESS)
    login.add_argument(
        "--image-api",
        choices=("auto", "get", "post"),
        default=argparse.SUPPRESS,
        help="image-list call for the new profiles",
    )

    login.set_defaults(run=lambda args: run_account_command("login", args))
    profiles = commands.add_parser(
        "profiles",
        help="list the stored profiles (tokens masked), or remove some",
        description="List the profiles of the config file: region, address, user, masked token, time left.",
        epilog="examples:\n  scnet-images profiles\n  scnet-images profiles rm alice-20091",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    profiles.set_defaults(run=lambda args: run_account_command("profiles", args))
    removing = profiles.add_subparsers(dest="profiles_action", metavar="rm")
    remove = removing.add_parser("rm", help="remove profiles, with their tokens and settings")
    remove.add_argument("names", nargs="+", metavar="PROFILE")
    remove.set_defaults(run=lambda args: run_account_command("forget", args))
    logout = commands.add_parser(
        "logout",
        help="remove stored tokens",
        description="Remove the stored token of the named profiles, or of every profile.",
    )
    logout.add_argument("names", nargs="*", metavar="PROFILE", help="profiles to log out (default: all)")
    logout.add_argument("--forget", action="store_true", help="remove the profiles too, not only their tokens")
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


def _answer(value: str | None, prompt: str, prompts: Prompts, what: str, flag: str) -> str:
    if value:
        return value.strip()
    if not prompts.interactive:
        raise _UsageError(f"no {what} given and no terminal to ask for it; pass {flag}")
    answer = prompts.ask(prompt).strip()
    if not answer:
        raise _UsageError(f"a {what} is needed")
    return answer


def _secret(prompt: str, prompts: Prompts, what: str, how: str) -> str:
    if not prompts.interactive:
        raise _UsageError(f"no {what} given and no terminal to ask for it; {how}")
    answer = prompts.ask_secret(prompt)
    if not answer:
        raise _UsageError(f"a {what} is needed")
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
        _tell(f"scnet-images login: warning: TLS certificates of {host_of(ac_url)} are not verified (--insecure)")
    try:
        user = _answer(args.user, "SCNet user: ", prompts, "user name", "--user")
        if args.access_key:
            secret = os.environ.get(ENV_SECRET_KEY) or _secret(
                "Secret key (not shown): ", prompts, "secret key", f"set {ENV_SECRET_KEY}"
            )
            hide(secret)
            _tell(f"Logging in as {user} with access key {args.access_key[:4]}… at {host_of(auth_url)}")
            tokens = access_key_login(auth_url, user, args.access_key.strip(), secret, options)
        else:
            org_id = _answer(args.org_id, "Org id: ", prompts, "org id", "--org-id")
            if args.password_stdin:
                password = stdin.readline().rstrip("\r\n")
                if not password:
                    raise _UsageError("--password-stdin read an empty line")
            else:
                password = _secret(
                    "Password (not shown): ", prompts, "password", "pipe it in with --password-stdin"
                )
            hide(password)
            _tell(f"Logging in as {user} at {host_of(ac_url)}")
            tokens = password_login(ac_url, user, org_id, password, options)
        hide(*(token.token for token in tokens if token.token))
        regions = _regions(tokens, ac_url, options, allow_http=bool(args.allow_http))
        default = _choose_default(regions, args.region, prompts)
    except _UsageError as problem:
        _tell(f"scnet-images login: {problem}")
        return EXIT_USAGE
    except EOFError:
        _tell("scnet-images login: cancelled")
        return EXIT_USAGE
    return _store(path, user, regions, default, ac_url, args.image_api, out, ac_insecure=bool(args.insecure))


def _address(url: str, flag: str) -> str:
    """`www.scnet.cn` -> `https://www.scnet.cn`; anything else that is not http(s) is refused."""
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = "https://" + url
    if not is_http_url(url):
        raise ConfigError(f"{flag} {shown_url(url)!r} is not an http(s) address", "e.g. https://www.scnet.cn")
    return url


def _regions(
    tokens: list[RegionToken], ac_url: str, options: ClientOptions | None, *, allow_http: bool = False
) -> list[Region]:
    """The regions with a token and an enabled AI address; says why others are left out.

    A region address over plain http, named by a platform asked over https, is left out
    unless `allow_http`: the token would travel in the clear."""
    from ..api.auth import region_ai_url

    candidates = [token for token in tokens if not token.platform]
    for token in [token for token in candidates if not _CLUSTER_ID.fullmatch(token.cluster_id)]:
        _tell(f"scnet-images login: note: skipped a region whose id is not a plain id: {token.cluster_id!r}")
        candidates.remove(token)
    suspended = [token for token in candidates if token.token is None]
    garbled = [token for token in candidates if token.token is not None and not valid_token(token.token)]
    usable = [token for token in candidates if token.token is not None and valid_token(token.token)]
    for token in garbled:
        _tell(
            f"scnet-images login: note: the token for region {token.cluster_name or token.cluster_id} "
            "holds characters a request header cannot carry; skipped"
        )
    for token in suspended:
        _tell(
            f"scnet-images login: note: no token for region {token.cluster_name or token.cluster_id} "
            "(the account is suspended there)"
        )
    if not usable:
        raise TokenRefused(
            "The login succeeded but gave no region token"
            + (" (the account is suspended in every region)" if suspended else ""),
            "check the account's state in the SCNet console (arrears, suspension)",
        )
    regions: list[Region] = []
    failures: list[ScnetError] = []
    for token in usable:
        name = printable(token.cluster_name or token.cluster_id)
        try:
            base_url = region_ai_url(ac_url, token.token or "", options)
        except ScnetError as error:
            failures.append(error)
            _tell(f"scnet-images login: note: could not look up region {name}: {error.message}")
            continue
        if base_url is None:
            _tell(f"scnet-images login: note: region {name} has no AI service enabled; skipped")
            continue
        if _scheme(base_url) == "http" and _scheme(ac_url) == "https" and not allow_http:
            _tell(
                f"scnet-images login: note: region {name} names a plain-http address ({shown_url(base_url)}), "
                "where the token would travel unencrypted; skipped (--allow-http stores it anyway)"
            )
            continue
        regions.append(Region(token.cluster_id, token.cluster_name, token.token or "", base_url))
    if not regions:
        if failures:
            raise failures[0]
        raise ConfigError("None of the account's regions has an AI service enabled", "check the account in the SCNet console")
    return regions


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
        raise _UsageError(f"--region {wanted!r} names {'several' if matches else 'no'} region(s) of: {known}")
    if len(regions) == 1 or not prompts.interactive:
        return regions[0]
    _tell("Regions:")
    for number, region in enumerate(regions, 1):
        _tell(f"  {number}. {printable(region.name)} ({region.cluster_id})")
    while True:
        answer = prompts.ask(f"Default region [1-{len(regions)}, Enter for 1]: ").strip()
        if not answer:
            return regions[0]
        if answer.isdigit() and 1 <= int(answer) <= len(regions):
            return regions[int(answer) - 1]
        _tell(f"  type a number from 1 to {len(regions)}")


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
        }
        for region in regions
    }
    save_login(path, profiles, names[default.cluster_id])
    out.write(safe_line(f"Logged in as {user}: {len(regions)} region(s), saved to {path} (mode 600)") + "\n")
    stored = [profile for profile in read_profiles(path) if profile.name in profiles]
    profile_table(stored, out)
    out.write(f"Default: {names[default.cluster_id]}. Switch in the browser with p, or: scnet-images --profile NAME\n")
    if ac_insecure:
        out.write(f"TLS verification stays off for {host_of(ac_url)} in these profiles (ac_insecure = true).\n")
    return 0
