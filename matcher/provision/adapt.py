"""Adapting the encoder to the domain: contrastive fine-tuning on taxonomy pairs (issue 10).

The pairs are built offline from the occupation taxonomies, joined by ISCO-08 unit group
(four digits), and from the project's own Danish/English phrase pairs:

- ``disco_isco``: a DISCO-08 Danish title (levels 4 and 5) against the ISCO-08 English
  title of its group, and the reverse (the English title as the query);
- ``disco_esco``: a DISCO-08 Danish title against the English preferred label of an ESCO
  occupation of its group;
- ``esco_alt``: an ESCO alternative label against its occupation's preferred label and the
  first sentence of its description;
- ``phrases``: ``matcher/data/work_phrases_da_en.csv``, both directions.

The short side is the query (``query: ``), the target the passage (``passage: ``), as the
engine encodes wishes and openings. Training uses sentence-transformers'
``MultipleNegativesRankingLoss`` (the other pairs of a batch are the negatives) on batches
that never hold two pairs of one group: two titles of one ISCO group would be false
negatives. The word-embedding matrix (250,037 x 384) can stay frozen. Everything is seeded.

The base folder is read, never changed; the adapted folder is written beside it whole (a
hidden sibling renamed into place), with the base's tokenizer files, its prompts and its
token limit, then exported to ONNX as provisioning does.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from matcher.files import sha256_of
from matcher.provision._common import (
    MARKER_FILENAME,
    ModelProvisioningError,
    Progress,
    installed_version,
    silent,
    write_json,
)
from matcher.provision.adapt_pairs import (
    DEFAULT_KINDS,
    PAIR_KINDS,
    AdaptationError,
    AdaptSettings,
    Occupation,
    Pair,
    build_pairs,
    count_kinds,
    disco_titles,
    esco_occupations,
    first_sentence,
    isco_groups,
    load_pairs,
    no_duplicate_batches,
    phrase_pairs,
)
from matcher.provision.marker import _move_into_place, staged_sibling
from matcher.provision.onnx_export import export_onnx

ADAPT_FILENAME = "ipsmatch-adaptation.json"
ADAPTED_MODEL_DIRNAME = "multilingual-e5-small-ips"
PACKAGED_DISCO_PATH = Path(__file__).resolve().parents[1] / "data" / "disco08.csv"
PACKAGED_PHRASES_PATH = Path(__file__).resolve().parents[1] / "data" / "work_phrases_da_en.csv"
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "

__all__ = [
    "DEFAULT_KINDS",
    "PAIR_KINDS",
    "AdaptReport",
    "AdaptSettings",
    "AdaptationError",
    "Occupation",
    "Pair",
    "adapt_encoder",
    "build_pairs",
    "count_kinds",
    "disco_titles",
    "esco_occupations",
    "first_sentence",
    "isco_groups",
    "load_pairs",
    "no_duplicate_batches",
    "phrase_pairs",
    "train",
]


@dataclass
class AdaptReport:
    pairs: dict[str, int]
    batches_per_epoch: int
    steps: int
    seconds: float
    losses: list[float] = field(default_factory=list)


# --------------------------------------------------------------------------- training


def train(
    base: Path,
    pairs: Sequence[Pair],
    settings: AdaptSettings,
    say: Progress = silent,
    *,
    max_steps: int | None = None,
) -> tuple[Any, AdaptReport]:
    """Fine-tune the base folder's model on ``pairs``; returns the model and what was done."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    random.seed(settings.seed)
    torch.manual_seed(settings.seed)
    try:
        model = SentenceTransformer(str(base), device="cpu", local_files_only=True)
    except Exception as error:
        raise AdaptationError(f"cannot load the base model {base}: {error}") from error
    base_length = model.max_seq_length
    model.max_seq_length = settings.max_seq_length
    if settings.freeze_word_embeddings:
        transformer: Any = model[0]
        transformer.auto_model.embeddings.word_embeddings.weight.requires_grad_(False)
    loss_fn = MultipleNegativesRankingLoss(model, scale=settings.scale)
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(parameters, lr=settings.learning_rate)
    epochs = [
        no_duplicate_batches(pairs, settings.batch_size, settings.seed + epoch)
        for epoch in range(settings.epochs)
    ]
    total = sum(len(batches) for batches in epochs)
    if max_steps is not None:
        total = min(total, max_steps)
    warmup = max(1, int(total * settings.warmup_share))

    def rate(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, rate)
    report = AdaptReport(count_kinds(pairs), len(epochs[0]) if epochs else 0, 0, 0.0)
    model.train()
    started = time.monotonic()
    window: list[float] = []
    for batches in epochs:
        for batch in batches:
            if report.steps >= total:
                break
            queries = model.preprocess([QUERY_PREFIX + p.query for p in batch])
            passages = model.preprocess([PASSAGE_PREFIX + p.passage for p in batch])
            loss = loss_fn([queries, passages], torch.empty(0))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(parameters, 1.0)
            optimiser.step()
            scheduler.step()
            report.steps += 1
            window.append(float(loss.item()))
            if report.steps % 50 == 0 or report.steps == total:
                mean = sum(window) / len(window)
                report.losses.append(round(mean, 4))
                window = []
                elapsed = time.monotonic() - started
                say(
                    f"step {report.steps}/{total}: loss {mean:.4f}, "
                    f"{elapsed / report.steps:.2f} s/step, {elapsed:.0f} s"
                )
    report.seconds = time.monotonic() - started
    model.eval()
    model.max_seq_length = base_length
    return model, report


