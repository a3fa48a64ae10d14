"""A provisioned sentence-transformers folder run by ONNX Runtime instead of torch.

`ipsmatch models provision` exports the folder's whole pipeline (transformer,
mean pooling, L2 normalisation) as one ONNX graph in ``onnx/``: ``model.onnx``
in float32 and a dynamically quantised int8 copy. The graph takes the
tokenizer's ``input_ids`` and ``attention_mask`` and returns the finished
``sentence_embedding``, so no pooling code is repeated here: this module only
tokenises with the folder's own ``tokenizer.json`` and runs the session.
"""

from __future__ import annotations

import json
import os
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from matcher.errors import EncoderError

Quantisation = Literal["int8", "fp32"]
QUANTISATIONS: tuple[Quantisation, ...] = ("int8", "fp32")

ONNX_DIRNAME = "onnx"
ONNX_MARKER_FILENAME = "ipsmatch-onnx.json"
FP32_FILENAME = "model.onnx"
# ONNX_LAYOUT_VERSION is bumped when the exported graph changes, so old exports are redone.
# 2: the int8 graph keeps its widest-input MatMul in float32 (see onnx_export.outlier_matmuls).
ONNX_LAYOUT_VERSION = 2
INPUT_NAMES = ("input_ids", "attention_mask")
OUTPUT_NAME = "sentence_embedding"


def read_onnx_marker(folder: Path) -> dict[str, Any] | None:
    """The export's marker if it is valid and every file it names is present."""
    path = Path(folder) / ONNX_DIRNAME / ONNX_MARKER_FILENAME
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("layout_version") != ONNX_LAYOUT_VERSION:
        return None
    files = marker.get("files")
    if not isinstance(files, dict) or set(files) != set(QUANTISATIONS):
        return None
    if not all(isinstance(name, str) and (path.parent / name).is_file() for name in files.values()):
        return None
    return marker


def onnx_file(folder: Path, quantisation: Quantisation) -> Path:
    """The graph file for ``quantisation``, or an `EncoderError` saying how to make it."""
    marker = read_onnx_marker(folder)
    if marker is None:
        raise EncoderError(
            f"{folder} has no complete ONNX export (looked for {ONNX_DIRNAME}/"
            f"{ONNX_MARKER_FILENAME}); run `ipsmatch models provision` to export it, or choose "
            "the torch backend (--backend torch, IPSMATCH_ENCODER_BACKEND=torch)"
        )
    return Path(folder) / ONNX_DIRNAME / str(marker["files"][quantisation])


