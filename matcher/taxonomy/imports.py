"""Building a `Taxonomy` from exported files: an import, or the DISCO-08 table shipped inside."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path

from matcher.files import sha256_of
from matcher.tabular import language_from_name
from matcher.taxonomy.concepts import (
    Occupation,
    Progress,
    Skill,
    SkillRelation,
    TaxonomySource,
)
from matcher.taxonomy.disco import read_disco
from matcher.taxonomy.esco import (
    find_esco_files,
    label_extractor_skills,
    read_esco_occupations,
    read_esco_skills,
    read_isco_groups,
    read_skill_relations,
)
from matcher.taxonomy.joined import Taxonomy


def import_taxonomy(
    disco: str | Path | None = None,
    esco: str | Path | None = None,
    progress: Progress | None = None,
) -> Taxonomy:
    """Read a DISCO-08 export and/or an ESCO CSV folder into one `Taxonomy`.

    Raises `RecordValidationError` naming the file, line and column of every
    problem of the first malformed file; nothing is returned then.
    """
    if disco is None and esco is None:
        raise ValueError("give a DISCO-08 file, an ESCO folder, or both")
    say = progress or (lambda _message: None)
    occupations: list[Occupation] = []
    skills: list[Skill] = []
    relations: list[SkillRelation] = []
    sources: list[TaxonomySource] = []

    def record(kind: str, path: Path, count: int, language: str | None) -> None:
        sources.append(TaxonomySource(kind, str(path.resolve()), sha256_of(path), count, language))
        say(f"read {count:,} {kind} from {path.name}")

    if disco is not None:
        path = Path(disco)
        found = read_disco(path)
        occupations.extend(found)
        record("disco08 codes", path, len(found), found[0].language if found else None)
    if esco is not None:
        files = find_esco_files(esco)
        for path in files.occupations:
            found = read_esco_occupations(path)
            occupations.extend(found)
            record("esco occupations", path, len(found), language_from_name(path, "en"))
        for path in files.isco_groups:
            found = read_isco_groups(path)
            occupations.extend(found)
            record("isco groups", path, len(found), language_from_name(path, "en"))
        default_language = language_from_name(files.occupations[0], "en")
        official: set[tuple[str, str]] = set()
        for path in sorted(files.skills, key=lambda p: "skill_extractor" in p.name.lower()):
            language = language_from_name(path, default_language)
            read = read_esco_skills(path, language)
            # The official file wins over the extractor's for the same skill and language.
            fresh = [s for s in read if (s.uri, s.language) not in official]
            official.update((s.uri, s.language) for s in read)
            skills.extend(fresh)
            record("esco skills", path, len(fresh), language)
        known = {o.code for o in occupations if o.source == "esco"}
        seen: set[SkillRelation] = set()
        for path in files.relations:
            found_relations = [r for r in read_skill_relations(path, known) if r not in seen]
            seen.update(found_relations)
            relations.extend(found_relations)
            record("occupation-skill relations", path, len(found_relations), None)
        for path in files.ignored:
            say(f"ignored {path.name} (not a file ipsmatch reads)")
        skills = label_extractor_skills(skills, relations)
    imported = datetime.now(UTC).isoformat(timespec="seconds")
    return Taxonomy(occupations, skills, relations, sources, imported)


PACKAGED_DISCO = "disco08.csv"


@cache
def packaged_taxonomy() -> Taxonomy:
    """DISCO-08 codes and Danish titles shipped with ipsmatch (`matcher/data/README.md`).

    What the engine uses until `ipsmatch taxonomy import` replaces it; ESCO
    (English titles, skills) comes only with an import. Shared: do not modify.
    """
    resource = files("matcher") / "data" / PACKAGED_DISCO
    with as_file(resource) as path:
        occupations = read_disco(path, language="da")
    source = TaxonomySource(
        "disco08 codes", f"packaged: matcher/data/{PACKAGED_DISCO}", "", len(occupations), "da"
    )
    return Taxonomy(occupations, sources=[source])