# --------------------------------------------------------------------------- the folder


def adapt_encoder(
    base: Path,
    target: Path,
    taxonomy: Path,
    *,
    disco: Path = PACKAGED_DISCO_PATH,
    phrases: Path = PACKAGED_PHRASES_PATH,
    settings: AdaptSettings | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
    onnx: bool = True,
    max_steps: int | None = None,
) -> tuple[Path, AdaptReport]:
    """Write the adapted encoder folder at ``target`` from the base folder ``base``.

    ``taxonomy`` holds ``esco/ISCOGroups_en.csv`` and ``esco/occupations_en.csv``;
    ``disco`` is a DISCO-08 table (``;``-separated, ``KODE;...;TITEL``), ``phrases`` the
    Danish/English phrase pairs. The folder gets ``ipsmatch-adaptation.json`` (data, pair
    counts, settings, steps, losses, time) and, with ``onnx``, its ONNX export.
    Raises :class:`AdaptationError`.
    """
    say: Progress = progress if progress is not None else silent
    settings = settings if settings is not None else AdaptSettings()
    base, target = Path(base), Path(target)
    if not (base / "config.json").is_file() or not (base / "modules.json").is_file():
        raise AdaptationError(f"{base}: not a sentence-transformers folder (no config.json)")
    if base.resolve() == target.resolve():
        raise AdaptationError(f"{target}: the adapted folder cannot replace its base")
    if target.exists() and not overwrite:
        raise AdaptationError(f"{target} exists; give --force to replace it")
    pairs = load_pairs(taxonomy, disco, phrases, settings)
    if len(pairs) < settings.batch_size:
        raise AdaptationError(f"only {len(pairs)} training pairs from {taxonomy}; too few")
    say(f"{len(pairs)} training pairs: {count_kinds(pairs)}")
    model, report = train(base, pairs, settings, say, max_steps=max_steps)
    target.parent.mkdir(parents=True, exist_ok=True)
    with staged_sibling(target, "the adapted encoder folder") as staging:
        say(f"Writing {target}")
        weights = _write_folder(base, staging, model)
        sha256 = sha256_of(weights)
        base_marker = _base_marker(base)
        write_json(
            staging / MARKER_FILENAME,
            {
                **base_marker,
                "source": {**base_marker.get("source", {}), "sha256": sha256},
                "adapted_from": {
                    "folder": base.name,
                    "source": base_marker.get("source"),
                },
                "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
            },
        )
        write_json(
            staging / ADAPT_FILENAME,
            {
                "base": base.name,
                "taxonomy": str(taxonomy),
                "pairs": report.pairs,
                "settings": {
                    key: list(value) if isinstance(value, tuple) else value
                    for key, value in settings.__dict__.items()
                },
                "batches_per_epoch": report.batches_per_epoch,
                "steps": report.steps,
                "seconds": round(report.seconds, 1),
                "losses_per_50_steps": report.losses,
                "weights_sha256": sha256,
                "versions": {
                    name: installed_version(name)
                    for name in ("torch", "sentence-transformers", "transformers")
                },
            },
        )
        (staging / "README.md").write_text(model_card(base.name, settings, report), "utf-8")
        _move_into_place(staging, target)
    say(f"Adapted encoder written to {target}")
    if onnx:
        _export(target, sha256, say)
    return target, report


