"""Files Costplane writes: a regular file or a new name, never through a link, never outside.

Every command that writes a file goes through here, so that a hostile name or an odd
thing already at the path cannot send the bytes elsewhere:

- the target must be a regular file (replaced) or a new name: a directory, a device
  (`/dev/null`), a FIFO, a socket or a symbolic link there is refused, exit 2;
- with a `root` (the GitOps directory, a fleet's `--out`), the path must stay under
  it: no `..`, no absolute part, and no symbolic link at or below the root, so a
  name like `../../tmp/x` or a link planted in the directory cannot lead out;
- the bytes go to a new temporary file beside the target (created exclusively, so
  nothing already there is opened), which is renamed onto the target when complete:
  a reader sees the old file or the new one, and a failure leaves the old one;
- an OS error (a name longer than the file system allows, a read-only directory) is
  an `InputError` naming the path, one line; a full disk is an `ExecutionError`.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from costplane.errors import ExecutionError, InputError

NAME_MAX = 255
"""Bytes in one file name on Linux and macOS file systems (ext4, xfs, btrfs, apfs)."""

_USER_ERRORS = frozenset(
    {
        errno.ENAMETOOLONG,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.ENOENT,
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
        errno.ELOOP,
        errno.EEXIST,
        errno.EINVAL,
        errno.EXDEV,
    }
)
"""OS errors that the name or the place given causes; others (ENOSPC, EIO) are the work's."""


def shown(path: Path | str) -> str:
    """The path as one printable line: control characters (a newline in a hostile name)
    escaped."""
    return "".join(f"\\x{ord(c):02x}" if ord(c) < 0x20 or ord(c) == 0x7F else c for c in str(path))


def os_error(path: Path | str, exc: OSError, label: str = "") -> InputError | ExecutionError:
    """The one-line error for an OS error met while writing `path`."""
    where = label or shown(path)
    if exc.errno == errno.ENAMETOOLONG:
        return InputError(
            f"{where}: the name is too long for the file system "
            f"(at most {NAME_MAX} bytes a name); give a shorter one"
        )
    reason = exc.strerror or type(exc).__name__
    if exc.errno in _USER_ERRORS:
        return InputError(f"{where}: cannot be written: {reason}")
    return ExecutionError(f"{where}: writing failed: {reason}")


def check_target(path: Path, *, root: Path | None = None, label: str = "") -> Path:
    """Refuse a target that is not a regular file or a new name, or (with `root`) that is
    not under the root without a link on the way; the absolute path to write.

    `label` names the path in errors (`--out x.parquet`); default: the path itself."""
    where = label or shown(path)
    _check_nul(path, where)
    target = _under(root, path, where) if root is not None else Path(os.path.abspath(path))
    _check_name(target, where)
    try:
        status = os.lstat(target)
    except FileNotFoundError:
        parent = target.parent
        if root is None and not parent.is_dir():  # under a root, make_directories makes it
            raise InputError(f"{where}: the directory {shown(parent)} does not exist") from None
        return target
    except OSError as exc:
        raise os_error(target, exc, where) from exc
    kind = _kind(status.st_mode)
    if kind is not None:
        raise InputError(f"{where}: is {kind}; Costplane writes only a regular file or a new name")
    return target


def make_directories(directory: Path, *, root: Path, label: str = "") -> Path:
    """`mkdir -p` of `directory` under `root`, refusing a link or a file on the way."""
    where = label or shown(directory)
    _check_nul(directory, where)
    base = Path(os.path.abspath(root))
    target = _under(root, directory, where)
    current = base
    for part in target.relative_to(base).parts:
        current = current / part
        try:
            os.mkdir(current)
        except FileExistsError:
            pass
        except OSError as exc:
            raise os_error(current, exc, where) from exc
        _check_directory(current, where)
    return target


@contextmanager
def replacing(path: Path, *, root: Path | None = None, label: str = "") -> Iterator[Path]:
    """A new, empty temporary file beside `path` to write into; renamed onto `path`
    when the block ends without an error, removed when it raises.

    The writer may open the temporary path by name (pyarrow, DuckDB do): it is a regular
    file this process has just created under a random name."""
    where = label or shown(path)
    target = check_target(path, root=root, label=label)
    temporary = target.with_name(_temporary_name(target.name))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        descriptor = os.open(temporary, flags, 0o666)
    except OSError as exc:
        raise os_error(target, exc, where) from exc
    try:
        try:
            if target.exists():  # a replaced file keeps its permissions
                os.fchmod(descriptor, stat.S_IMODE(os.lstat(target).st_mode))
        finally:
            os.close(descriptor)
        yield temporary
        check_target(target, root=root, label=label)  # nothing swapped in meanwhile
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise os_error(target, exc, where) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_bytes(path: Path, data: bytes, *, root: Path | None = None, label: str = "") -> Path:
    """Write `data` as the whole of `path`, by a temporary file and a rename; the path."""
    with replacing(path, root=root, label=label) as temporary, open(temporary, "wb") as stream:
        stream.write(data)
    return path


def write_text(path: Path, text: str, *, root: Path | None = None, label: str = "") -> Path:
    """Write `text` (UTF-8) as the whole of `path`, by a temporary file and a rename."""
    return write_bytes(path, text.encode("utf-8"), root=root, label=label)


def _under(root: Path, path: Path, where: str) -> Path:
    """`path` (under `root`, both read from the working directory when relative, as the
    user gave them) as an absolute path strictly under the root, each existing part below
    the root checked to be a directory, not a link."""
    base = Path(os.path.abspath(root))
    full = Path(os.path.abspath(path))
    if full == base or not full.is_relative_to(base):
        raise InputError(f"{where}: leads outside {shown(root)}")
    current = base
    for part in full.relative_to(base).parts[:-1]:
        current = current / part
        try:
            os.lstat(current)
        except FileNotFoundError:
            break  # made later by make_directories, which checks each part it makes
        except OSError as exc:
            raise os_error(current, exc, where) from exc
        _check_directory(current, where)
    return full


def _check_directory(path: Path, where: str) -> None:
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        raise os_error(path, exc, where) from exc
    if stat.S_ISLNK(mode):
        raise InputError(
            f"{where}: {shown(path)} is a symbolic link; Costplane does not write through links"
        )
    if not stat.S_ISDIR(mode):
        raise InputError(f"{where}: {shown(path)} is not a directory")


def _check_nul(path: Path, where: str) -> None:
    if "\x00" in str(path):
        raise InputError(f"{where}: a file name cannot hold a NUL character")


def _check_name(path: Path, where: str) -> None:
    for part in path.parts:
        if len(os.fsencode(part)) > NAME_MAX:
            raise os_error(path, OSError(errno.ENAMETOOLONG, "File name too long"), where)


def _kind(mode: int) -> str | None:
    """What is at a path that is not a regular file, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link (Costplane does not write through links)"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _temporary_name(name: str) -> str:
    """A hidden, random name beside the target that fits in NAME_MAX whatever the target's."""
    token = secrets.token_hex(6)
    room = NAME_MAX - len(f"..{token}.tmp")
    encoded = os.fsencode(name)[:room]
    return f".{os.fsdecode(encoded).rstrip()}.{token}.tmp" if encoded else f".{token}.tmp"
