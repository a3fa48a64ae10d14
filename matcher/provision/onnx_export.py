"""Exporting a provisioned folder to ONNX: float32, then int8, then a check of both.

sentence-transformers' own export (``backend="onnx"``,
``export_dynamic_quantized_onnx_model``) goes through optimum-onnx, which
requires transformers < 4.58 while sentence-transformers 6 requires
transformers >= 5; the two cannot be installed together. The same two steps
are therefore done with the libraries underneath them: ``torch.onnx.export``
for the graph and ONNX Runtime's ``quantize_dynamic`` (what optimum's
``ORTQuantizer`` calls) for int8.

The graph holds the whole sentence-transformers pipeline (transformer, the
folder's pooling, normalisation), so ONNX Runtime returns finished vectors.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from matcher.onnx_model import (
    FP32_FILENAME,
    INPUT_NAMES,
    ONNX_DIRNAME,
    ONNX_LAYOUT_VERSION,
    ONNX_MARKER_FILENAME,
    OUTPUT_NAME,
    OnnxSentenceModel,
    graph_feed,
    load_tokenizer,
    read_onnx_marker,
)
from matcher.provision._common import (
    MARKER_FILENAME,
    ModelProvisioningError,
    Progress,
    installed_version,
    write_json,
)
from matcher.provision.marker import _make_sibling, _move_into_place, staged_sibling

OPSET = 17
# How many MatMuls keep float32 in the int8 graph: those whose inputs have the widest outliers.
FLOAT32_MATMULS = 1
# The int8 graph must stay this close to float32 on the check texts, or provisioning fails.
# Measured on the demo openings: per-channel int8 is at cosine 0.994 or more to torch.
MIN_INT8_COSINE = 0.98
MIN_FP32_COSINE = 0.9999
CHECK_TEXTS = (
    "query: deltidsjob med dyr, ikke kontor",
    "passage: Lagermedarbejder søges til nathold, 25 timer om ugen, kørekort B påkrævet.",
    "passage: Warehouse worker, part-time, 25 hours a week in Kolding",
    "query: I would like a quiet job outdoors",
)


def cpu_has_vnni(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether the CPU multiplies u8 by s8 without saturating (AVX-512 VNNI or AVX-VNNI)."""
    try:
        flags = cpuinfo.read_text(encoding="utf-8", errors="replace").split()
    except OSError:
        return False
    return "avx512_vnni" in flags or "avx_vnni" in flags


def onnx_is_current(folder: Path, source_sha256: str) -> bool:
    marker = read_onnx_marker(folder)
    return marker is not None and marker.get("source_sha256") == source_sha256


def export_onnx(
    folder: Path,
    source_sha256: str,
    say: Progress,
    *,
    overwrite: bool = False,
    float32_matmuls: int = FLOAT32_MATMULS,
) -> None:
    """Write ``folder/onnx`` (float32 and int8 graphs and their marker), unless current.

    The files are written in a hidden sibling and renamed into place, and the
    marker is written last, so an interrupted export is redone next time.
    """
    if not overwrite and onnx_is_current(folder, source_sha256):
        say(f"ONNX export is current: {folder / ONNX_DIRNAME}")
        return
    target = folder / ONNX_DIRNAME
    with staged_sibling(target, "the ONNX export") as staging:
        say("Exporting the encoder to ONNX (float32)")
        _export_fp32(folder, staging / FP32_FILENAME)
        vnni = cpu_has_vnni()
        int8_name = f"model_qint8_{'avx512_vnni' if vnni else 'avx2'}.onnx"
        tokenizer = load_tokenizer(folder)
        # One text at a time: no padding among the values measured.
        feeds = [graph_feed(tokenizer, [text]) for text in CHECK_TEXTS]
        kept = outlier_matmuls(staging / FP32_FILENAME, feeds, float32_matmuls)
        say(f"Quantising to int8 ({int8_name}; float32 kept for {', '.join(kept) or 'none'})")
        _quantise(staging / FP32_FILENAME, staging / int8_name, reduce_range=not vnni, keep=kept)
        write_json(
            staging / ONNX_MARKER_FILENAME,
            {
                "layout_version": ONNX_LAYOUT_VERSION,
                "source_sha256": source_sha256,
                "files": {"fp32": FP32_FILENAME, "int8": int8_name},
                "opset": OPSET,
                "inputs": list(INPUT_NAMES),
                "output": OUTPUT_NAME,
                "int8": {
                    "per_channel": True,
                    "reduce_range": not vnni,
                    "ops": ["MatMul"],
                    "float32_nodes": kept,
                },
                "versions": {
                    name: installed_version(name) for name in ("torch", "onnx", "onnxruntime")
                },
                "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
            },
        )
        say("Checking the ONNX graphs against torch")
        _check_against_torch(folder, staging)
        _move_into_place(staging, target)


def _sentence_model(folder: Path) -> Any:
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(str(folder), device="cpu", local_files_only=True).eval()
    except Exception as error:
        raise ModelProvisioningError(f"cannot load {folder} to export it: {error}") from error


