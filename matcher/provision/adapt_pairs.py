"""Training pairs for adapting the encoder (`matcher.provision.adapt`), read offline from the
taxonomy tables and the packaged phrase pairs, and batches without false negatives."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from matcher.provision._common import ModelProvisioningError

PAIR_KINDS = ("disco_isco", "disco_esco", "esco_alt", "phrases")
DEFAULT_KINDS = PAIR_KINDS


class AdaptationError(ModelProvisioningError):
    """The adapted encoder could not be built (missing or malformed input, or a failed run)."""


@dataclass(frozen=True)
class Pair:
    """One training pair: ``query`` and ``passage`` without prompts; ``group`` keeps batches
    free of false negatives (the ISCO-08 unit group, or a phrase pair's own key)."""

    query: str
    passage: str
    group: str
    kind: str


@dataclass(frozen=True)
class AdaptSettings:
    seed: int = 13
    epochs: int = 1
    batch_size: int = 32
    learning_rate: float = 2e-5
    warmup_share: float = 0.1
    max_seq_length: int = 48
    scale: float = 20.0
    freeze_word_embeddings: bool = True
    kinds: tuple[str, ...] = DEFAULT_KINDS
    esco_per_disco: int = 3
    alt_per_occupation: int = 1
    max_pairs: int | None = None


# --------------------------------------------------------------------------- reading


def _read_csv(path: Path, delimiter: str, columns: Sequence[str]) -> list[dict[str, str]]:
    if not path.is_file():
        raise AdaptationError(f"{path}: file not found")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, delimiter=delimiter)
            missing = [name for name in columns if name not in (reader.fieldnames or [])]
            if missing:
                raise AdaptationError(f"{path}: missing column(s) {', '.join(missing)}")
            return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise AdaptationError(f"{path}: cannot read ({error})") from error


def disco_titles(path: Path) -> list[tuple[str, str]]:
    """(ISCO-08 unit group, Danish title) of every DISCO-08 level-4 and level-5 row."""
    rows = _read_csv(path, ";", ("KODE", "TITEL"))
    titles: list[tuple[str, str]] = []
    for row in rows:
        code = row["KODE"].strip('"')
        if len(code) in (4, 6) and code.isdigit() and row["TITEL"]:
            titles.append((code[:4], row["TITEL"]))
    return titles


def isco_groups(esco_dir: Path) -> dict[str, str]:
    """ISCO-08 unit group (four digits) -> English title."""
    rows = _read_csv(esco_dir / "ISCOGroups_en.csv", ",", ("code", "preferredLabel"))
    return {
        row["code"]: row["preferredLabel"]
        for row in rows
        if len(row["code"]) == 4 and row["code"].isdigit() and row["preferredLabel"]
    }


@dataclass(frozen=True)
class Occupation:
    group: str
    label: str
    alt_labels: tuple[str, ...]
    description: str


def esco_occupations(esco_dir: Path) -> list[Occupation]:
    rows = _read_csv(
        esco_dir / "occupations_en.csv",
        ",",
        ("iscoGroup", "preferredLabel", "altLabels", "description"),
    )
    occupations = []
    for row in rows:
        group = row["iscoGroup"]
        if len(group) != 4 or not group.isdigit() or not row["preferredLabel"]:
            continue
        alts = tuple(
            dict.fromkeys(
                a.strip()
                for a in row["altLabels"].splitlines()
                if a.strip() and a.strip().lower() != row["preferredLabel"].lower()
            )
        )
        occupations.append(Occupation(group, row["preferredLabel"], alts, row["description"]))
    return occupations


def phrase_pairs(path: Path) -> list[tuple[str, str]]:
    rows = _read_csv(path, ",", ("danish", "english"))
    return [(row["danish"], row["english"]) for row in rows if row["danish"] and row["english"]]


