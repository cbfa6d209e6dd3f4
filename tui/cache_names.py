"""Where cached catalogs live, what each is called, how their files are opened, and the
names index beside each one.

A catalog is kept per address and account, never per address alone: its file name is a hash
of the address and of the account (the user and cluster a JWT names; else a keyed hash of the
token, whose random key is kept in the folder, mode 600), so another token on the same
address never answers from this one's catalog. No token, no unkeyed hash of one, and no user
name is ever part of a file name.

Every file is read through `open_private`: in this user's own folder that no one else may
write, not through a symlink, and only a regular file of this user's that no one else may
write (a FIFO someone planted would hold the reader forever).

The index is a plain, sorted list of image names and `name:tag` versions: what shell
completion offers, found by a binary search over the mapped file. A <TAB> imports this
module only (not the catalog's pickles, not the models, not httpx), so it answers in a few
milliseconds of its own.
"""

from __future__ import annotations

import errno
import mmap
import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from .api.models import Image

# The names file's first line: a NUL cannot start a name (names holding control
# characters are left out), so it never matches a prefix. Files without it (older
# versions, sorted otherwise) are ignored until the next load rewrites them.
_NAMES_MAGIC = b"\x00scnet-images names 2\n"

SECRET_NAME = "account.key"  # the key of the tokens' hashes, beside the catalogs
_SECRET_BYTES = 32
_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
# A demo region's id, as it may name a cache file.
_SAFE_REGION = re.compile(r"[0-9A-Za-z_.-]{1,40}")


class Refused(OSError):
    """A cache folder or file that must not be read: `what` it is ("folder", "catalog", "key"),
    where, and why ("another user", "writable", "readable", "wrong kind", "not a key")."""

    def __init__(self, what: str, path: Path, reason: str) -> None:
        super().__init__(errno.EPERM, reason, str(path))
        self.what, self.path, self.reason = what, path, reason

    @property
    def message(self) -> str:
        """What a note says of it (the i18n module is imported only now: a <TAB> never says it)."""
        from .i18n import _

        if self.what == "key":
            return _("the cache key {path} was ignored: it must be a file of yours that only you can read; "
                     "`scnet-images cache clear` makes a new one").format(path=self.path)
        if self.what == "folder":
            if self.reason == "another user":
                return _("the cache folder {path} was ignored: it belongs to another user").format(path=self.path)
            if self.reason == "writable":
                return _("the cache folder {path} was ignored: it is writable by others").format(path=self.path)
            return _("the cache folder {path} was ignored: it is not a folder").format(path=self.path)
        if self.reason == "another user":
            return _("the cached catalog {path} was ignored: it belongs to another user").format(path=self.path)
        if self.reason == "writable":
            return _("the cached catalog {path} was ignored: it is writable by others").format(path=self.path)
        return _("the cached catalog {path} was ignored: it is not a regular file").format(path=self.path)


def folder() -> Path:
    import platformdirs

    return platformdirs.user_cache_path("scnet-images") / "catalogs"


def _problem(info: os.stat_result, kind: int, secret: bool = False) -> str:
    """Why a folder or file (`kind`: stat.S_IFDIR or S_IFREG) must not be used, or ""."""
    if stat.S_IFMT(info.st_mode) != kind:
        return "wrong kind"
    if os.name != "posix":
        return ""
    if info.st_uid != os.geteuid():
        return "another user"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "writable"
    if secret and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        return "readable"
    return ""


def open_folder(create: bool = False) -> int:
    """A descriptor of the cache folder (made, mode 700, when `create`), checked: this user's,
    not a symlink, writable by no one else. Raises FileNotFoundError, Refused or OSError.
    Files are then opened relative to it, so the folder checked is the one read."""
    path = folder()
    if create:
        _private_folder(path)
    try:
        descriptor = os.open(path, _FOLDER_FLAGS)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise Refused("folder", path, "wrong kind") from None
        raise
    problem = _problem(os.fstat(descriptor), stat.S_IFDIR)
    if problem:
        os.close(descriptor)
        raise Refused("folder", path, problem)
    return descriptor


def open_private(name: str, what: str = "catalog", directory: int | None = None) -> int:
    """A blocking descriptor of the file `name` of the cache folder (of `directory`, a descriptor
    from `open_folder`, when given), opened without following a symlink or waiting on a FIFO,
    and checked on the descriptor: a regular file of this user's that no one else may write
    (nor read, for the key). Raises FileNotFoundError, Refused or OSError."""
    folder_descriptor = open_folder() if directory is None else directory
    try:
        try:
            descriptor = os.open(name, _READ_FLAGS, dir_fd=folder_descriptor)
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # a symlink
                raise Refused(what, folder() / name, "wrong kind") from None
            raise
        problem = _problem(os.fstat(descriptor), stat.S_IFREG, secret=what == "key")
        if problem:
            os.close(descriptor)
            raise Refused(what, folder() / name, problem)
        os.set_blocking(descriptor, True)
        return descriptor
    finally:
        if directory is None:
            os.close(folder_descriptor)