def _export_fp32(folder: Path, path: Path) -> None:
    import torch

    model = _sentence_model(folder)

    class Pipeline(torch.nn.Module):
        """The folder's modules as one graph from token ids to a sentence embedding."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            features = {"input_ids": input_ids, "attention_mask": attention_mask}
            embedding: torch.Tensor = self.model(features)[OUTPUT_NAME]
            return embedding

    example = model.tokenizer(list(CHECK_TEXTS[:2]), padding=True, return_tensors="pt")
    dynamic = {"batch": 0, "tokens": 1}
    with warnings.catch_warnings(), torch.no_grad():
        # The tracer warns about Python conditions in the pooling code that hold for every
        # input (mask and tokens always have the same length); the check below proves it.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pipeline().eval(),
            (example["input_ids"], example["attention_mask"]),
            str(path),
            input_names=list(INPUT_NAMES),
            output_names=[OUTPUT_NAME],
            dynamic_axes={
                "input_ids": {v: k for k, v in dynamic.items()},
                "attention_mask": {v: k for k, v in dynamic.items()},
                OUTPUT_NAME: {0: "batch"},
            },
            opset_version=OPSET,
            dynamo=False,
        )


def outlier_matmuls(graph: Path, feeds: Sequence[dict[str, np.ndarray]], count: int) -> list[str]:
    """The ``count`` weight MatMuls of ``graph`` whose inputs spread widest on ``feeds``.

    Dynamic int8 quantises a MatMul's input with one scale per tensor, set by its largest
    value. An input whose few outliers lie far beyond its spread (its range over its
    standard deviation) leaves the other values only a few int8 steps, and that MatMul
    then costs most of the int8 graph's error. In multilingual-e5-small it is one MatMul,
    the feed-forward output of layer 4: keeping it alone in float32 halves the int8
    vectors' distance to float32 on the demo openings (1 - cosine, 0.0034 to 0.0018), at 1
    of 72 quantised MatMuls (see benchmarks/README.md, "Encoder backends").
    """
    if count <= 0:
        return []
    import onnx
    import onnxruntime

    model = onnx.load(str(graph))
    weights = {initializer.name for initializer in model.graph.initializer}
    matmuls = [
        node
        for node in model.graph.node
        if node.op_type == "MatMul" and len(node.input) == 2 and node.input[1] in weights
    ]
    inputs = list(dict.fromkeys(node.input[0] for node in matmuls))
    known = {output.name for output in model.graph.output}
    for name in inputs:
        if name not in known:
            model.graph.output.append(
                onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None)
            )
    spread: dict[str, float] = dict.fromkeys(inputs, 0.0)
    try:
        session = onnxruntime.InferenceSession(
            model.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        for feed in feeds:
            for name, value in zip(inputs, session.run(inputs, feed), strict=True):
                deviation = float(np.std(value))
                if deviation > 0:
                    ratio = float(np.max(value) - np.min(value)) / deviation
                    spread[name] = max(spread[name], ratio)
    except Exception as error:  # onnxruntime raises its own exception types
        raise ModelProvisioningError(
            f"cannot run {graph} to measure its MatMuls' inputs: {error}"
        ) from error
    ranked = sorted(matmuls, key=lambda node: -spread[node.input[0]])
    return [node.name for node in ranked[:count]]


def _quantise(source: Path, target: Path, *, reduce_range: bool, keep: Sequence[str] = ()) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel weights hold quality (cosine 0.994+ to float32 on the demo openings, against
    # 0.984 per tensor). Only MatMul is quantised: the word-embedding table stays float32, and
    # so do the MatMuls in `keep` (see `outlier_matmuls`).
    # Without VNNI, u8 x s8 products can saturate; reduce_range avoids that there.
    quantize_dynamic(
        source,
        target,
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=reduce_range,
        op_types_to_quantize=["MatMul"],
        nodes_to_exclude=list(keep),
    )


def _check_against_torch(folder: Path, staging: Path) -> None:
    """Both graphs must give torch's vectors (up to int8 rounding) on the check texts."""
    reference = np.asarray(
        _sentence_model(folder).encode(list(CHECK_TEXTS), normalize_embeddings=True),
        dtype=np.float32,
    )
    exported = _linked_view(folder, staging)
    try:
        for quantisation, minimum in (("fp32", MIN_FP32_COSINE), ("int8", MIN_INT8_COSINE)):
            model = OnnxSentenceModel(exported, quantisation)  # type: ignore[arg-type]
            vectors = model.encode(list(CHECK_TEXTS), batch_size=len(CHECK_TEXTS))
            worst = float(np.min(np.sum(vectors * reference, axis=1)))
            if worst < minimum:
                raise ModelProvisioningError(
                    f"the {quantisation} ONNX graph disagrees with torch: cosine {worst:.4f} on "
                    f"the check texts, below the required {minimum}"
                )
    finally:
        shutil.rmtree(exported, ignore_errors=True)


def _linked_view(folder: Path, staging: Path) -> Path:
    """A throwaway folder with the tokenizer files and the staged graphs, for the check."""
    view = _make_sibling(staging, "check")
    for name in ("tokenizer.json", "sentence_bert_config.json", MARKER_FILENAME):
        (view / name).symlink_to((folder / name).resolve())
    (view / ONNX_DIRNAME).symlink_to(staging.resolve())
    return view
