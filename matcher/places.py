"""Danish postcodes: where a record that gives only ``{"postcode": "2400"}`` is.

A `PostcodeTable` is read from a CSV table of postcodes with a label point
(the layout of DAWA's postcode list: ``postnr,navn,lat,lon,kommunekoder,
kommunenavne,...``), saved as one JSON file, and used by the ranker as a
mapping from postcode to (lat, lon). With a table imported, a record naming
a postcode the table lacks is an error (`check_postcodes`), not a silent
"distance unknown".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any, Protocol

from matcher.errors import FieldProblem, RecordValidationError, StoredDataError
from matcher.files import atomic_file
from matcher.records import Location
from matcher.tabular import read_csv

POSTCODES_FILENAME = "postcodes.json"
_FORMAT = "ipsmatch-postcodes"
_FORMAT_VERSION = 1
# Denmark's sea territory with a margin: a point outside is a mistake (swapped
# lat/lon, another country), refused. Greenland and the Faroes are not covered.
_LATITUDE = (54.0, 58.5)
_LONGITUDE = (3.0, 16.5)
# Denmark's land extremes (Gedser, Skagen, Blåvandshuk, Christiansø). DAWA's label
# points of coastal postcodes whose areas include the sea can lie far offshore
# (Ringkøbing's at 4.07°E, 270 km west of the town); they are kept, but flagged.
_LAND_LATITUDE = (54.55, 57.76)
_LAND_LONGITUDE = (8.07, 15.2)


@dataclass(frozen=True)
class Place:
    """A postcode's label point, name and (first) municipality."""

    postcode: str
    name: str
    lat: float
    lon: float
    municipality: str = ""
    municipality_code: str = ""


def normalise_postcode(code: str | int) -> str:
    """Postcodes are identifiers of four digits: 800 and "0800" are the same."""
    text = str(code).strip()
    return text.zfill(4) if text.isdigit() and len(text) < 4 else text