def _private_folder(path: Path) -> None:
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for made in reversed(missing):
        try:
            os.mkdir(made, 0o700)
        except FileExistsError:
            continue
        os.chmod(made, 0o700)


# --- the account a cache file belongs to ------------------------------------------------------


def key_of(base_url: str, token: str, demo: bool, *, create: bool = True, demo_region: str = "") -> str | None:
    """The file name of the catalog of this account at this address: "demo" for the demo (and
    "demo-ID" for its region ID: its address changes every run), else a hash of the address
    and the account (`account_of`). None when the token's account needs the key of the tokens'
    hashes and there is none yet (so nothing is cached for it), unless `create` makes it.
    Raises Refused or OSError when the folder or the key cannot be used."""
    if demo:
        return f"demo-{demo_region}" if demo_region and _SAFE_REGION.fullmatch(demo_region) else "demo"
    account = account_of(token, create=create)
    if account is None:
        return None
    import hashlib

    from .api.addresses import api_root, shown_url

    return hashlib.sha256(f"{shown_url(api_root(base_url))}|{account}".encode()).hexdigest()[:24]


def account_of(token: str, *, create: bool = True) -> str | None:
    """Who a token is: the user and cluster its JWT claims name (the same across renewals), else
    an HMAC-SHA256 of the token with this user's random key (never the token, never a hash
    anyone could compute from a guessed token). None as in `key_of`."""
    from .api.token import read_claims

    claims = read_claims(token)
    if claims is not None and claims.user and claims.cluster_id:
        return repr(("user", claims.user, "cluster", claims.cluster_id))
    secret = _secret(create)
    if secret is None:
        return None
    import hmac

    return "token " + hmac.new(secret, token.encode("utf-8", "surrogatepass"), "sha256").hexdigest()


def _secret(create: bool) -> bytes | None:
    """The key of the tokens' hashes, made on first use (when `create`); None when there is none."""
    try:
        directory = open_folder(create=create)
    except FileNotFoundError:
        return None
    try:
        try:
            return _read_secret(directory)
        except FileNotFoundError:
            return _new_secret(directory) if create else None
    finally:
        os.close(directory)


def _read_secret(directory: int) -> bytes:
    descriptor = open_private(SECRET_NAME, "key", directory)
    try:
        secret = os.read(descriptor, _SECRET_BYTES + 1)
    finally:
        os.close(descriptor)
    if len(secret) != _SECRET_BYTES:
        raise Refused("key", folder() / SECRET_NAME, "not a key")
    return secret


def _new_secret(directory: int) -> bytes:
    """A new random key, written whole to a file of its own and then linked to its name, which
    never replaces a key another process made meanwhile (that one is used instead)."""
    import secrets

    secret = secrets.token_bytes(_SECRET_BYTES)
    temporary = f".{SECRET_NAME}.{secrets.token_hex(8)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(temporary, flags, 0o600, dir_fd=directory)
    try:
        try:
            os.write(descriptor, secret)
        finally:
            os.close(descriptor)
        os.link(temporary, SECRET_NAME, src_dir_fd=directory, dst_dir_fd=directory)
    except FileExistsError:
        return _read_secret(directory)
    finally:
        os.unlink(temporary, dir_fd=directory)
    return secret


# --- the names index ----------------------------------------------------------------------------


def names_file(images: Iterable[Image]) -> bytes:
    """The names file of a catalog, its first line included (what `save` writes)."""
    return _NAMES_MAGIC + names_text(images).encode("utf-8")


def names_text(images: Iterable[Image]) -> str:
    """Every name and `name:tag` version, one a line, sorted ignoring case: what completion
    offers, found by a binary search (`load_names`)."""
    from .safe_text import has_control_chars

    names = {value for image in images for value in (image.name, image.version) if value}
    plain = (name for name in names if not has_control_chars(name) and " " not in name)
    # Sorted as by (lower-cased, as it is), with one string per name: comparing strings is a
    # third of the time of comparing tuples, and the sort holds the interpreter throughout
    # (a NUL sorts first and is in no name kept here).
    return "\n".join(sorted(plain, key=lambda name: f"{name.lower()}\0{name}"))


def load_names(key: str | None, prefix: str = "") -> list[str]:
    """The cached names and versions that start with `prefix`, ignoring case (none when nothing
    is cached, or when the file or its folder is not safe to read: see `open_private`).

    The file is sorted by the lower-cased name, so the matches are one run of lines, found
    by a binary search over the mapped file: a <TAB> reads a few pages of it, not all 4 MB.
    """
    if key is None:
        return []
    try:
        descriptor = open_private(f"{key}.names")
        try:
            if os.read(descriptor, len(_NAMES_MAGIC)) != _NAMES_MAGIC:
                return []
            with mmap.mmap(descriptor, 0, access=mmap.ACCESS_READ) as data:
                return _names_from(data, prefix.lower(), len(_NAMES_MAGIC))
        finally:
            os.close(descriptor)
    except (OSError, ValueError, UnicodeDecodeError):
        return []


