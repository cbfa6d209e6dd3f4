"""Where the connection settings come from: flags, then environment, then the config file.

The config file is TOML in the platform's user config directory (or at
`$SCNET_CONFIG`) and holds named profiles:

    default_profile = "kunshan"

    [profiles.kunshan]
    base_url = "https://ai01.example.com:65011"
    token_command = "pass show scnet/kunshan"   # or: token = "..."
    ca_bundle = "/etc/ssl/certs/org-ca.pem"    # optional
    insecure = false                           # optional: skip TLS checks of the region (knowingly)
    ac_insecure = false                        # optional: the same for the platform host (renewal)
    timeout = 30                               # optional, seconds a read may wait
    deadline = 120                             # optional, seconds a whole call may take
    image_api = "auto"                         # optional: auto, get or post
    # written by `scnet-images login`: region, cluster_id, user, ac_url (renews the token)

With no base URL and no token anywhere, the app runs on the embedded demo API.
"""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path
from typing import Any, Mapping, NamedTuple

from .api.options import IMAGE_APIS, ClientOptions
from .api.addresses import shown_url
from .api.errors import ConfigError
from .config_values import (
    CONFIG_HINT,
    PROFILE_KEYS,
    TOP_KEYS,
    check_values,
    parse_timeout,
    profile_of,
    seconds,
    setting_in,
)
from .i18n import _

ENV_BASE_URL = "SCNET_BASE_URL"
ENV_TOKEN = "SCNET_TOKEN"
ENV_PROFILE = "SCNET_PROFILE"
ENV_CONFIG = "SCNET_CONFIG"
ENV_IMAGE_API = "SCNET_IMAGE_API"


class Settings(NamedTuple):
    """Everything needed to connect. `token` is never shown: it is left out of the repr."""

    base_url: str
    token: str
    demo: bool = False
    profile: str = ""
    options: ClientOptions = ClientOptions()
    warnings: tuple[str, ...] = ()
    token_from: str = ""  # "command line", "environment", "profile", "token_command"
    origins: tuple[str, ...] = ()  # where the address and the token came from (Chosen.origin), once each
    region: str = ""  # the region's name, as login stored it
    cluster_id: str = ""
    ac_url: str = ""  # the platform host that renews the token ("" when unknown)
    image_api: str = "auto"
    known_api: str = ""  # what `auto` found to work for this profile last time
    known_instance_list: str = ""  # the path the instance list answered at last ("task", "task/list")
    home_path: str = ""  # the user's home directory in the region, as login read it
    config_file: Path | None = None
    cache_ttl: float = TOP_KEYS["cache_ttl"].default  # seconds `path` and `list` answer from the cached catalog

    @property
    def stores_token(self) -> bool:
        """Whether a renewed token can be written back: it came from the profile's `token`."""
        return self.token_from == "profile" and bool(self.profile) and self.config_file is not None

    @property
    def source(self) -> str:
        """Where the settings came from, for the repr: `demo`, `environment + command line`."""
        if self.demo:
            return "demo"
        return " + ".join(f"profile {self.profile}" if origin == "profile" else origin for origin in self.origins)

    def __repr__(self) -> str:
        return (
            f"Settings(base_url={self.base_url.rpartition('@')[2]!r}, token=****, demo={self.demo}, "
            f"profile={self.profile!r}, source={self.source!r})"
        )


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """The config file to read: `$SCNET_CONFIG`, else `config.toml` in the user config dir."""
    env = os.environ if env is None else env
    override = env.get(ENV_CONFIG)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_config_path("scnet-images") / "config.toml"


# The Settings fields login stores in a profile, by key.
_LOGIN_FIELDS = {"region": "region", "cluster_id": "cluster_id", "ac_url": "ac_url", "home_path": "home_path"}


class Chosen(NamedTuple):
    """A setting's value and where it came from: "command line", "environment", "profile", or
    "" (not set anywhere: the value is the default, or None)."""

    value: Any
    origin: str


def read_config_file(path: Path) -> dict[str, Any]:
    """The parsed file, or {} when it does not exist. Bad TOML, or a file that is not UTF-8,
    is a ConfigError."""
    return read_config(path)[0]


def read_config(path: Path) -> tuple[dict[str, Any], str]:
    """The parsed file, and why a command in it must not be run ("" when it may): checked on
    the very file that was read, so it cannot be swapped between the check and the read."""
    if not path.exists():
        return {}, ""
    import tomllib  # only when there is a file: most shell lookups have none

    try:
        with path.open("rb") as handle:
            untrusted = _untrusted(os.fstat(handle.fileno()), path)
            return tomllib.load(handle), untrusted
    except FileNotFoundError:
        return {}, ""
    except UnicodeDecodeError as exc:
        raise ConfigError(
            _("The config file {path} is not UTF-8 text (a byte at position {position} is not)").format(
                path=path, position=exc.start),
            _("save it as UTF-8, or point SCNET_CONFIG elsewhere"),
        ) from None
    except RecursionError:
        raise ConfigError(_("The config file {path} nests tables or arrays too deeply to read").format(path=path),
                          _(CONFIG_HINT)) from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(_("The config file {path} cannot be read: {problem}").format(path=path, problem=exc),
                          _(CONFIG_HINT)) from None


