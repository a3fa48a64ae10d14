"""Simulated caseloads and employer contacts, added to a simulated placement history.

EVERYTHING THIS WRITES IS INVENTED. People are put on consultants'
caseloads (about 20 each) in teams by region. Employer contacts come from
three sources, each drawn with a random generator of its own, so the
placement history is the same with or without them:

- **job development for a person** (with consent to disclosure): every
  placement event without an opening is such a contact; its outcome is what
  followed (a hire: job offered; an interview: open to a trial; else call
  back or no need now), and a first contact soon after the person starts
  (IPS fidelity asks for one within 30 days), at an employer in a field the
  person wants;
- **job development without a person**: each consultant meets about one
  employer a week near the caseload's fields;
- the outcome of a contact not followed by events depends on the
  employer's hidden openness to hiring, the same openness that drives its
  hires, so outcomes carry a signal of hires to come, as they would in life.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from evaluation.ips_figures import CONTACT_COLUMNS, CaseloadMember, EmployerContactEvent
from evaluation.placements import Placement
from evaluation.vocabulary import TOWNS
from matcher.geo import haversine_km
from matcher.hiring import ContactOutcome
from matcher.vocabularies import CHANNELS

CASELOAD_SIZE = 20
CHANNEL_WEIGHTS = (0.45, 0.3, 0.1, 0.1, 0.05)


@dataclass(frozen=True)
class SimulatedContact:
    day: date
    employer_id: str
    channel: str
    outcome: str
    consultant: str
    team: str
    person: str | None
    in_wanted_field: bool | None

    def event(self) -> EmployerContactEvent:
        return EmployerContactEvent(
            self.day, self.consultant, self.team, self.person, self.in_wanted_field
        )

    def outcome_record(self) -> ContactOutcome:
        return ContactOutcome(self.employer_id, self.day, self.outcome)


@dataclass(frozen=True)
class EmployerFacts:
    """What the simulator knows of an employer: id, family, place and openness to hiring."""

    id: str
    family: int
    lat: float
    lon: float
    openness: float


def caseloads(
    people: Sequence[tuple[str, int, date]],
) -> list[CaseloadMember]:
    """(id, town, entry) per person → caseload members: teams by region, 20 a consultant."""
    by_region: dict[str, list[tuple[str, date]]] = defaultdict(list)
    for person, town, entry in sorted(people, key=lambda p: (p[2], p[0])):
        by_region[TOWNS[town][4]].append((person, entry))
    members = []
    for region, joined in sorted(by_region.items()):
        consultants = max(1, math.ceil(len(joined) / CASELOAD_SIZE))
        for index, (person, entry) in enumerate(joined):
            consultant = f"k-{region[:4].lower()}-{index % consultants + 1:02d}"
            members.append(CaseloadMember(person, consultant, f"Team {region}", entry))
    return members


def contact_outcome(rng: np.random.Generator, openness: float) -> str:
    """What an employer of this openness to hiring says to a contact with nothing after it."""
    promising = 1 / (1 + math.exp(-(-1.2 + 1.0 * openness)))
    draw = rng.random()
    if draw < promising:
        return "open_to_trial" if rng.random() < 0.75 else "job_offered"
    return "call_back" if rng.random() < 0.45 else "no_need_now"


def _channel(rng: np.random.Generator) -> str:
    return str(CHANNELS[int(rng.choice(len(CHANNELS), p=CHANNEL_WEIGHTS))])


def _cold_contact(
    rng: np.random.Generator,
    day: date,
    employer: EmployerFacts,
    by: tuple[str, str],
    person: str | None,
    in_wanted_field: bool | None,
) -> SimulatedContact:
    """A contact with nothing recorded after it: its outcome comes from the employer's
    openness. `by` is the consultant and their team."""
    return SimulatedContact(
        day,
        employer.id,
        _channel(rng),
        contact_outcome(rng, employer.openness),
        by[0],
        by[1],
        person,
        in_wanted_field,
    )


def employer_contacts(
    rng: np.random.Generator,
    members: Sequence[CaseloadMember],
    people: dict[str, tuple[float, float, np.ndarray, bool]],
    employers: Sequence[EmployerFacts],
    placements: Iterable[Placement],
    end: date,
) -> list[SimulatedContact]:
    """The contacts of a simulated history.

    `people` gives (lat, lon, interest per family, disclosure) by person id.
    """
    member_of = {m.person: m for m in members}
    family = np.asarray([e.family for e in employers])
    openness = np.asarray([e.openness for e in employers])
    lat = np.asarray([e.lat for e in employers])
    lon = np.asarray([e.lon for e in employers])
    index_of = {e.id: i for i, e in enumerate(employers)}
    contacts: list[SimulatedContact] = []

    def wanted(person: str, employer: int) -> bool:
        return bool(people[person][2][family[employer]] >= 0.5)

    # Job development for a person: the events without an opening, outcome what followed.
    later: dict[tuple[str, str], set[str]] = defaultdict(set)
    listed = list(placements)
    for event in listed:
        later[(event.candidate_id, event.employer_id)].add(event.stage)
    for event in listed:
        if event.opening_id is not None or event.stage != "contacted":
            continue
        member = member_of.get(event.candidate_id)
        employer = index_of.get(event.employer_id)
        if member is None or employer is None:
            continue
        stages = later[(event.candidate_id, event.employer_id)]
        if "hired" in stages:
            outcome = "job_offered"
        elif "interview" in stages:
            outcome = "open_to_trial"
        else:
            outcome = "call_back" if rng.random() < 0.4 else "no_need_now"
        contacts.append(
            SimulatedContact(
                event.date,
                event.employer_id,
                _channel(rng),
                outcome,
                member.consultant,
                member.team,
                member.person,
                wanted(member.person, employer),
            )
        )
    # A first contact for each person with consent, usually within weeks of starting.
    for member in members:
        plat, plon, interest, disclosure = people[member.person]
        if not disclosure:
            continue
        day = member.start + timedelta(days=int(rng.exponential(22)))
        if day > end:
            continue
        distance = haversine_km(plat, plon, lat, lon)
        appeal = 3.0 * interest[family] - 0.05 * distance + rng.gumbel(0, 0.7, size=len(family))
        employer = int(np.argmax(appeal))
        contacts.append(
            _cold_contact(
                rng,
                day,
                employers[employer],
                (member.consultant, member.team),
                member.person,
                wanted(member.person, employer),
            )
        )
    # Job development without a person: about one employer a week per consultant.
    teams: dict[str, str] = {m.consultant: m.team for m in members}
    first_day = min((m.start for m in members), default=end)
    weeks = max(0, (end - first_day).days // 7)
    weights = np.exp(0.5 * openness)
    weights /= weights.sum()
    for consultant, team in sorted(teams.items()):
        counts = rng.poisson(1.0, size=weeks)
        for week, count in enumerate(counts):
            for _ in range(int(count)):
                day = first_day + timedelta(days=7 * week + int(rng.integers(0, 5)))
                employer = int(rng.choice(len(employers), p=weights))
                contacts.append(
                    _cold_contact(rng, day, employers[employer], (consultant, team), None, None)
                )
    contacts.sort(key=lambda c: (c.day, c.employer_id, c.consultant))
    return contacts


def contacts_csv(contacts: Iterable[SimulatedContact]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CONTACT_COLUMNS)
    for c in contacts:
        wanted = "" if c.in_wanted_field is None else str(c.in_wanted_field).lower()
        writer.writerow(
            (
                c.day.isoformat(),
                c.employer_id,
                c.channel,
                c.outcome,
                c.consultant,
                c.team,
                c.person or "",
                wanted,
            )
        )
    return buffer.getvalue()
