"""Putting an encoder's cosine similarities on a common 0-1 scale.

Raw cosines mean different things for different models: for e5 models an
unrelated pair still scores around 0.75. A fit score a consultant can read
needs "unrelated" near 0 and "this is the job" near 1. The scale is measured
on a fixed set of reference openings in Danish and English: the typical
similarity of a title to another opening is "unrelated", the typical
similarity of a title to its own opening is "related".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.encoders import TextEncoder

# Short openings from many fields, in both languages, so that "unrelated"
# is measured across fields and "related" within one.
REFERENCE_OPENINGS: tuple[tuple[str, str], ...] = (
    ("Dyrepasser", "Fodring og pasning af hunde og katte, rengøring af bure."),
    ("Lagermedarbejder", "Pluk og pak af varer, truckkørsel og modtagelse af gods."),
    ("Køkkenmedhjælper", "Opvask, klargøring af grøntsager og servering i kantinen."),
    ("Rengøringsassistent", "Rengøring af kontorer, gange og toiletter om morgenen."),
    ("Butiksassistent", "Betjening af kunder ved kassen og opfyldning af varer."),
    ("IT-supporter", "Hjælp til brugere med computere, printere og adgangskoder."),
    ("Gartner", "Pleje af grønne områder, plantning og græsslåning."),
    ("Pedel", "Små reparationer, vedligehold af bygninger og udearealer."),
    ("Receptionist", "Modtagelse af gæster, telefonpasning og post."),
    ("Social- og sundhedshjælper", "Personlig pleje og praktisk hjælp til ældre borgere."),
    ("Cykelbud", "Levering af pakker og mad på cykel i byen."),
    ("Bibliotekshjælper", "Opstilling af bøger, udlån og hjælp til lånere."),
    ("Bagerimedhjælper", "Bagning af brød og kager om natten og tidligt om morgenen."),
    ("Tømrerlærling", "Byggeri af tagkonstruktioner og montering af vinduer."),
    ("Chauffør", "Kørsel med varebil og udbringning til butikker."),
    ("Landbrugsmedhjælper", "Fodring af køer, malkning og arbejde i marken."),
    ("Animal caretaker", "Feeding, cleaning enclosures and caring for animals at the zoo."),
    ("Warehouse associate", "Picking and packing orders, loading trucks in a busy warehouse."),
    ("IT helpdesk assistant", "Supporting staff with laptops, accounts and software issues."),
    ("Kitchen porter", "Washing dishes and keeping the hotel kitchen clean."),
    ("Office assistant", "Filing, data entry and answering emails for a small firm."),
    ("Sound technician", "Setting up speakers and mixing sound for concerts."),
    ("Graphic designer", "Designing posters, logos and web graphics for clients."),
    ("Bookkeeper", "Recording invoices, payroll and monthly accounts."),
)


@dataclass(frozen=True)
class SimilarityScale:
    """Linear map from raw cosine to a 0-1 fit: `unrelated` → 0, `related` → 1."""

    unrelated: float
    related: float

    def __post_init__(self) -> None:
        if not self.related > self.unrelated:
            raise ValueError(
                f"a similarity scale needs related ({self.related:.3f}) above "
                f"unrelated ({self.unrelated:.3f}); the encoder does not separate texts"
            )

    def __call__(self, cosine: np.ndarray) -> np.ndarray:
        scaled = (np.asarray(cosine, dtype=np.float32) - self.unrelated) / (
            self.related - self.unrelated
        )
        return np.clip(scaled, 0.0, 1.0)


def measure_scale(encoder: TextEncoder) -> SimilarityScale:
    titles = [title for title, _ in REFERENCE_OPENINGS]
    passages = [f"{title}. {text}" for title, text in REFERENCE_OPENINGS]
    queries = encoder.encode(titles, "query")
    documents = encoder.encode(passages, "passage")
    cosines = queries @ documents.T
    own = np.diag(cosines)
    others = cosines[~np.eye(len(titles), dtype=bool)]
    return SimilarityScale(unrelated=float(np.median(others)), related=float(np.median(own)))
