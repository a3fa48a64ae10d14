"""IPS figures on a small hand-made history with known answers."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from evaluation.errors import EvaluationError
from evaluation.ips_figures import (
    ALL_TEAMS,
    CaseloadMember,
    EmployerContactEvent,
    JobSpell,
    OwnContact,
    caseload_csv,
    figures_png,
    figures_section,
    ips_figures,
    read_caseload,
    read_employer_contacts,
)

START = date(2026, 3, 2)
UNTIL = date(2026, 9, 30)


def history() -> tuple[
    list[CaseloadMember], list[EmployerContactEvent], list[JobSpell], list[OwnContact]
]:
    """Six people start in team Nord on 2 March; first contacts after 5, 12, 29, 31, 60 days
    and never; p0 and p1 find jobs, p0's lasts 30 days, p1's still goes on."""
    caseload = [CaseloadMember(f"p{i}", "k1" if i < 3 else "k2", "Nord", START) for i in range(6)]
    caseload.append(CaseloadMember("q0", "k3", "Syd", START))
    contacts = [
        EmployerContactEvent(START + timedelta(days=5), "k1", "Nord", "p0", True),
        EmployerContactEvent(START + timedelta(days=12), "k1", "Nord", "p1", True),
        EmployerContactEvent(START + timedelta(days=31), "k2", "Nord", "p3", False),
        EmployerContactEvent(START + timedelta(days=60), "k2", "Nord", "p4", True),
        EmployerContactEvent(START + timedelta(days=20), "k2", "Nord", None, None),
        EmployerContactEvent(START + timedelta(days=3), "k3", "Syd", "q0", True),
    ]
    # p2 applied alone on day 29: their own contact counts as their first.
    own = [OwnContact("p2", START + timedelta(days=29))]
    jobs = [
        JobSpell("p0", date(2026, 4, 1), date(2026, 5, 1)),
        JobSpell("p1", date(2026, 4, 10)),
    ]
    return caseload, contacts, jobs, own


def cell(figures, team: str, month: str):  # type: ignore[no-untyped-def]
    return next(c for c in figures.cells if c.team == team and c.month == month)


def test_thirty_day_share_and_first_contact_median() -> None:
    caseload, contacts, jobs, own = history()
    figures = ips_figures(caseload, contacts, jobs, UNTIL, own_contacts=own, min_cell=5)
    march = cell(figures, "Nord", "2026-03")
    assert march.people_started == 6
    # Within 30 days: p0 (5), p1 (12), p2 (29); not p3 (31), p4 (60), p5 (never).
    assert march.first_contact_within_30_days == pytest.approx(3 / 6)
    assert march.median_days_to_first_contact == 29.0
    # Team Syd has one person: every figure about people is suppressed.
    syd = cell(figures, "Syd", "2026-03")
    assert syd.people_started is None and "people_started" in syd.suppressed
    assert syd.first_contact_within_30_days is None
    # All teams: 7 people, 4 within 30 days.
    everyone = cell(figures, ALL_TEAMS, "2026-03")
    assert everyone.first_contact_within_30_days == pytest.approx(4 / 7)


def test_contacts_per_consultant_week_and_wanted_field() -> None:
    caseload, contacts, jobs, own = history()
    figures = ips_figures(caseload, contacts, jobs, UNTIL, own_contacts=own, min_cell=2)
    march = cell(figures, "Nord", "2026-03")
    # Days 5, 12 and 20 fall in March (31 days); Nord has two consultants.
    assert march.contacts == 3
    assert march.contacts_per_consultant_week == pytest.approx(3 / 2 / (31 / 7))
    # Known for a person in March: p0 and p1, both wanted.
    assert march.contacts_in_wanted_field == pytest.approx(1.0)
    april = cell(figures, "Nord", "2026-04")
    assert april.contacts == 1 and "contacts_in_wanted_field" in april.suppressed


def test_job_starts_retention_and_time_to_first_job() -> None:
    caseload, contacts, jobs, own = history()
    figures = ips_figures(caseload, contacts, jobs, UNTIL, own_contacts=own, min_cell=2)
    april = cell(figures, "Nord", "2026-04")
    assert april.job_starts == 2
    # p0 left after 30 days, p1 still there after 90.
    assert april.retention_90_days == pytest.approx(0.5)
    march = cell(figures, "Nord", "2026-03")
    assert march.median_days_to_first_job == pytest.approx(((30) + (39)) / 2)
    strict = ips_figures(caseload, contacts, jobs, UNTIL, own_contacts=own, min_cell=5)
    assert cell(strict, "Nord", "2026-04").job_starts is None
    assert "job_starts" in cell(strict, "Nord", "2026-04").suppressed


def test_nothing_after_the_end_of_the_data_counts() -> None:
    caseload, contacts, jobs, own = history()
    early = ips_figures(caseload, contacts, jobs, START + timedelta(days=10), own, min_cell=1)
    march = cell(early, "Nord", "2026-03")
    # Nobody has been followed 30 days yet.
    assert march.first_contact_within_30_days is None
    assert march.contacts == 1


def test_figures_render_and_files_round_trip(tmp_path: Path) -> None:
    caseload, contacts, jobs, own = history()
    figures = ips_figures(caseload, contacts, jobs, UNTIL, own_contacts=own)
    assert figures_png(figures).startswith(b"\x89PNG")
    html = figures_section(figures.to_dict())
    assert 'id="ips-figures"' in html
    # Figures only: no person's pseudonym, no consultant.
    flat = json.dumps(figures.to_dict())
    assert not any(f'"{name}"' in flat for name in ("p0", "p5", "q0", "k1"))
    path = tmp_path / "caseload.csv"
    path.write_text(caseload_csv(caseload))
    assert read_caseload(path) == caseload


def test_bad_contact_files_name_line_field_and_allowed_values(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "date,employer_id,channel,outcome,consultant,team,candidate_id,in_wanted_field\n"
        "2026-01-01,e-1,visit,maybe,k1,Nord,,\n"
    )
    with pytest.raises(EvaluationError, match=r"line 2: field 'outcome' is 'maybe'; allowed"):
        read_employer_contacts(path)