# The int8 graph keeps the MatMuls with the widest input outliers in float32; fine-tuning can
# widen more of them than the base's one, so the export tries a few more before failing.
FLOAT32_MATMUL_TRIES = (1, 4, 12)


def _export(target: Path, sha256: str, say: Progress) -> None:
    """The ONNX export of the written folder (the weights are kept whatever happens)."""
    for count in FLOAT32_MATMUL_TRIES:
        try:
            export_onnx(target, sha256, say, overwrite=True, float32_matmuls=count)
            return
        except ModelProvisioningError as error:
            if "disagrees with torch" not in str(error) or count == FLOAT32_MATMUL_TRIES[-1]:
                raise AdaptationError(
                    f"{target}: the weights are written but the ONNX export failed ({error}); "
                    "use --backend torch"
                ) from error
            say(f"{error}; trying again with more MatMuls in float32")


def _write_folder(base: Path, staging: Path, model: Any) -> Path:
    """The base folder's files byte for byte (configs, tokenizer, prompts, token limit,
    pooling), with the trained weights in place of its ``model.safetensors``."""
    from safetensors import safe_open
    from safetensors.torch import save_file

    skipped = {"onnx", "model.safetensors", "README.md", MARKER_FILENAME, ADAPT_FILENAME}
    for path in base.iterdir():
        if path.name in skipped or path.name.startswith("."):
            continue
        if path.is_dir():
            shutil.copytree(path, staging / path.name)
        else:
            shutil.copyfile(path, staging / path.name)
    with safe_open(str(base / "model.safetensors"), "pt") as handle:
        names = set(handle.keys())
    state = model[0].auto_model.state_dict()
    missing = names - set(state)
    if missing:
        raise AdaptationError(f"the trained model lacks {len(missing)} tensor(s) of {base}")
    weights = staging / "model.safetensors"
    tensors = {name: state[name].detach().contiguous() for name in sorted(names)}
    save_file(tensors, str(weights), metadata={"format": "pt"})
    return weights


def _base_marker(base: Path) -> dict[str, Any]:
    try:
        marker = json.loads((base / MARKER_FILENAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"layout_version": 1, "source": {}}
    return marker if isinstance(marker, dict) else {"layout_version": 1, "source": {}}


def model_card(base: str, settings: AdaptSettings, report: AdaptReport) -> str:
    counts = "\n".join(f"| {kind} | {count} |" for kind, count in report.pairs.items())
    return f"""# {base}, adapted to job titles (ipsmatch issue 10)

Made by `ipsmatch models adapt` from `{base}`: contrastive fine-tuning
(MultipleNegativesRankingLoss, scale {settings.scale}, in-batch negatives, no two
pairs of one ISCO-08 group in a batch) on pairs built offline from DISCO-08,
ESCO/ISCO-08 (English) and the project's Danish/English phrase pairs.
Benchmarks and measured effect: `benchmarks/README.md`, "Adapting the encoder
(issue 10)". Not the default model.

| pairs | count |
|---|---|
{counts}

- seed {settings.seed}, {settings.epochs} epoch(s), batch {settings.batch_size},
  learning rate {settings.learning_rate} (linear warm-up {settings.warmup_share:.0%},
  then linear decay), max_seq_length {settings.max_seq_length} in training
  (the folder keeps the base's limit), word embeddings
  {"frozen" if settings.freeze_word_embeddings else "trained"}
- {report.steps} steps ({report.batches_per_epoch} batches an epoch) in
  {report.seconds:.0f} s on one CPU thread
- mean loss per 50 steps: first {report.losses[:1]}, last {report.losses[-1:]}

Licences: the base model's (MIT); ESCO (reuse with attribution, Commission
Decision 2011/833/EU); DISCO-08 (Statistics Denmark, public).
"""
