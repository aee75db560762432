"""Write a file atomically: a temp file in the same folder, fsynced, renamed into place."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from casey_cli.errors import InvalidInput


def write_atomic(
    path: Path,
    data: bytes | Iterable[bytes],
    *,
    mode: int = 0o644,
    replace: bool = True,
    durable: bool = True,
    keep: Callable[[], bool] | None = None,
) -> int:
    """A killed export never leaves half a file: readers see the old file or the new one.
    `replace=False`: a file already at `path` is kept and FileExistsError raised (checked
    when the new file is put in place, so a file made meanwhile is kept too). Returns the
    bytes written. `durable=False` skips the fsync: readers still see the old file or the
    new one, but a power cut may lose the new one (a published site's pages, made again by
    the next run). `keep`, asked once the data is written, True: leave the file at `path`
    as it is (its bytes were the same)."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInput(
            f"folder {folder} does not exist; create it or choose another --output",
            field="--output",
        )
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:  # a folder this user cannot write in (or /proc): no traceback
        raise InvalidInput(
            f"cannot write in folder {folder} ({exc.strerror}); choose a folder you can write in",
            field=str(path),
        ) from None
    try:
        size = 0
        with os.fdopen(fd, "wb") as handle:
            for chunk in [data] if isinstance(data, bytes) else data:
                handle.write(chunk)
                size += len(chunk)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if keep is not None and keep():  # the file already there has these bytes
            os.unlink(tmp)
            return size
        os.chmod(tmp, mode)
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if the name is taken; then the temp file goes
            except FileExistsError:
                raise
            except OSError:  # a file system without hard links: check, then rename
                if path.exists():
                    raise FileExistsError(path) from None
                os.replace(tmp, path)
            else:
                os.unlink(tmp)
        return size
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