def max_seq_length(folder: Path) -> int:
    """The folder's token limit, as sentence-transformers reads it."""
    try:
        config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return int(config["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise EncoderError(
            f"{folder / 'sentence_bert_config.json'}: cannot read max_seq_length ({error})"
        ) from error


def load_tokenizer(folder: Path) -> Any:
    """The folder's ``tokenizer.json``, truncating at its token limit and padding batches."""
    try:
        from tokenizers import Tokenizer
    except ImportError as error:  # pragma: no cover - a broken install
        raise EncoderError(f"the ONNX backend needs tokenizers: {error}") from error
    folder = Path(folder)
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    pad_id = tokenizer.token_to_id("<pad>")
    tokenizer.enable_truncation(max_length=max_seq_length(folder))
    tokenizer.enable_padding(pad_id=pad_id if pad_id is not None else 0)
    return tokenizer


def graph_feed(tokenizer: Any, texts: Sequence[str]) -> dict[str, np.ndarray]:
    """The graph's inputs for ``texts`` (prompts already applied), padded to the longest."""
    encodings = tokenizer.encode_batch(list(texts))
    return {
        "input_ids": np.asarray([e.ids for e in encodings], dtype=np.int64),
        "attention_mask": np.asarray([e.attention_mask for e in encodings], dtype=np.int64),
    }


# Weights at least this large are shared by forked processes (`release_sessions`).
SHARED_WEIGHT_BYTES = 1 << 20


def release_sessions(share_weights: bool = False) -> None:
    """Close every ONNX session of this process before it forks.

    ONNX Runtime does not promise to be fork-safe, and a pre-forking
    server's worker (`service.prefork`) was seen to hang making its own
    session while the master's was alive (not reproduced in a small script:
    it depends on what the threads are doing at the fork). With no session
    alive at the fork there is nothing to inherit. Each model makes its
    session again on its next `encode`, in whichever process that is.

    With `share_weights`, each model first reads its graph's large weights
    into arrays of this process (`OnnxSentenceModel.hold_weights`), which the
    sessions made afterwards use in place: forked processes then share one
    copy of them (about 420 MB for e5-small) instead of loading one each.
    """
    for model in list(_LIVE_MODELS):
        model.release()
        if share_weights:
            model.hold_weights()


def open_sessions() -> None:
    """Make every released session again now, rather than in the next `encode`."""
    for model in list(_LIVE_MODELS):
        model._session_here()


class OnnxSentenceModel:
    """Tokenises with the folder's ``tokenizer.json`` and runs its ONNX graph on the CPU."""

    def __init__(self, folder: Path, quantisation: Quantisation, threads: int | None = None):
        try:
            import onnxruntime  # noqa: F401 - fail here, with a clear message, not later
        except ImportError as error:  # pragma: no cover - a broken install
            raise EncoderError(f"the ONNX backend needs onnxruntime: {error}") from error
        folder = Path(folder)
        self.path = onnx_file(folder, quantisation)
        self.max_seq_length = max_seq_length(folder)
        self.tokenizer = load_tokenizer(folder)
        self.threads = threads
        # The graph's large weights, when held in this process's arrays (`hold_weights`).
        self.weights: dict[str, np.ndarray] = {}
        self.session: Any = self._new_session()
        _LIVE_MODELS.add(self)
        shape = self.session.get_outputs()[0].shape
        self.dimension = int(shape[-1])
        # The int8 graph quantises each MatMul's input with one scale for the whole batch, so a
        # text's vector would move with its batch-mates (cosine 0.997 alone against in a batch).
        # One text per run keeps every text's vector its own, at about 0.7 of batched speed.
        self.batch_limit = 1 if quantisation == "int8" else None

    def _new_session(self) -> Any:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        if self.threads is not None:
            options.intra_op_num_threads = self.threads
        # ONNX Runtime uses an added initializer's buffer as it is (no copy) and reads none
        # of that name from the file; the values must live as long as the session does.
        values = {
            name: onnxruntime.OrtValue.ortvalue_from_numpy(array)
            for name, array in self.weights.items()
        }
        for name, value in values.items():
            options.add_initializer(name, value)
        try:
            session = onnxruntime.InferenceSession(
                str(self.path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as error:
            raise EncoderError(
                f"could not load the ONNX graph {self.path} ({error}); rebuild it with "
                "`ipsmatch models provision --force`"
            ) from error
        self._session_pid = os.getpid()
        self._weight_values = values
        return session

    def hold_weights(self) -> None:
        """Read the graph's weights of at least `SHARED_WEIGHT_BYTES` into arrays, once.

        Sessions made afterwards use these arrays instead of loading their own
        (see `release_sessions`); the arrays are never written.
        """
        if self.weights:
            return
        import onnx
        from onnx import numpy_helper

        def large_weights() -> dict[str, np.ndarray]:
            # In a function: a reference to any part of the parsed graph would keep all of
            # it (the whole file) alive.
            graph = onnx.load(str(self.path)).graph
            arrays = ((tensor.name, numpy_helper.to_array(tensor)) for tensor in graph.initializer)
            return {
                name: np.array(array)
                for name, array in arrays
                if array.nbytes >= SHARED_WEIGHT_BYTES
            }

        self.weights = large_weights()

    def _session_here(self) -> Any:
        """The session, made anew after `release_sessions` or in a forked process."""
        if self.session is None or self._session_pid != os.getpid():
            self.session = self._new_session()
        return self.session

    def release(self) -> None:
        """Close the session and its threads; the next `encode` makes a new one."""
        self.session = None

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """Unit vectors for ``texts`` (prompts already applied), in their order.

        Texts are batched by length, as sentence-transformers does, so that a
        batch pads to about its own length instead of the longest text's; the
        int8 graph takes one text at a time (`batch_limit`).
        """
        if self.batch_limit is not None:
            batch_size = min(batch_size, self.batch_limit)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            feed = graph_feed(self.tokenizer, [texts[i] for i in rows])
            out[rows] = self._session_here().run([OUTPUT_NAME], feed)[0]
        return out


_LIVE_MODELS: weakref.WeakSet[OnnxSentenceModel] = weakref.WeakSet()
