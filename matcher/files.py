"""Files that appear whole or not at all."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Literal


@contextmanager
def atomic_file(path: str | Path, mode: Literal["w", "wb"] = "wb") -> Iterator[IO[Any]]:
    """A stream to a temporary file beside `path`, renamed onto `path` when the block ends.

    A reader never sees half a file, and an error inside the block (or a
    crash) leaves any earlier `path` as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        encoding = "utf-8" if mode == "w" else None
        with os.fdopen(handle, mode, encoding=encoding) as stream:
            yield stream
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def atomic_bytes(path: str | Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all."""
    with atomic_file(path) as stream:
        stream.write(data)


def sha256_of(path: Path) -> str:
    """The hex SHA-256 of a file's bytes, read a mebibyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
