"""Stored profiles: what `login` writes, `profiles` lists, `logout` clears, and what the
app updates on its own (a renewed token, the image-list call that worked).

Reading is `config.read_config_file` (tomllib, fast). Writing goes through tomlkit so a
hand-edited file keeps its comments and layout, and always ends with the file at mode
0600: it holds tokens. A write replaces the file atomically (a crash cannot leave half
a file), and never writes a password or secret key: those are not passed in here.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, Mapping, NamedTuple, Sequence

from .api.errors import ConfigError
from .api.token import read_claims
from .config import read_config_file

# Written by `login`; everything else in a profile is left as the user wrote it.
LOGIN_KEYS = ("region", "cluster_id", "user", "base_url", "ac_url", "token")


class StoredProfile(NamedTuple):
    """One profile as the file holds it. `token` is the secret itself: show `masked_token`."""

    name: str
    default: bool
    region: str
    user: str
    base_url: str
    token: str
    token_command: bool
    image_api: str
    detected_image_api: str
    expires_at: datetime | None

    @property
    def masked_token(self) -> str:
        return mask(self.token) if self.token else ("(token_command)" if self.token_command else "(none)")

    def __repr__(self) -> str:
        return f"StoredProfile({self.name!r}, region={self.region!r}, token={self.masked_token})"


def mask(token: str) -> str:
    """`****` and the last four characters: enough to tell two tokens apart, not to use one."""
    return "****" + token[-4:] if len(token) >= 16 else "****"


def profile_name(user: str, cluster_id: str) -> str:
    """A name that is easy to type in a shell: `alice-11250`."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", user).strip("-") or "user"
    return f"{cleaned}-{cluster_id}"


def read_profiles(path: Path) -> list[StoredProfile]:
    """Every profile of the file, the default one marked."""
    data = read_config_file(path)
    profiles = data.get("profiles")
    if not isinstance(profiles, dict):
        return []
    default = str(data.get("default_profile") or "")
    if not default and len(profiles) == 1:
        default = next(iter(profiles))
    listed = []
    for name, profile in profiles.items():
        if not isinstance(profile, dict):
            continue
        token = str(profile.get("token") or "")
        claims = read_claims(token) if token else None
        listed.append(
            StoredProfile(
                name=str(name),
                default=name == default,
                region=str(profile.get("region") or ""),
                user=str(profile.get("user") or (claims.user if claims else "")),
                base_url=str(profile.get("base_url") or ""),
                token=token,
                token_command=bool(profile.get("token_command")),
                image_api=str(profile.get("image_api") or "auto"),
                detected_image_api=str(profile.get("detected_image_api") or ""),
                expires_at=claims.expires_at if claims else None,
            )
        )
    return listed


@contextmanager
def _editing(path: Path) -> Iterator[Any]:
    """The file as a tomlkit document; written back (0600, atomically) when the block ends."""
    import tomlkit

    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        document = tomlkit.parse(text)
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.ParseError) as exc:
        raise ConfigError(
            f"The config file {path} cannot be updated: {exc}",
            "fix the TOML (see README.md, Configuration) or point SCNET_CONFIG elsewhere",
        ) from None
    yield document
    _write_private(path, tomlkit.dumps(document))


def _write_private(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)  # O_CREAT's mode is cut by the umask; the file must be 0600
        os.replace(temporary, path)
    except OSError as exc:
        with suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise ConfigError(
            f"The config file {path} cannot be written ({exc.strerror or type(exc).__name__})",
            "check the folder's permissions, or point SCNET_CONFIG at a writable file",
        ) from None


def _profiles_table(document: Any) -> Any:
    import tomlkit

    if "profiles" not in document:
        document["profiles"] = tomlkit.table(is_super_table=True)
    return document["profiles"]


def save_login(path: Path, profiles: Mapping[str, Mapping[str, str]], default: str | None) -> None:
    """Write (or refresh) one profile per region; other profiles and keys stay as they are."""
    import tomlkit

    with _editing(path) as document:
        table = _profiles_table(document)
        for name, values in profiles.items():
            if name not in table:
                table[name] = tomlkit.table()
            profile = table[name]
            for key in LOGIN_KEYS:
                if values.get(key):
                    profile[key] = values[key]
            profile.pop("token_command", None)  # the stored token is the one to use now
            if values.get("image_api") or "image_api" not in profile:  # asked for, or the default
                profile["image_api"] = values.get("image_api") or "auto"
        if default:
            document["default_profile"] = default


def update_profile(path: Path, name: str, **values: str | None) -> None:
    """Set (or, with None, remove) keys of one existing profile."""
    with _editing(path) as document:
        profile = document.get("profiles", {}).get(name)
        if profile is None:
            return
        for key, value in values.items():
            if value is None:
                profile.pop(key, None)
            else:
                profile[key] = value


def remove_tokens(path: Path, names: Sequence[str] = ()) -> list[str]:
    """Remove the stored token of the named profiles (all, when none are named).

    Returns the names whose token was removed. An unknown name is a ConfigError.
    """
    if not path.exists():
        return []
    with _editing(path) as document:
        table = document.get("profiles", {})
        unknown = [name for name in names if name not in table]
        if unknown:
            known = ", ".join(sorted(table)) or "none"
            raise ConfigError(f"No profile named {', '.join(unknown)} (profiles: {known})", "see `scnet-images profiles`")
        removed = []
        for name in names or list(table):
            if "token" in table[name]:
                del table[name]["token"]
                removed.append(name)
    return removed