class PostcodeTable(Mapping[str, tuple[float, float]]):
    """Postcode → (lat, lon), with names and municipalities behind `place`.

    A `Mapping`, so it is what `PreferenceRanker(postcodes=...)` takes.
    """

    def __init__(
        self, places: Iterable[Place], source: str | None = None, imported: str | None = None
    ) -> None:
        self._places = {p.postcode: p for p in places}
        self.source = source
        self.imported = imported

    def __getitem__(self, code: str) -> tuple[float, float]:
        place = self._places[normalise_postcode(code)]
        return (place.lat, place.lon)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str | int) and normalise_postcode(code) in self._places

    def __iter__(self) -> Iterator[str]:
        return iter(self._places)

    def __len__(self) -> int:
        return len(self._places)

    def __repr__(self) -> str:
        return f"PostcodeTable({len(self)} postcodes)"

    def offshore(self) -> list[Place]:
        """Places whose point lies outside Denmark's land extremes: distances from them are off."""
        return [
            p
            for p in self._places.values()
            if not (
                _LAND_LATITUDE[0] <= p.lat <= _LAND_LATITUDE[1]
                and _LAND_LONGITUDE[0] <= p.lon <= _LAND_LONGITUDE[1]
            )
        ]

    def places(self) -> list[Place]:
        return list(self._places.values())

    def place(self, code: str | int) -> Place | None:
        return self._places.get(normalise_postcode(code))

    def lookup(self, code: str | int) -> tuple[float, float, str, str] | None:
        """(lat, lon, name, municipality) of a postcode, or None when unknown."""
        place = self.place(code)
        if place is None:
            return None
        return (place.lat, place.lon, place.name, place.municipality)

    # ---------------------------------------------------------- persistence

    def save(self, folder: str | Path) -> Path:
        """Write ``postcodes.json`` in `folder`, replacing any earlier one atomically."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / POSTCODES_FILENAME
        payload = {
            "format": _FORMAT,
            "version": _FORMAT_VERSION,
            "source": self.source,
            "imported": self.imported,
            "places": [asdict(p) for p in self._places.values()],
        }
        with atomic_file(target, "w") as stream:
            json.dump(payload, stream, ensure_ascii=False)
        return target

    @staticmethod
    def exists(folder: str | Path) -> bool:
        return (Path(folder) / POSTCODES_FILENAME).is_file()

    @classmethod
    def load(cls, folder: str | Path) -> PostcodeTable:
        path = Path(folder) / POSTCODES_FILENAME
        if not path.is_file():
            raise StoredDataError(
                f"no postcode table in {folder}; import one with `ipsmatch geo import`"
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != _FORMAT or data.get("version") != _FORMAT_VERSION:
                raise StoredDataError(
                    f"{path} is not an ipsmatch postcode table of format version "
                    f"{_FORMAT_VERSION}; import it again"
                )
            places = [Place(**p) for p in data["places"]]
        except (OSError, ValueError, KeyError, TypeError) as error:
            if isinstance(error, StoredDataError):
                raise
            raise StoredDataError(
                f"the saved postcode table {path} is unreadable ({error}); import it again"
            ) from error
        return cls(places, data.get("source"), data.get("imported"))


def _number(row_value: str) -> float | None:
    try:
        return float(row_value)
    except ValueError:
        return None


def read_postcodes(path: str | Path) -> PostcodeTable:
    """Read a postcode CSV (``postnr,navn,lat,lon,kommunekoder,kommunenavne,...``).

    Municipality columns may list several, separated by ``;`` (a postcode can
    cross a municipal border); the first is kept as the place's municipality.
    """
    path = Path(path)
    table = read_csv(path, expect=("postnr", "navn", "lat", "lon"))
    table.require("postnr", "navn", "lat", "lon")
    table.raise_if_problems()
    places: list[Place] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        raw = row.get("postnr")
        code = normalise_postcode(raw)
        lat, lon = _number(row.get("lat")), _number(row.get("lon"))
        problems = []
        if not (code.isdigit() and len(code) == 4):
            problems.append(row.problem("postnr", f"must be a 4-digit postcode, got {raw!r}"))
        elif code in seen:
            problems.append(row.problem("postnr", f"duplicate (first on line {seen[code]})", code))
        if not row.get("navn"):
            problems.append(row.problem("navn", "is empty", code))
        if lat is None or not _LATITUDE[0] <= lat <= _LATITUDE[1]:
            problems.append(
                row.problem(
                    "lat",
                    f"must be a latitude in Danish territory ({_LATITUDE[0]}-{_LATITUDE[1]}), "
                    f"got {row.get('lat')!r}",
                    code,
                )
            )
        if lon is None or not _LONGITUDE[0] <= lon <= _LONGITUDE[1]:
            problems.append(
                row.problem(
                    "lon",
                    f"must be a longitude in Danish territory ({_LONGITUDE[0]}-{_LONGITUDE[1]}), "
                    f"got {row.get('lon')!r}",
                    code,
                )
            )
        if problems or lat is None or lon is None:
            table.problems.extend(problems)
            continue
        seen[code] = row.line
        places.append(
            Place(
                postcode=code,
                name=row.get("navn"),
                lat=lat,
                lon=lon,
                municipality=row.get("kommunenavne").split(";")[0].strip(),
                municipality_code=row.get("kommunekoder").split(";")[0].strip(),
            )
        )
    table.raise_if_problems()
    if not places:
        raise RecordValidationError(
            [FieldProblem(None, None, "", "no postcodes in the file")], source=path
        )
    imported = datetime.now(UTC).isoformat(timespec="seconds")
    return PostcodeTable(places, source=str(path.resolve()), imported=imported)


PACKAGED_POSTCODES = "dk_postcodes.csv"


@cache
def packaged_postcodes() -> PostcodeTable:
    """The Danish postcode table shipped with ipsmatch (`matcher/data/README.md`).

    What the engine places postcodes with until `ipsmatch geo import`
    replaces it. Shared: do not modify.
    """
    resource = files("matcher") / "data" / PACKAGED_POSTCODES
    with as_file(resource) as path:
        table = read_postcodes(path)
    return PostcodeTable(table.places(), source=f"packaged: matcher/data/{PACKAGED_POSTCODES}")


class Located(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def location(self) -> Location | None: ...


def check_postcodes(
    records: Sequence[Located],
    table: Mapping[str, Any],
    source: str | Path | None = None,
    lines: Sequence[int | None] | None = None,
) -> None:
    """Raise `RecordValidationError` naming every record whose postcode `table` lacks.

    `lines` (aligned with `records`) adds each record's line to the message.
    """
    problems = []
    for position, record in enumerate(records):
        location = record.location
        if location is None or not location.postcode:
            continue
        if location.postcode in table or normalise_postcode(location.postcode) in table:
            continue
        line = lines[position] if lines is not None else None
        problems.append(
            FieldProblem(
                line,
                record.id,
                "location.postcode",
                f"unknown postcode {location.postcode!r}: not in the imported postcode table "
                f"({len(table)} Danish postcodes); give a 4-digit Danish postcode or lat/lon",
            )
        )
    if problems:
        raise RecordValidationError(problems, source)