def first_sentence(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    end = text.find(". ")
    sentence = text if end < 0 else text[: end + 1]
    return sentence[:limit]


# --------------------------------------------------------------------------- pairs


def build_pairs(
    *,
    disco: Sequence[tuple[str, str]],
    groups: dict[str, str],
    occupations: Sequence[Occupation],
    phrases: Sequence[tuple[str, str]],
    settings: AdaptSettings,
) -> list[Pair]:
    """Every training pair of the chosen kinds, in a fixed order (sampling by the seed)."""
    rng = random.Random(settings.seed)
    by_group: dict[str, list[Occupation]] = {}
    for occupation in occupations:
        by_group.setdefault(occupation.group, []).append(occupation)
    pairs: list[Pair] = []
    kinds = set(settings.kinds)
    unknown = kinds - set(PAIR_KINDS)
    if unknown:
        raise AdaptationError(
            f"unknown pair kind(s) {', '.join(sorted(unknown))}; "
            f"choose from {', '.join(PAIR_KINDS)}"
        )
    if "disco_isco" in kinds:
        for group, title in disco:
            if group in groups:
                pairs.append(Pair(title, groups[group], group, "disco_isco"))
                pairs.append(Pair(groups[group], title, group, "disco_isco"))
    if "disco_esco" in kinds:
        for group, title in disco:
            members = by_group.get(group, [])
            chosen = rng.sample(members, min(settings.esco_per_disco, len(members)))
            pairs.extend(Pair(title, o.label, group, "disco_esco") for o in chosen)
    if "esco_alt" in kinds:
        for occupation in occupations:
            target = occupation.label
            sentence = first_sentence(occupation.description)
            if sentence:
                target = f"{occupation.label}. {sentence}"
            alts = list(occupation.alt_labels)
            picked = rng.sample(alts, min(settings.alt_per_occupation, len(alts)))
            pairs.extend(Pair(alt, target, occupation.group, "esco_alt") for alt in picked)
    if "phrases" in kinds:
        for number, (danish, english) in enumerate(phrases):
            key = f"phrase-{number}"
            pairs.append(Pair(danish, english, key, "phrases"))
            pairs.append(Pair(english, danish, key, "phrases"))
    pairs = [p for p in pairs if p.query.lower() != p.passage.lower()]
    if settings.max_pairs is not None and len(pairs) > settings.max_pairs:
        pairs = rng.sample(pairs, settings.max_pairs)
    return pairs


def no_duplicate_batches(pairs: Sequence[Pair], batch_size: int, seed: int) -> list[list[Pair]]:
    """The pairs shuffled by ``seed`` into batches in which no group and no text repeats.

    Greedy: each pair goes into the first open batch that holds neither its group nor its
    texts; a batch is closed when full. Every pair is used once; the last batches may be
    smaller.
    """
    if batch_size < 2:
        raise AdaptationError(f"batch size must be at least 2, got {batch_size}")
    order = list(pairs)
    random.Random(seed).shuffle(order)
    batches: list[list[Pair]] = []
    open_batches: list[tuple[list[Pair], set[str], set[str]]] = []
    for pair in order:
        texts = {pair.query.lower(), pair.passage.lower()}
        for index, (batch, seen_groups, seen_texts) in enumerate(open_batches):
            if pair.group not in seen_groups and not texts & seen_texts:
                batch.append(pair)
                seen_groups.add(pair.group)
                seen_texts.update(texts)
                if len(batch) == batch_size:
                    batches.append(batch)
                    del open_batches[index]
                break
        else:
            open_batches.append(([pair], {pair.group}, set(texts)))
    batches.extend(batch for batch, _, _ in open_batches if len(batch) >= 2)
    return batches


def load_pairs(taxonomy: Path, disco: Path, phrases: Path, settings: AdaptSettings) -> list[Pair]:
    """The pairs from a taxonomy folder (``esco/`` inside it) and the packaged tables."""
    esco_dir = taxonomy / "esco"
    if not taxonomy.is_dir():
        raise AdaptationError(f"{taxonomy}: taxonomy folder not found")
    return build_pairs(
        disco=disco_titles(disco),
        groups=isco_groups(esco_dir),
        occupations=esco_occupations(esco_dir),
        phrases=phrase_pairs(phrases),
        settings=settings,
    )


def count_kinds(pairs: Iterable[Pair]) -> dict[str, int]:
    counts = dict.fromkeys(PAIR_KINDS, 0)
    for pair in pairs:
        counts[pair.kind] += 1
    return counts
