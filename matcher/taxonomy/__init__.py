"""Occupation and skill taxonomies: DISCO-08, ESCO, and the ISCO-08 groups that join them.

Danish job centres code jobs with DISCO-08, the Danish version of ISCO-08;
European services use ESCO, whose occupations each name their ISCO-08 unit
group. The two worlds meet at that 4-digit group: a DISCO level-4 code *is*
an ISCO unit group, and a DISCO level-5 code is six digits whose first four
are its group. `Taxonomy` holds both (and ESCO's skills and the
occupation-skill relations), read from the files users export, and is saved
as one file so that a re-import replaces it whole or not at all. Without an
import, `packaged_taxonomy` gives the DISCO-08 titles shipped with ipsmatch.

Readers refuse a malformed file with every problem's line and column
(`RecordValidationError`); nothing is saved then.

Modules, one job each:

- `concepts`: the records (occupation, skill, relation, source) and the join key;
- `disco`, `esco`: reading each export;
- `joined`: the `Taxonomy` and its lookups;
- `storage`: the saved file;
- `imports`: building a taxonomy from exports, or from the packaged DISCO-08 table;
- `language`: Danish or English, from a profile's words.
"""

from matcher.taxonomy.concepts import (
    DISCO_CODE_LENGTH,
    RELATION_TYPES,
    SOURCES,
    Occupation,
    Progress,
    RelationType,
    Skill,
    SkillRelation,
    TaxonomySource,
    isco_group,
)
from matcher.taxonomy.disco import read_disco
from matcher.taxonomy.esco import (
    EscoFiles,
    find_esco_files,
    read_esco_occupations,
    read_esco_skills,
    read_isco_groups,
    read_skill_relations,
)
from matcher.taxonomy.imports import import_taxonomy, packaged_taxonomy
from matcher.taxonomy.joined import Taxonomy
from matcher.taxonomy.language import guess_language
from matcher.taxonomy.storage import TAXONOMY_FILENAME

__all__ = [
    "DISCO_CODE_LENGTH",
    "RELATION_TYPES",
    "SOURCES",
    "TAXONOMY_FILENAME",
    "EscoFiles",
    "Occupation",
    "Progress",
    "RelationType",
    "Skill",
    "SkillRelation",
    "Taxonomy",
    "TaxonomySource",
    "find_esco_files",
    "guess_language",
    "import_taxonomy",
    "isco_group",
    "packaged_taxonomy",
    "read_disco",
    "read_esco_occupations",
    "read_esco_skills",
    "read_isco_groups",
    "read_skill_relations",
]
