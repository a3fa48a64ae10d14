"""The simulator's caseloads and employer contacts, in the format the figures read."""

from __future__ import annotations

from pathlib import Path

from evaluation.ips_figures import ips_figures, read_caseload, read_employer_contacts
from evaluation.simulate import Simulation, simulate
from matcher.vocabularies import CHANNELS, OUTCOMES


def test_contacts_are_written_and_read_back(tiny_simulation: Simulation, tiny_files: Path) -> None:
    caseload = read_caseload(tiny_files / "caseload.csv")
    contacts = read_employer_contacts(tiny_files / "employer_contacts.csv")
    assert caseload == tiny_simulation.caseload
    assert [c.event() for c in tiny_simulation.contacts] == contacts
    assert {c.outcome for c in tiny_simulation.contacts} <= set(OUTCOMES)
    assert {c.channel for c in tiny_simulation.contacts} <= set(CHANNELS)


def test_contacts_for_a_person_only_with_their_consent(tiny_simulation: Simulation) -> None:
    consent = {p.id: p.disclosure for p in tiny_simulation.people}
    for_people = [c for c in tiny_simulation.contacts if c.person is not None]
    assert for_people
    assert all(consent[c.person] for c in for_people if c.person)
    assert all(c.in_wanted_field is not None for c in for_people)
    assert len({m.person for m in tiny_simulation.caseload}) == len(tiny_simulation.people)


def test_contacts_leave_the_placement_history_unchanged(tiny_simulation: Simulation) -> None:
    again = simulate(tiny_simulation.settings)
    assert again.placements == tiny_simulation.placements
    assert again.contacts == tiny_simulation.contacts


def test_figures_can_be_computed_on_simulated_history(tiny_simulation: Simulation) -> None:
    figures = ips_figures(
        tiny_simulation.caseload,
        [c.event() for c in tiny_simulation.contacts],
        [],
        tiny_simulation.settings.end,
        min_cell=1,
    )
    shares = [c.first_contact_within_30_days for c in figures.cells]
    assert any(s is not None and 0 < s <= 1 for s in shares)