def _permission_warning(path: Path, data: Mapping[str, Any]) -> str | None:
    profiles = data.get("profiles")
    holds_token = isinstance(profiles, dict) and any(
        isinstance(p, dict) and p.get("token") for p in profiles.values()
    )
    if not holds_token or os.name != "posix":
        return None
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return _("{path} holds a token and is readable by others (mode {mode}); run: {command}").format(
            path=path, mode=f"{stat.S_IMODE(mode):o}", command=f"chmod 600 {shlex.quote(str(path))}")
    return None


def _select_profile(
    data: Mapping[str, Any], wanted: str | None, path: Path
) -> tuple[str, dict[str, Any]]:
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(_("`{key}` in {where} is not a table").format(key="profiles", where=path), _(CONFIG_HINT))
    name = wanted or data.get("default_profile") or ""
    if not name:
        if "default" in profiles:
            name = "default"
        elif len(profiles) == 1:
            name = next(iter(profiles))
        elif not profiles:
            return "", {}
        else:
            known = ", ".join(sorted(profiles))
            raise ConfigError(
                _("{path} has several profiles ({profiles}) and no default_profile").format(path=path, profiles=known),
                _("pick one with --profile or SCNET_PROFILE, or set default_profile in the file"),
            )
    profile = profiles.get(name)
    if profile is None and not path.exists():
        raise ConfigError(
            _("There is no profile {name}: no config file exists yet ({path})").format(name=repr(name), path=path),
            _("run `scnet-images login` to store your regions' profiles, or leave out --profile / SCNET_PROFILE"),
        )
    if profile is None:
        known = ", ".join(sorted(profiles)) or _("none")
        raise ConfigError(
            _("There is no profile {name} in {path} (profiles: {profiles})").format(
                name=repr(name), path=path, profiles=known),
            _("pick one with --profile or SCNET_PROFILE, or add it to the file"),
        )
    if not isinstance(profile, dict):
        raise ConfigError(_("Profile {name} in {path} is not a table").format(name=repr(name), path=path), _(CONFIG_HINT))
    return str(name), profile


