"""Writing outputs whole or not at all."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from matcher.files import atomic_bytes


def atomic_text(path: str | Path, text: str) -> None:
    atomic_bytes(path, text.encode("utf-8"))


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def write_files(directory: str | Path, files: Mapping[str, bytes]) -> None:
    """Put several files into `directory` only once all of them are ready.

    The files are first written into a fresh temporary folder beside
    `directory`; a new `directory` is then that folder renamed (atomic), and
    an existing one gets each file renamed in (each file atomic). Nothing is
    touched in `directory` before every file has been written in full.
    """
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}."))
    # mkdtemp makes the folder private; an output folder is an ordinary one.
    staging.chmod(0o755)
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        if not directory.exists():
            os.replace(staging, directory)
            return
        for name in files:
            os.replace(staging / name, directory / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
