"""Backups of the store: SQLite's online backup API, or pg_dump/pg_restore.

A backup holds the store only, not the pseudonym key (a file apart, see
`service.security`): keep the two in different places, so that a lost backup
cannot link exports back to people. Restore into a stopped service.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from service.db import private_sqlite_files


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why."""


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"the store {url} is not a SQLite file")
    return Path(database)


def _libpq(url: str) -> tuple[str, list[str]]:
    """A libpq URL for pg_dump/pg_restore, and the schema options its search_path names."""
    parsed = make_url(url)
    options = parsed.query.get("options")
    text = options if isinstance(options, str) else " ".join(options or ())
    schemas: list[str] = []
    for part in text.split():
        if part.startswith("-csearch_path="):
            schemas = [s.strip() for s in part.removeprefix("-csearch_path=").split(",")]
    plain = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return plain, [option for schema in schemas if schema for option in ("--schema", schema)]


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy page by page with SQLite's online backup API; `target` made 0600 if new."""
    private_sqlite_files(target)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _private(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists():
        path.chmod(0o600)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools")
    return found


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        # pg_dump's messages name objects, never row values.
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[:2000]}")


def backup(url: str, out: Path) -> None:
    """Write a consistent copy of the store at `url` to `out` (0600), while it runs."""
    if out.exists():
        raise BackupError(f"{out} exists already; choose a new file")
    _private(out)
    if make_url(url).get_backend_name() == "sqlite":
        source = _sqlite_path(url)
        if not source.is_file():
            raise BackupError(f"no store at {source}")
        _sqlite_copy(source, out)
        return
    target, schemas = _libpq(url)
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", *schemas, "--file", str(out), target])
    out.chmod(0o600)


def restore(url: str, backup_file: Path) -> None:
    """Replace the store at `url` with the copy in `backup_file` (stop the service first)."""
    if not backup_file.is_file():
        raise BackupError(f"no backup at {backup_file}")
    if make_url(url).get_backend_name() == "sqlite":
        _sqlite_copy(backup_file, _sqlite_path(url))
        return
    target_url, schemas = _libpq(url)
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *schemas,
            "--dbname",
            target_url,
            str(backup_file),
        ]
    )
