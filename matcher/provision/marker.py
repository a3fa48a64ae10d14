"""The provenance marker that says a folder is complete, and the atomic swap into place."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass
from matcher.provision._common import LAYOUT_VERSION, MARKER_FILENAME, ModelProvisioningError

_REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
    "README.md",
    MARKER_FILENAME,
)
_REQUIRED_DIRS = ("2_Normalize",)

Progress = Callable[[str], None]


def _read_marker(target: Path) -> dict[str, Any] | None:
    try:
        marker = json.loads((target / MARKER_FILENAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("layout_version") != LAYOUT_VERSION:
        return None
    source = marker.get("source")
    if not isinstance(source, dict) or not isinstance(source.get("sha256"), str):
        return None
    if not all((target / name).is_file() for name in _REQUIRED_FILES):
        return None
    if not all((target / name).is_dir() for name in _REQUIRED_DIRS):
        return None
    return marker


def _is_current(target: Path, source_version: str | None, sha256: str) -> bool:
    marker = _read_marker(target)
    if marker is None:
        return False
    source = marker["source"]
    return bool(source.get("sha256") == sha256 and source.get("version") == source_version)


def _check_replaceable(target: Path, overwrite: bool) -> None:
    if not target.exists():
        return
    if not target.is_dir():
        raise ModelProvisioningError(f"{target} exists and is not a folder")
    if overwrite or (target / MARKER_FILENAME).exists() or not any(target.iterdir()):
        return
    raise ModelProvisioningError(
        f"{target} is a non-empty folder that was not built by ipsmatch; "
        "choose another folder or pass overwrite=True to replace it"
    )


# A build takes seconds; a staging folder this old belongs to a run that died.
ABANDONED_AFTER_S = 3600.0


def _remove_abandoned_builds(target: Path) -> None:
    now = time.time()
    for role in ("partial", "old"):
        for stale in target.parent.glob(f".{target.name}.{role}-*"):
            try:
                if now - stale.stat().st_mtime > ABANDONED_AFTER_S:
                    shutil.rmtree(stale, ignore_errors=True)
            except OSError:
                continue


def _make_sibling(target: Path, role: str) -> Path:
    """A new hidden directory next to ``target`` (``os.mkdir``, so the umask applies)."""
    for _ in range(100):
        path = target.with_name(f".{target.name}.{role}-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        except OSError as error:
            raise ModelProvisioningError(
                f"cannot create a folder next to {target}: {error}"
            ) from error
        return path
    raise ModelProvisioningError(f"cannot create a temporary folder next to {target}")


@contextmanager
def staged_sibling(target: Path, what: str) -> Iterator[Path]:
    """A new hidden sibling of ``target`` to build in, removed afterwards whatever happens;
    a file-system error while building becomes a `ModelProvisioningError` naming ``what``."""
    staging = _make_sibling(target, "partial")
    try:
        yield staging
    except OSError as error:
        raise ModelProvisioningError(f"could not write {what} {target}: {error}") from error
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _move_into_place(staging: Path, target: Path) -> None:
    if not target.exists():
        os.replace(staging, target)
        return
    retired = _make_sibling(target, "old")
    os.replace(target, retired / target.name)
    try:
        os.replace(staging, target)
    except OSError:
        os.replace(retired / target.name, target)
        raise
    finally:
        shutil.rmtree(retired, ignore_errors=True)