def _names_from(data: mmap.mmap, lowered: str, first: int) -> list[str]:
    def line_at(start: int) -> tuple[str, int]:
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        return data[start:end].decode("utf-8"), end + 1

    low, high = first, len(data)  # the first line whose lower-cased text is >= the prefix starts in [low, high]
    while low < high:
        middle = (low + high) // 2
        start = max(first, data.rfind(b"\n", 0, middle) + 1)
        text, after = line_at(start)
        if text.lower() < lowered:
            low = after
        else:
            high = start
    found = []
    while low < len(data):
        text, low = line_at(low)
        if not text.lower().startswith(lowered):
            break
        found.append(text)
    return found


# --- the lookup index: what `where` reads instead of every region's whole catalog ----------------

_WHERE_MAGIC = b"\x00scnet-images where 3\n"
# (The digest too: a full line and a short one with its original-case copy must differ in length.)
_WHERE_FIELDS = ("name", "tag", "version", "path", "accelerator_type", "type", "image_id")
# Most images are `REGISTRY/.../NAME:TAG` with the version `NAME:TAG`: their line is only the
# path, accelerators and type (a third of the bytes to search).
_SHORT_FIELDS = ("path", "accelerator_type", "type")


def where_file(images: Iterable[Image], saved_at: float) -> bytes:
    """One line per image, after the moment the catalog was saved: its path, accelerators and
    type (or, when its name, tag and version are not the path's end, those too), tab apart and
    lower-cased (searched as they are, with no copy), then, when one of them was not
    lower-case, the same as they were. Enough for `where` to find and rank the images that
    match without reading the catalog. An image with a tab or a control character in one of
    these is left out (`path` would refuse to print such a path anyway)."""
    from .safe_text import has_control_chars

    lines = []
    for image in images:
        short = image.version == f"{image.name}:{image.tag}" and image.path.endswith("/" + image.version)
        values = [getattr(image, field) for field in (_SHORT_FIELDS if short else _WHERE_FIELDS)]
        if any("\t" in value or has_control_chars(value) for value in values):
            continue
        line = "\t".join(values)
        lowered = line.lower()
        lines.append(lowered if lowered == line else f"{lowered}\t{line}")
    return _WHERE_MAGIC + f"{saved_at!r}\n".encode() + "\n".join(lines).encode("utf-8")


def load_where(key: str | None, terms: Iterable[str]) -> tuple[float, list[Image]] | None:
    """When the catalog of `key` was saved, and its images (light: no raw fields) whose line
    holds every term, ignoring case; None when there is no index (or it is not safe to read).
    The lines are found by searching the mapped file for the longest term."""
    from .api.models import Image, haystack

    wanted = sorted({term.lower() for term in terms if term.strip()}, key=len, reverse=True)
    if key is None or not wanted:
        return None
    try:
        descriptor = open_private(f"{key}.where")
        try:
            if os.read(descriptor, len(_WHERE_MAGIC)) != _WHERE_MAGIC:
                return None
            with mmap.mmap(descriptor, 0, access=mmap.ACCESS_READ) as data:
                first_end = data.find(b"\n", len(_WHERE_MAGIC))
                saved_at = float(data[len(_WHERE_MAGIC):first_end].decode("ascii"))
                lines = _lines_with(data, wanted[0].encode("utf-8"), first_end + 1)
        finally:
            os.close(descriptor)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    found = []
    for line in lines:
        values = line.split("\t")
        count = len(values) if len(values) in (len(_SHORT_FIELDS), len(_WHERE_FIELDS)) else len(values) // 2
        if count not in (len(_SHORT_FIELDS), len(_WHERE_FIELDS)) or len(values) not in (count, 2 * count):
            continue
        if not all(term in "\t".join(values[:count]) for term in wanted):
            continue
        if count == len(_SHORT_FIELDS):
            path, accelerators, kind = values[-count:]  # as they were
            version = path.rsplit("/", 1)[-1]
            name, _colon, tag = version.rpartition(":")
        else:
            name, tag, version, path, accelerators, kind, _digest = values[-count:]
        found.append(Image(name=name, tag=tag, version=version, path=path, accelerator_type=accelerators, type=kind,
                           haystack=haystack(name, tag, version, path)))
    return saved_at, found


def _lines_with(data: mmap.mmap, term: bytes, start: int) -> list[str]:
    """The lines (from `start` on) whose lower-cased part holds `term` (lower-cased): found by
    `mmap.find`, no copy of the file made."""
    lines, position = [], data.find(term, start)
    while position >= 0:
        begin = data.rfind(b"\n", start, position) + 1 or start
        end = data.find(b"\n", position)
        end = len(data) if end < 0 else end
        lines.append(data[max(begin, start):end].decode("utf-8"))
        position = data.find(term, end)
    return lines
