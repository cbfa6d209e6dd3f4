"""Stored profiles: what `login` writes, `profiles` lists, `logout` clears, and what the
app updates on its own (a renewed token, the image-list call that worked).

Reading is `config.read_config_file` (tomllib, fast). Writing goes through tomlkit so a
hand-edited file keeps its comments and layout, and always ends with the file at mode
0600: it holds tokens. A write replaces the file atomically (a crash cannot leave half
a file), and never writes a password or secret key: those are not passed in here.

On a shared machine: the temporary file has an unpredictable name and is created only
if nothing (no planted symlink) is there; a config that is a symlink (dotfiles) is
written where it points, when that file is yours; every read-modify-write holds a lock,
so two logins, or a renewal during a logout, do not lose each other's changes; missing
folders are made 0700 whatever the umask.
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
from .i18n import _, ngettext

# Written by `login`; everything else in a profile is left as the user wrote it.
LOGIN_KEYS = ("region", "cluster_id", "user", "base_url", "ac_url", "token", "home_path")


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
        return mask(self.token) if self.token else ("(token_command)" if self.token_command else _("(none)"))

    def __repr__(self) -> str:
        return f"StoredProfile({self.name!r}, region={self.region!r}, token={self.masked_token})"


def mask(token: str) -> str:
    """`****` and the last four characters: enough to tell two tokens apart, not to use one."""
    return "****" + token[-4:] if len(token) >= 16 else "****"


def profile_name(user: str, cluster_id: str) -> str:
    """A name that is easy to type in a shell: `alice-11250`."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", user).strip("-") or "user"
    cluster = re.sub(r"[^A-Za-z0-9_.-]+", "-", cluster_id).strip("-") or "region"
    return f"{cleaned}-{cluster}"


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
    """The file as a tomlkit document; written back (0600, atomically) when the block ends,
    all under the file's lock."""
    import tomlkit

    target = _write_target(path)
    try:
        _private_folders(target.parent)
    except OSError as exc:
        raise _unwritable(target, exc) from None
    with _locked(target):
        try:
            text = target.read_text(encoding="utf-8") if target.exists() else ""
            document = tomlkit.parse(text)
        except (OSError, UnicodeDecodeError, tomlkit.exceptions.ParseError) as exc:
            raise ConfigError(
                _("The config file {path} cannot be updated: {problem}").format(path=path, problem=exc),
                _("fix the TOML (README.md, \"Without login\") or point SCNET_CONFIG elsewhere"),
            ) from None
        yield document
        _write_private(target, tomlkit.dumps(document))


def _write_target(path: Path) -> Path:
    """The file a write goes to: `path`, or the file it links to when that file is yours
    (a dotfiles link stays a link; the tokens land where the link says)."""
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    try:
        owner = target.stat().st_uid if target.exists() else target.parent.stat().st_uid
    except OSError as exc:
        raise _unwritable(path, exc) from None
    if os.name == "posix" and owner != os.geteuid():
        raise ConfigError(
            _("The config file {path} is a link to {target}, which belongs to another user; "
              "the tokens are not written there").format(path=path, target=target),
            _("remove the link, or point SCNET_CONFIG at a file of yours"),
        )
    return target


def _private_folders(folder: Path) -> None:
    """Make `folder` and any missing parents, each 0700 whatever the umask."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        with suppress(FileExistsError):
            os.mkdir(made, 0o700)
            os.chmod(made, 0o700)  # mkdir's mode is cut by the umask


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock (a `.NAME.lock` file beside `path`) for a read-modify-write."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, as before
        yield
        return
    lock = path.with_name(f".{path.name}.lock")
    try:
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError as exc:
        raise _unwritable(path, exc) from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _write_private(path: Path, text: str) -> None:
    import tempfile

    # mkstemp: a random name, created with O_EXCL (a planted file or symlink makes it fail,
    # never followed), mode 0600 from the start.
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _unwritable(path, exc) from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        with suppress(OSError):
            os.unlink(temporary)
        raise _unwritable(path, exc) from None


def _unwritable(path: Path, exc: OSError) -> ConfigError:
    return ConfigError(
        _("The config file {path} cannot be written ({problem})").format(path=path, problem=exc.strerror or type(exc).__name__),
        _("check the folder's permissions, or point SCNET_CONFIG at a writable file"),
    )


def _profiles_table(document: Any) -> Any:
    import tomlkit

    if "profiles" not in document:
        document["profiles"] = tomlkit.table(is_super_table=True)
    return document["profiles"]


def save_login(path: Path, profiles: Mapping[str, Mapping[str, Any]], default: str | None) -> None:
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
            if values.get("ac_insecure"):  # asked for at this login, or not at all
                profile["ac_insecure"] = True
            else:
                profile.pop("ac_insecure", None)
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


def _no_such_profiles(unknown: Sequence[str], table: Any) -> ConfigError:
    known = ", ".join(sorted(table)) or _("none")
    return ConfigError(
        ngettext("No profile named {names} (profiles: {known})", "No profiles named {names} (profiles: {known})",
                 len(unknown)).format(names=", ".join(unknown), known=known),
        _("see `scnet-images profiles`"))


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
            raise _no_such_profiles(unknown, table)
        removed = []
        for name in names or list(table):
            if "token" in table[name]:
                del table[name]["token"]
                removed.append(name)
    return removed


def remove_profiles(path: Path, names: Sequence[str]) -> list[str]:
    """Remove the named profiles (all of them, when none are named) with everything they hold;
    a default that is gone is no longer the default. An unknown name is a ConfigError."""
    if not path.exists():
        return []
    with _editing(path) as document:
        table = document.get("profiles", {})
        unknown = [name for name in names if name not in table]
        if unknown:
            raise _no_such_profiles(unknown, table)
        removed = list(names or table)
        for name in removed:
            del table[name]
        if document.get("default_profile") in removed:
            del document["default_profile"]
    return removed


def update_setting(path: Path, key: str, value: str) -> None:
    """Set a top-level key of the file (outside the profiles): `theme`, say."""
    with _editing(path) as document:
        document[key] = value