def run_token_command(command: str, profile: str) -> str:
    """Run a profile's `token_command` (as you, with no shell) and return what it prints, stripped."""
    import subprocess

    try:
        done = subprocess.run(
            shlex.split(command), capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(
            _("token_command of profile {profile} could not run ({problem})").format(
                profile=repr(profile), problem=type(exc).__name__),
            _("check the command in the config file"),
        ) from None
    token = done.stdout.strip()
    if done.returncode != 0 or not token:
        raise ConfigError(
            _("token_command of profile {profile} exited {code} without a token").format(
                profile=repr(profile), code=done.returncode),
            _("run the command yourself to see why"),
        )
    return token


def _untrusted(info: os.stat_result, path: Path) -> str:
    """Why someone other than you could have chosen what this file says, as a sentence about
    `path` ("" when no one could): it is another user's, others may write it, or its folder
    lets others replace it."""
    if os.name != "posix":
        return ""
    if info.st_uid != os.geteuid():
        return _("{path} belongs to another user (whoever can write it chooses what runs as you)").format(path=path)
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return _("{path} is writable by others (mode {mode}), who could choose what runs as you").format(
            path=path, mode=f"{stat.S_IMODE(info.st_mode):o}")
    try:
        folder = path.parent.stat()
    except OSError:
        return _("{path} is in a folder that cannot be checked").format(path=path)
    if folder.st_uid not in (os.geteuid(), 0) or (
        folder.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not folder.st_mode & stat.S_ISVTX
    ):
        return _("{path} is in a folder others may write ({folder}), so they could replace the file").format(
            path=path, folder=path.parent)
    return ""


def load_settings(
    *,
    base_url: str | None = None,
    token: str | None = None,
    profile: str | None = None,
    ca_bundle: str | None = None,
    insecure: bool | None = None,
    timeout: float | None = None,
    deadline: float | None = None,
    image_api: str | None = None,
    env: Mapping[str, str] | None = None,
    demo_if_logged_out: bool = False,
) -> Settings:
    """Resolve settings from flags (the arguments), then `env`, then the config file.

    Returns demo settings (`demo=True`, empty base URL) when nothing names a server or
    a token, and (with `demo_if_logged_out`: the browser) when the default profile is
    logged out, with a warning saying so. Raises ConfigError for a half-configured
    connection.
    """
    env = os.environ if env is None else env
    path = config_path(env)
    data, untrusted = read_config(path)
    warnings: list[str] = []
    if data:
        warning = _permission_warning(path, data)
        if warning:
            warnings.append(warning)
    wanted = profile or env.get(ENV_PROFILE) or None
    warnings += check_values(data, TOP_KEYS, str(path))
    profile_name, stored = _select_profile(data, wanted, path) if (data or wanted) else ("", {})
    if stored:
        warnings += check_values(stored, PROFILE_KEYS, profile_of(profile_name, path))

    def choose(flag: Any, env_key: str | None, key: str) -> Chosen:
        """The flag, else the variable, else the profile's value, else the key's default."""
        if flag not in (None, ""):
            return Chosen(flag, "command line")
        if env_key and env.get(env_key):
            return Chosen(env[env_key], "environment")
        if stored.get(key) not in (None, ""):
            return Chosen(stored[key], "profile")
        return Chosen(PROFILE_KEYS[key].default, "")

    url = choose(base_url, ENV_BASE_URL, "base_url")
    token_chosen = choose(token, ENV_TOKEN, "token")
    token_from = token_chosen.origin
    if token_chosen.value is None and stored.get("token_command"):
        if untrusted:
            quoted = shlex.quote(str(path))
            raise ConfigError(
                _("Not running token_command of profile {profile}: {reason}").format(
                    profile=repr(profile_name), reason=untrusted),
                _("make it yours and private: {command} (and its folder), or move the command to a file of yours").format(
                    command=f"chown $USER {quoted} && chmod go-w {quoted}"),
            )
        token_chosen = Chosen(run_token_command(stored["token_command"], profile_name), "profile")
        token_from = "token_command"
    chosen_url, chosen_token = url.value, token_chosen.value

    chosen_api = str(choose(image_api, ENV_IMAGE_API, "image_api").value).strip().lower()
    if chosen_api not in IMAGE_APIS:
        raise ConfigError(
            _("image_api is {value}; it must be one of {choices}").format(
                value=repr(chosen_api[:20]), choices=", ".join(IMAGE_APIS)),
            _("auto (the default) finds the call the region serves; get or post forces one"),
        )

    connect, read = parse_timeout(timeout, "--timeout") or parse_timeout(
        stored.get("timeout"), _("profile {name}").format(name=profile_name)
    ) or parse_timeout(PROFILE_KEYS["timeout"].default, "")  # type: ignore[misc]
    deadline_chosen = choose(deadline, None, "deadline")
    options = ClientOptions(
        connect_timeout=connect,
        read_timeout=read,
        ca_bundle=choose(ca_bundle, None, "ca_bundle").value,
        insecure=choose(insecure, None, "insecure").value,
        # The platform host carries the token too: skipping its checks takes its own setting.
        ac_insecure=choose(None, None, "ac_insecure").value,
        deadline=seconds(deadline_chosen.value, "--deadline", PROFILE_KEYS["deadline"].limit)
        if deadline_chosen.origin == "command line" else deadline_chosen.value,
    )

    cache_ttl = seconds(data["cache_ttl"], setting_in("cache_ttl", path), TOP_KEYS["cache_ttl"].limit) if (
        "cache_ttl" in data) else TOP_KEYS["cache_ttl"].default
    logged_out = bool(stored.get("ac_url")) and chosen_token is None
    if logged_out and demo_if_logged_out and wanted is None and url.origin in ("", "profile"):
        warnings.append(
            _("Profile {profile} is logged out, so this is the demo catalog. "
              "Run `scnet-images login` to use your account again.").format(profile=profile_name)
        )
        return Settings(base_url="", token="", demo=True, options=options, warnings=tuple(warnings),
                        cache_ttl=cache_ttl)
    if logged_out:
        raise ConfigError(
            _("Profile {profile} is logged out").format(profile=repr(profile_name)),
            _("run `scnet-images login` to log in again, or `{command}` to forget it").format(
                command=f"scnet-images profiles rm {profile_name}"),
        )
    if chosen_url is None and chosen_token is None:
        return Settings(base_url="", token="", demo=True, options=options, warnings=tuple(warnings),
                        cache_ttl=cache_ttl)
    if chosen_url is None:
        raise ConfigError(
            _("A token is set but no base URL"),
            _("set {variable} or base_url in a profile to the region's AI address").format(variable=ENV_BASE_URL),
        )
    if chosen_token is None:
        raise ConfigError(
            _("A base URL is set ({url}) but no token").format(url=shown_url(str(chosen_url))),
            _("set {variable}, or token/token_command in a profile, or run `scnet-images login`").format(
                variable=ENV_TOKEN),
        )
    # Login's details belong to the profile's own token: a token from elsewhere is another account.
    own = token_from in ("profile", "token_command")
    # A profile whose address and token were both overridden is not in use: it names nothing.
    in_use = own or url.origin == "profile"
    return Settings(
        base_url=str(chosen_url).strip(),
        token=str(chosen_token).strip(),
        profile=profile_name if in_use else "",
        origins=tuple(dict.fromkeys((url.origin, token_chosen.origin))),
        options=options,
        warnings=tuple(warnings),
        token_from=token_from,
        # What login stored for the profile's account (not for a token from elsewhere).
        **{field: choose(None, None, key).value if own else "" for field, key in _LOGIN_FIELDS.items()},
        image_api=chosen_api,
        known_api=choose(None, None, "detected_image_api").value,
        known_instance_list=choose(None, None, "detected_instance_list").value,
        config_file=path if profile_name and in_use else None,
        cache_ttl=cache_ttl,
    )
