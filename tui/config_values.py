"""What a config file's values must be: the keys there are, their kinds, and the checks that
turn a wrong value into a ConfigError naming the key, where it is and what it must be."""

from __future__ import annotations

import math
from typing import Any, Mapping, NamedTuple

from .api.errors import ConfigError
from .api.options import ClientOptions
from .i18n import N_, _

class Key(NamedTuple):
    """What a key's value must be, and the value when none is set: `kind` "text", "bool",
    "table" or "seconds" (a number, finite, above 0 and at most `limit`)."""

    kind: str
    default: Any = None
    limit: float = 0.0


_TRANSPORT = ClientOptions()  # the transport's own defaults: written once, there
# Every key a profile may hold.
PROFILE_KEYS = {
    "base_url": Key("text"), "token": Key("text"), "token_command": Key("text"), "ca_bundle": Key("text"),
    "insecure": Key("bool", False), "ac_insecure": Key("bool", False),
    "timeout": Key("seconds", _TRANSPORT.read_timeout, 600.0), "deadline": Key("seconds", _TRANSPORT.deadline, 86400.0),
    "image_api": Key("text", "auto"), "detected_image_api": Key("text", ""), "detected_instance_list": Key("text", ""),
    "region": Key("text", ""), "cluster_id": Key("text", ""), "user": Key("text", ""), "ac_url": Key("text", ""),
    "home_path": Key("text", ""),
}
# Keys outside the profiles.
TOP_KEYS = {"default_profile": Key("text"), "profiles": Key("table"), "theme": Key("text"), "language": Key("text"),
            "cache_ttl": Key("seconds", 3600.0, 30 * 86400.0)}
# The longest a connection may take to open, whatever the read timeout (a shorter read timeout shortens it).
CONNECT_TIMEOUT = _TRANSPORT.connect_timeout
# Shown as _(CONFIG_HINT) (the language is chosen after import).
CONFIG_HINT = N_("fix it in the config file (README.md, \"Without login\"), or point SCNET_CONFIG elsewhere")



def seconds(value: Any, what: str, limit: float) -> float:
    """A number of seconds, finite, above 0 and at most `limit`; else a ConfigError naming `what`
    (a setting and where it is: `_setting_in`, `--deadline`)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(_("{setting} is not a number of seconds: {value}").format(setting=what, value=shown(value)),
                          _("use seconds, e.g. 30"))
    if not 0 < value <= limit:
        raise ConfigError(_("{setting} must be positive and at most {limit:g} seconds, not {value}").format(
            setting=what, limit=limit, value=shown(value)), _(CONFIG_HINT))
    return float(value)


def setting_in(key: str, where: Any) -> str:
    # Translators: a setting and where it is, e.g. "timeout in profile 'x' of /home/me/.config/scnet-images/config.toml".
    return _("{key} in {where}").format(key=key, where=where)


def profile_of(name: str, path: Any) -> str:
    # Translators: where a profile's settings are, e.g. "profile 'x' of /home/me/.config/scnet-images/config.toml".
    return _("profile {name} of {path}").format(name=repr(name), path=path)


def shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def check_values(table: Mapping[str, Any], keys: Mapping[str, Key], where: str) -> list[str]:
    """Check each known key's value against its kind (a ConfigError naming the key and the
    expected type); returns a warning for each unknown key (a typo is ignored, not obeyed)."""
    warnings = []
    for key, value in table.items():
        kind = keys[key].kind if key in keys else None
        if kind is None:
            warnings.append(_("unknown key {key} in {where}, ignored").format(key=repr(key), where=where))
        elif kind == "seconds":
            seconds(value, setting_in(key, where), keys[key].limit)
        elif kind == "table" and not isinstance(value, dict):
            raise ConfigError(_("`{key}` in {where} is not a table").format(key=key, where=where), _(CONFIG_HINT))
        elif kind == "text" and not isinstance(value, str):
            raise ConfigError(_("{key} in {where} must be a string in quotes, not {type} {value}").format(
                key=key, where=where, type=type(value).__name__, value=shown(value)), _(CONFIG_HINT))
        elif kind == "bool" and not isinstance(value, bool):
            raise ConfigError(_("{key} in {where} must be true or false (without quotes), not {type} {value}").format(
                key=key, where=where, type=type(value).__name__, value=shown(value)), _(CONFIG_HINT))
    return warnings


def parse_timeout(value: Any, where: str) -> tuple[float, float] | None:
    """A read timeout -> (connect, read) timeouts; None when not given."""
    if value is None:
        return None
    # Translators: {where} is a flag (--timeout) or a profile ("profile x").
    read = seconds(value, _("timeout from {where}").format(where=where), PROFILE_KEYS["timeout"].limit)
    return min(CONNECT_TIMEOUT, read), read
