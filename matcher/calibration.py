"""Putting an encoder's cosine similarities on a common 0-1 scale.

Raw cosines mean different things for different models and even for
different phrases: with e5 models an unrelated pair still scores about 0.8,
and a broad phrase such as "kundekontakt" is close to almost every job text.
A fit a consultant can read needs "unrelated" near 0 and "this is what I
meant" near 1, so each phrase is measured against its own baseline:

* the phrase's **baseline** is its median similarity to a fixed set of
  reference openings from many fields, in Danish and English;
* the **span** is how far, typically, a wish in a person's own words rises
  above its baseline for the opening it describes (measured on the same
  reference set, pairing each opening with such a wish).

fit = (cosine − baseline of the phrase) / span, clipped to [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.encoders import TextEncoder

# Each reference opening with a wish that describes it in other words, so the
# span is measured on paraphrases, as real wishes are, not on copied titles.
REFERENCE_OPENINGS: tuple[tuple[str, str, str], ...] = (
    ("noget med dyr", "Dyrepasser", "Fodring og pasning af hunde og katte, rengøring af bure."),
    ("pakke varer", "Lagermedarbejder", "Pluk og pak af ordrer, truckkørsel og varemodtagelse."),
    ("lave mad", "Køkkenmedhjælper", "Opvask, klargøring af grøntsager og servering i kantinen."),
    ("gøre rent", "Rengøringsassistent", "Rengøring af kontorer, gange og toiletter om morgenen."),
    ("sælge ting i en butik", "Butiksassistent", "Betjening af kunder ved kassen og opfyldning."),
    ("hjælpe folk med computere", "IT-supporter", "Hjælp til brugere med pc, printere og koder."),
    (
        "arbejde udendørs med planter",
        "Gartner",
        "Pleje af grønne områder, plantning og græsslåning.",
    ),
    ("reparere ting", "Pedel", "Små reparationer og vedligehold af bygninger og udearealer."),
    ("tage imod gæster", "Receptionist", "Modtagelse af besøgende, telefonpasning og post."),
    ("hjælpe ældre mennesker", "Social- og sundhedshjælper", "Personlig pleje af ældre borgere."),
    ("cykle rundt i byen", "Cykelbud", "Levering af pakker og mad på cykel i byen."),
    ("noget med bøger", "Bibliotekshjælper", "Opstilling af bøger, udlån og hjælp til lånere."),
    ("bage brød", "Bagerimedhjælper", "Bagning af rugbrød og kager tidligt om morgenen."),
    ("bygge huse", "Tømrerlærling", "Byggeri af tagkonstruktioner og montering af vinduer."),
    ("køre bil", "Chauffør", "Kørsel med varebil og udbringning til butikker."),
    ("arbejde på en gård", "Landbrugsmedhjælper", "Fodring af køer, malkning og markarbejde."),
    ("working with animals", "Animal caretaker", "Feeding and caring for animals at the zoo."),
    ("packing boxes", "Warehouse associate", "Picking and packing orders, loading trucks."),
    ("fixing computer problems", "IT helpdesk assistant", "Supporting staff with laptops."),
    ("washing dishes", "Kitchen porter", "Cleaning pots, pans and plates in a hotel kitchen."),
    ("paperwork", "Office assistant", "Filing, data entry and answering emails."),
    ("music and sound", "Sound technician", "Setting up speakers and mixing sound for concerts."),
    ("drawing and design", "Graphic designer", "Designing posters, logos and web graphics."),
    ("numbers and accounting", "Bookkeeper", "Recording invoices, payroll and monthly accounts."),
)


@dataclass(frozen=True)
class SimilarityScale:
    """Maps raw cosines of query phrases to 0-1 fits, each phrase against its own baseline."""

    references: np.ndarray
    span: float

    def __post_init__(self) -> None:
        if not self.span > 0:
            raise ValueError(
                f"a similarity scale needs a positive span, got {self.span:.4f}; "
                "the encoder does not tell related texts from unrelated ones"
            )

    def baselines(self, queries: np.ndarray) -> np.ndarray:
        """Each query's median cosine to the reference openings, shape ``(n_queries, 1)``."""
        if len(queries) == 0:
            return np.zeros((0, 1), dtype=np.float32)
        return np.median(queries @ self.references.T, axis=1, keepdims=True).astype(np.float32)

    def rise(self, cosines: np.ndarray, baselines: np.ndarray) -> np.ndarray:
        """How many spans ``cosines`` rise above `baselines`, unclipped (negative below it).

        `fit` stops at 1, one span; a reason that must tell a strong fit from
        a look-alike needs the rise beyond it.
        """
        return (np.asarray(cosines, dtype=np.float32) - baselines) / self.span

    def fit(self, cosines: np.ndarray, baselines: np.ndarray) -> np.ndarray:
        """Fits for ``cosines`` of shape ``(n_queries, n)`` given `baselines` of those queries."""
        return np.clip(self.rise(cosines, baselines), 0.0, 1.0)


def measure_scale(encoder: TextEncoder) -> SimilarityScale:
    wishes = [wish for wish, _, _ in REFERENCE_OPENINGS]
    passages = [f"{title}. {text}" for _, title, text in REFERENCE_OPENINGS]
    queries = encoder.encode(wishes, "query")
    references = encoder.encode(passages, "passage")
    cosines = queries @ references.T
    others = np.where(np.eye(len(wishes), dtype=bool), np.nan, cosines)
    own_rise = np.diag(cosines) - np.nanmedian(others, axis=1)
    return SimilarityScale(references=references, span=float(np.median(own_rise)))
