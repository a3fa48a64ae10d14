"""Postcode tables: the real DAWA list shipped in the package, malformed copies, unknown codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import candidate, opening
from paths import POSTCODES_CSV

from matcher.errors import RecordValidationError, StoredDataError
from matcher.places import (
    POSTCODES_FILENAME,
    Place,
    PostcodeTable,
    check_postcodes,
    normalise_postcode,
    packaged_postcodes,
    read_postcodes,
)

HEADER = "postnr,navn,lat,lon,kommunekoder,kommunenavne\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def real() -> PostcodeTable:
    # The table shipped in the package: the same DAWA export a user would import.
    return read_postcodes(POSTCODES_CSV)


def test_the_packaged_table_is_the_shipped_file_and_says_so(real: PostcodeTable) -> None:
    packaged = packaged_postcodes()
    assert dict(packaged) == dict(real)
    assert packaged.source == "packaged: matcher/data/dk_postcodes.csv"
    assert packaged is packaged_postcodes()  # read once


def test_real_table_lookup(real: PostcodeTable) -> None:
    assert len(real) == 1089
    lat, lon, name, municipality = real.lookup("2400") or (0.0, 0.0, "", "")
    assert name == "København NV" and municipality == "København"
    assert lat == pytest.approx(55.7126, abs=1e-3) and lon == pytest.approx(12.5288, abs=1e-3)
    assert real["8000"] == pytest.approx((56.1505, 10.2780), abs=1e-3)
    assert real.lookup("9999") is None
    assert "2400" in real and 2400 in real and "9999" not in real
    # A postcode crossing a municipal border keeps the first as its municipality.
    place = real.place("2000")
    assert place is not None and place.municipality == "København"


def test_real_table_flags_offshore_label_points(real: PostcodeTable) -> None:
    # DAWA's label points of some coastal postcodes lie at sea (Ringkøbing at 4.07°E).
    offshore = {p.postcode for p in real.offshore()}
    assert "6950" in offshore and "2400" not in offshore
    assert len(offshore) < 30


def test_save_load_round_trip(real: PostcodeTable, tmp_path: Path) -> None:
    real.save(tmp_path)
    loaded = PostcodeTable.load(tmp_path)
    assert len(loaded) == len(real)
    assert loaded.place("3700") == real.place("3700")
    assert sorted(p.name for p in tmp_path.iterdir()) == [POSTCODES_FILENAME]


def test_load_missing_or_broken(tmp_path: Path) -> None:
    with pytest.raises(StoredDataError, match="geo import"):
        PostcodeTable.load(tmp_path)
    (tmp_path / POSTCODES_FILENAME).write_text("{", encoding="utf-8")
    with pytest.raises(StoredDataError, match="unreadable"):
        PostcodeTable.load(tmp_path)


def test_malformed_rows_name_line_and_column(tmp_path: Path) -> None:
    text = (
        HEADER
        + "2400,København NV,55.71,12.53,0101,København\n"
        + "24OO,Typo,55.71,12.53,0101,København\n"
        + "8000,Aarhus C,10.27,56.15,0751,Aarhus\n"
        + "2400,Igen,55.71,12.53,0101,København\n"
    )
    with pytest.raises(RecordValidationError) as error:
        read_postcodes(write(tmp_path / "pc.csv", text))
    found = [(p.line, p.field) for p in error.value.problems]
    assert found == [(3, "postnr"), (4, "lat"), (4, "lon"), (5, "postnr")]
    message = str(error.value)
    assert "pc.csv" in message and "column 3" in message and "first on line 2" in message


def test_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(RecordValidationError, match="missing column") as error:
        read_postcodes(write(tmp_path / "pc.csv", "postnr,navn\n2400,NV\n"))
    assert {p.field for p in error.value.problems} == {"lat", "lon"}


def test_three_digit_postcodes_are_padded() -> None:
    assert normalise_postcode("800") == "0800"
    assert normalise_postcode(2400) == "2400"
    table = PostcodeTable([Place("0800", "Høje Taastrup", 55.65, 12.27)])
    assert "800" in table and table["800"] == (55.65, 12.27)


def test_unknown_postcode_names_the_record(real: PostcodeTable) -> None:
    people = [
        candidate(id="c-1", location={"postcode": "2400"}),
        candidate(id="c-2", location={"postcode": "9999"}),
        candidate(id="c-3", location={"lat": 55.7, "lon": 12.5}),
    ]
    check_postcodes(people[:1] + people[2:], real)
    with pytest.raises(RecordValidationError) as error:
        check_postcodes(people, real, source="c.jsonl", lines=[1, 2, 3])
    (problem,) = error.value.problems
    assert (problem.line, problem.record_id, problem.field) == (2, "c-2", "location.postcode")
    assert "unknown postcode '9999'" in str(error.value) and "c.jsonl" in str(error.value)
    jobs = [opening("o-1", "Lager", location={"postcode": 1234})]
    with pytest.raises(RecordValidationError, match="record 'o-1'"):
        check_postcodes(jobs, real)
