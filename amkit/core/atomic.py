"""Write a result file so that no failure loses the earlier one (issue 25).

Every file amkit writes as a result (backup, restore's kept copy, export -o, report -o, the
rejected rows of an import) goes the same way: a temp file in the target's own directory,
written, fsynced, renamed over the target in one step (`os.replace`), then the directory
fsynced so the rename itself survives a crash. Until the rename the earlier file is untouched;
on any failure the temp file is removed and nothing partial is left.

Errors are one line naming the file: a directory that does not exist or cannot be written is
bad input (exit 2, naming the option when one is given); anything else the OS says while
writing (ENOSPC, EIO, EDQUOT...) is a ServiceError (exit 5).
"""

from __future__ import annotations

import errno
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from amkit.errors import AmkitError, BadInput, ServiceError, bad_value

# Errors about the path the user gave (it cannot be a file there), not about writing it.
_PATH_ERRORS = {errno.ENOENT, errno.ENOTDIR, errno.EACCES, errno.EPERM, errno.EROFS, errno.EISDIR,
                errno.ENAMETOOLONG}


def failed(path: str | os.PathLike, exc: BaseException) -> ServiceError:
    """The one line for an OS (or SQLite I/O) error while writing `path` (exit 5)."""
    text = str(exc).strip()
    reason = getattr(exc, "strerror", None) or (text.splitlines()[0] if text else type(exc).__name__)
    return ServiceError(f"cannot write {os.fspath(path)}: {reason}")


def _unusable(path: Path, exc: OSError, field: str | None) -> AmkitError:
    if exc.errno in _PATH_ERRORS:
        if field:
            return bad_value(field, str(path), exc.strerror or str(exc))
        return BadInput(f"cannot write {path}: {exc.strerror or exc}")
    return failed(path, exc)


def _mode(target: Path, private: bool) -> int:
    if private:
        return 0o600
    try:
        return target.stat().st_mode & 0o777  # keep an existing file's permissions
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _fsync_path(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link_new(tmp: Path, target: Path) -> None:
    """Rename tmp to target unless target exists (a hard link fails on EEXIST; where the file
    system has no hard links, an O_EXCL placeholder claims the name first)."""
    try:
        os.link(tmp, target)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.replace(tmp, target)
        return
    tmp.unlink()


def _discard(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


@contextmanager
def replacing(path: str | os.PathLike, *, private: bool = False, exclusive: bool = False,
              field: str | None = None) -> Iterator[Path]:
    """A temp file next to `path` to fill; on a clean exit it becomes `path` atomically.

    private: mode 0600 whatever the umask (revealed contacts, database copies).
    exclusive: never replace an existing file (the rename becomes a link that fails on EEXIST).
    """
    target = Path(os.path.abspath(os.fspath(path)))
    if target.is_dir():
        raise _unusable(target, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)), field)
    if exclusive and target.exists():
        raise ServiceError(f"cannot write {target}: {os.strerror(errno.EEXIST)}")
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise _unusable(target, exc, field) from None
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, _mode(target, private))
        yield tmp
        _fsync_path(tmp)
        if exclusive:
            _link_new(tmp, target)
        else:
            os.replace(tmp, target)
        _fsync_path(target.parent, directory=True)
    except OSError as exc:
        _discard(tmp)
        raise failed(target, exc) from None
    except BaseException:
        _discard(tmp)
        raise


@contextmanager
def open_replacing(path: str | os.PathLike, *, encoding: str = "utf-8", newline: str = "",
                   private: bool = False, field: str | None = None) -> Iterator[IO[str]]:
    """A text file that replaces `path` atomically when the block ends without an error."""
    with replacing(path, private=private, field=field) as tmp:
        with open(tmp, "w", encoding=encoding, newline=newline) as fh:
            yield fh
