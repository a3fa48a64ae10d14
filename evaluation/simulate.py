"""A simulated IPS placement history, for trying the evaluation without real people's data.

EVERYTHING THIS WRITES IS INVENTED. No person, employer or opening is real.

Each simulated person has a hidden model that the written profile only
partly shows, and outcomes come from that hidden model alone (never from
any ranker):

- **interests**: weights over occupation families (a main one, often a second
  one); the stated wishes are phrases of the main family (and the second),
  in the person's own words, but about one person in eight states a wish of
  another family instead (people do not always say what they mean);
- **limits**: a commute tolerance (the stated `max_commute_km`, when stated,
  is off from it by a factor), weekly hours needed, acceptable working
  times, workplace conditions the person cannot stand (stated in most cases);
- **past work** in a family that is often not the wanted one, which
  employers value when hiring;
- **readiness**, which sets how often the person searches; younger people
  are readier (IPS trials find higher employment for young adults).

Week by week, each person who is searching (from entry into IPS, not
employed, not dropped out) may have a search session with the consultant:
they contact one or a few open openings, chosen by the hidden utility
(interest, distance against tolerance, hours, times, conditions, employer
openness, plus noise). A contact may lead to an interview, an interview to
a hire; both depend on interest, past work, the employer's openness and
readiness. With disclosure, the consultant also contacts employers directly
(job development: events without an opening). A job lasts a lognormal time
whose median rises with how well it fits the person's hidden interests and
limits; afterwards most people search again.

Calibration (`ips_outcomes.md`): about 60% reach work or education within
18 months of entry; the first job after a few months; about 2/3 of jobs at
20 hours a week or more; median tenure of a few months. `calibration`
measures these on a simulated history.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.io import write_files
from evaluation.ips_figures import CaseloadMember, caseload_csv
from evaluation.placements import Placement, placements_csv
from evaluation.profiles import ProfileVersion, profiles_jsonl
from evaluation.simulate_contacts import (
    EmployerFacts,
    SimulatedContact,
    caseloads,
    contacts_csv,
    employer_contacts,
)
from evaluation.vocabulary import (
    AVOID_PHRASES,
    CONDITIONS,
    EDUCATION_PHRASES,
    FAMILIES,
    TOWNS,
)
from matcher.geo import haversine_km
from matcher.records import Candidate, Opening
from matcher.vocabularies import SCHEDULE_BITS

CONDITION_KEYS = tuple(CONDITIONS)
SEEN_PER_SESSION = 60
OTHER_LANGUAGES = ("ar", "pl", "so", "tr", "uk", "fa")


@dataclass(frozen=True)
class SimulationSettings:
    candidates: int = 2000
    openings: int = 20000
    months: int = 24
    seed: int = 0
    start: date = date(2024, 1, 1)
    # Share of people whose wishes change once, with a dated second profile version.
    profile_changes: float = 0.1
    # Calibration knobs (see `calibration`); defaults reproduce the targets.
    session_rate: float = 0.12
    dropout_per_week: float = 0.014
    share_english: float = 0.15
    share_misstated: float = 0.12

    @property
    def end(self) -> date:
        year = self.start.year + (self.start.month - 1 + self.months) // 12
        month = (self.start.month - 1 + self.months) % 12 + 1
        return date(year, month, 1) - timedelta(days=1)


@dataclass
class Person:
    """The hidden model of one person; only the profile is written out."""

    id: str
    lang: str
    gender: str
    age_band: str
    town: int
    lat: float
    lon: float
    entry: date
    interest: np.ndarray
    tolerance_km: float
    hours: tuple[int, int]
    schedule_ok: int
    aversions: frozenset[str]
    kinds: frozenset[str]
    past_family: int
    readiness: float
    disclosure: bool
    licence: bool
    languages: tuple[str, ...]
    change: tuple[date, np.ndarray] | None = None

    def interest_on(self, day: date) -> np.ndarray:
        if self.change is not None and day >= self.change[0]:
            return self.change[1]
        return self.interest


@dataclass
class Simulation:
    settings: SimulationSettings
    people: list[Person]
    versions: list[ProfileVersion]
    openings: list[Opening]
    opening_family: list[int]
    placements: list[Placement]
    groups: list[dict[str, str]]
    employers: int = 0
    first_jobs: dict[str, date] = field(default_factory=dict)
    # Who is on whose caseload since when, and the consultants' employer contacts.
    caseload: list[CaseloadMember] = field(default_factory=list)
    contacts: list[SimulatedContact] = field(default_factory=list)


def _pick(rng: np.random.Generator, items: Sequence[Any]) -> Any:
    return items[int(rng.integers(len(items)))]


def _jitter(rng: np.random.Generator, lat: float, lon: float, km: float) -> tuple[float, float]:
    # About `km` of spread around a town centre; 1° of latitude is 111 km.
    dlat = rng.normal(0, km / 111)
    dlon = rng.normal(0, km / (111 * math.cos(math.radians(lat))))
    return round(lat + dlat, 4), round(lon + dlon, 4)


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


class _Catalogue:
    """The simulator's own arrays over openings (the hidden facts it needs)."""

    COLUMNS = (
        "family",
        "lat",
        "lon",
        "hours_lo",
        "hours_hi",
        "schedule",
        "condition",
        "employer",
        "posted",
        "expires",
        "needs_danish",
        "needs_licence",
    )

    def __init__(self) -> None:
        self._rows: dict[str, list[Any]] = {name: [] for name in self.COLUMNS}
        self.family = self.lat = self.lon = np.zeros(0)
        self.hours_lo = self.hours_hi = self.schedule = self.condition = np.zeros(0)
        self.employer = self.posted = self.expires = np.zeros(0)
        self.needs_danish = self.needs_licence = np.zeros(0, dtype=bool)

    def append(self, **values: Any) -> None:
        for name in self.COLUMNS:
            self._rows[name].append(values[name])

    def freeze(self) -> None:
        for name, values in self._rows.items():
            setattr(self, name, np.asarray(values))


def _employers(
    rng: np.random.Generator, count: int
) -> tuple[list[tuple[int, int, float, str, str]], np.ndarray]:
    """(family, town, openness, id, name) per employer, and each one's share of postings."""
    family_weights = np.asarray([f.weight for f in FAMILIES])
    family_weights /= family_weights.sum()
    town_weights = np.asarray([t[5] for t in TOWNS])
    town_weights /= town_weights.sum()
    employers = []
    used: set[str] = set()
    for i in range(count):
        family = int(rng.choice(len(FAMILIES), p=family_weights))
        town = int(rng.choice(len(TOWNS), p=town_weights))
        openness = float(rng.normal(0, 1))
        word = _pick(rng, FAMILIES[family].employer_words)
        name = f"{word} {TOWNS[town][0]}"
        if name in used:
            name = f"{name} {_pick(rng, ('Nord', 'Syd', 'Øst', 'Vest', 'Centrum'))}"
        if name in used:
            name = f"{name} {i}"
        used.add(name)
        employers.append((family, town, openness, f"e-{i + 1:05d}", name))
    # Some employers post far more than others; within a family, posting share ∝ size.
    sizes = rng.lognormal(0, 0.8, size=count)
    for f in range(len(FAMILIES)):
        members = [i for i, e in enumerate(employers) if e[0] == f]
        if members:
            sizes[members] *= family_weights[f] / sizes[members].sum()
    return employers, sizes / sizes.sum()


def _openings(
    rng: np.random.Generator, settings: SimulationSettings
) -> tuple[list[Opening], _Catalogue, list[tuple[int, int, float, str, str]]]:
    employers, shares = _employers(rng, max(20, settings.openings // 12))
    catalogue = _Catalogue()
    openings: list[Opening] = []
    first = settings.start - timedelta(days=45)
    span = (settings.end - first).days
    owners = rng.choice(len(employers), size=settings.openings, p=shares)
    for i, owner in enumerate(owners):
        family_index, town, _, employer_id, employer_name = employers[int(owner)]
        family = FAMILIES[family_index]
        lang = "en" if rng.random() < 0.12 else "da"
        description = _pick(rng, family.descriptions[lang])
        posted = first + timedelta(days=int(rng.integers(span)))
        expires = posted + timedelta(days=int(rng.integers(21, 71)))
        hours = _pick(rng, family.hours)
        lat, lon = _jitter(rng, TOWNS[town][2], TOWNS[town][3], 2.0)
        requires_skill = bool(family.requires) and rng.random() < 0.3
        licence = rng.random() < family.licence
        languages = ["da"] if lang == "da" and rng.random() < 0.5 else []
        if lang == "en" and rng.random() < 0.5:
            languages = ["en"]
        text = description.text
        if description.condition:
            text = f"{text} {CONDITIONS[description.condition][lang]}"
        record: dict[str, Any] = {
            "id": f"o-{i + 1:06d}",
            "employer_id": employer_id,
            "employer_name": employer_name,
            "title": _pick(rng, family.titles[lang]),
            "description": text,
            "industry": _pick(rng, family.industries[lang]),
            "kind": family.kind,
            "hours_per_week": {"min": hours[0], "max": hours[1]},
            "schedule": list(description.schedule),
            "location": {"lat": lat, "lon": lon},
            "requires": {
                "skills": [family.requires[0]] if requires_skill else [],
                "driving_licence": bool(licence),
                "languages": languages,
            },
            "posted": posted.isoformat(),
            "expires": expires.isoformat(),
        }
        if family.disco and rng.random() < 0.9:
            record["occupation"] = family.disco
        openings.append(Opening.model_validate(record))
        catalogue.append(
            family=family_index,
            lat=lat,
            lon=lon,
            hours_lo=hours[0],
            hours_hi=hours[1],
            schedule=sum(SCHEDULE_BITS[s] for s in description.schedule),
            condition=(
                CONDITION_KEYS.index(description.condition) if description.condition else -1
            ),
            employer=int(owner),
            posted=posted.toordinal(),
            expires=expires.toordinal(),
            needs_danish="da" in languages,
            needs_licence=bool(licence),
        )
    catalogue.freeze()
    return openings, catalogue, employers


def _interest(rng: np.random.Generator, main: int, wants_education: bool) -> np.ndarray:
    interest = np.full(len(FAMILIES), 0.03)
    interest[main] = 1.0
    if rng.random() < 0.6:
        second = int(rng.integers(len(FAMILIES)))
        if second != main:
            interest[second] = max(interest[second], 0.5)
    if wants_education:
        education = [i for i, f in enumerate(FAMILIES) if f.kind == "education"]
        interest[_pick(rng, education)] = 0.8
    return interest


def _main_family(rng: np.random.Generator, kinds: frozenset[str]) -> int:
    weights = np.asarray([f.weight if f.kind in kinds else 0.0 for f in FAMILIES], dtype=np.float64)
    return int(rng.choice(len(FAMILIES), p=weights / weights.sum()))


def _wishes(
    rng: np.random.Generator, person: Person, interest: np.ndarray, share_misstated: float
) -> list[str]:
    order = np.argsort(-interest)
    main, second = int(order[0]), int(order[1])
    lang = person.lang
    phrases = list(FAMILIES[main].wishes[lang])
    rng.shuffle(phrases)
    wishes = phrases[: 1 + int(rng.random() < 0.6)]
    if interest[second] >= 0.5 and rng.random() < 0.6:
        wishes.append(_pick(rng, FAMILIES[second].wishes[lang]))
    if rng.random() < share_misstated:
        # The person names something other than what they would take: the ranker cannot know.
        other = int(rng.integers(len(FAMILIES)))
        wishes[0] = _pick(rng, FAMILIES[other].wishes[lang])
    return list(dict.fromkeys(wishes))


def _profile(
    rng: np.random.Generator, person: Person, interest: np.ndarray, settings: SimulationSettings
) -> Candidate:
    lang = person.lang
    past = FAMILIES[person.past_family]
    prefs: dict[str, Any] = {"desired": _wishes(rng, person, interest, settings.share_misstated)}
    avoid = []
    for condition in sorted(person.aversions):
        if rng.random() < 0.85:
            avoid.append(_pick(rng, AVOID_PHRASES[condition][lang]))
    if avoid:
        prefs["avoid"] = avoid
    main = FAMILIES[int(np.argmax(interest))]
    if main.disco and rng.random() < 0.2:
        prefs["occupations"] = [main.disco]
    if rng.random() < 0.7:
        prefs["hours_per_week"] = {"min": person.hours[0], "max": person.hours[1]}
    if rng.random() < 0.5:
        prefs["schedule"] = [s for s, bit in SCHEDULE_BITS.items() if person.schedule_ok & bit]
    if rng.random() < 0.6:
        stated = person.tolerance_km * float(rng.lognormal(0, 0.25))
        prefs["max_commute_km"] = max(3, round(stated))
    prefs["kinds"] = sorted(person.kinds, key=lambda k: k != "job")
    skills = list(past.skills[lang])
    rng.shuffle(skills)
    title, text = _pick(rng, past.experience[lang])
    record: dict[str, Any] = {
        "id": person.id,
        "preferences": prefs,
        "competencies": {
            "skills": skills[: int(rng.integers(1, 3))],
            "experience": [{"title": title, "years": int(rng.integers(1, 6)), "description": text}],
            "education": [_pick(rng, EDUCATION_PHRASES[lang])],
            "languages": list(person.languages),
            "driving_licence": person.licence,
        },
        "location": {"postcode": TOWNS[person.town][1], "lat": person.lat, "lon": person.lon},
        "disclosure": "yes" if person.disclosure else "no",
    }
    return Candidate.model_validate(record)


def _people(rng: np.random.Generator, settings: SimulationSettings) -> list[Person]:
    town_weights = np.asarray([t[5] for t in TOWNS])
    town_weights /= town_weights.sum()
    # People join IPS throughout the period, fewer in its last months.
    entry_span = max(1, (settings.end - settings.start).days - 60)
    people = []
    for i in range(settings.candidates):
        lang = "en" if rng.random() < settings.share_english else "da"
        age_band = str(rng.choice(["18-29", "30-44", "45+"], p=[0.35, 0.4, 0.25]))
        gender = str(rng.choice(["kvinde", "mand", "andet"], p=[0.48, 0.49, 0.03]))
        town = int(rng.choice(len(TOWNS), p=town_weights))
        lat, lon = _jitter(rng, TOWNS[town][2], TOWNS[town][3], 3.0)
        draw = rng.random()
        kinds = frozenset(
            ["job"] if draw < 0.82 else ["job", "education"] if draw < 0.95 else ["education"]
        )
        main = _main_family(rng, kinds)
        interest = _interest(rng, main, "education" in kinds and main != "education")
        low = int(rng.choice([8, 10, 15, 20, 25, 30], p=[0.1, 0.16, 0.17, 0.25, 0.16, 0.16]))
        high = min(37, low + int(rng.choice([5, 10, 15])))
        schedule_ok = 1 | (2 if rng.random() < 0.4 else 0) | (8 if rng.random() < 0.5 else 0)
        schedule_ok |= 4 if rng.random() < 0.15 else 0
        aversions = frozenset(c for c in CONDITION_KEYS if rng.random() < 0.18)
        same_past = rng.random() < 0.35
        past = (
            main
            if same_past and FAMILIES[main].kind == "job"
            else _main_family(rng, frozenset(["job"]))
        )
        readiness = float(rng.normal({"18-29": 0.35, "30-44": 0.0, "45+": -0.35}[age_band], 0.8))
        languages: tuple[str, ...] = (
            ("da", "en") if lang == "da" and rng.random() < 0.6 else ("da",)
        )
        if lang == "en":
            languages = ("en", _pick(rng, OTHER_LANGUAGES))
            if rng.random() < 0.3:
                languages = ("da", *languages)
        entry = settings.start + timedelta(days=int(rng.integers(entry_span)))
        person = Person(
            id=f"c-{i + 1:05d}",
            lang=lang,
            gender=gender,
            age_band=age_band,
            town=town,
            lat=lat,
            lon=lon,
            entry=entry,
            interest=interest,
            tolerance_km=float(rng.choice([8, 12, 20, 30, 45], p=[0.2, 0.25, 0.3, 0.15, 0.1])),
            hours=(low, high),
            schedule_ok=schedule_ok,
            aversions=aversions,
            kinds=kinds,
            past_family=past,
            readiness=readiness,
            disclosure=rng.random() < 0.55,
            licence=rng.random() < 0.45,
            languages=languages,
        )
        if rng.random() < settings.profile_changes:
            day = entry + timedelta(days=int(rng.integers(60, 240)))
            if day < settings.end:
                new_main = _main_family(rng, kinds)
                if new_main != main:
                    person.change = (day, _interest(rng, new_main, False))
        people.append(person)
    return people


@dataclass
class _Fit:
    """How an opening fits a person's hidden model."""

    interest: float
    far: float
    hours_off: bool
    times_off: bool
    averse: bool
    kind_off: bool

    @property
    def quality(self) -> float:
        return (
            self.interest
            - 0.4 * self.averse
            - 0.3 * self.hours_off
            - 0.2 * self.times_off
            - 0.3 * (self.far > 0)
        )


def simulate(settings: SimulationSettings | None = None) -> Simulation:
    """Simulate people, openings and placements over `settings.months` months."""
    settings = settings or SimulationSettings()
    rng = np.random.default_rng(settings.seed)
    openings, cat, employers = _openings(rng, settings)
    people = _people(rng, settings)
    versions: list[ProfileVersion] = []
    for person in people:
        versions.append(ProfileVersion(_profile(rng, person, person.interest, settings)))
        if person.change is not None:
            day, interest = person.change
            versions.append(
                ProfileVersion(_profile(rng, person, interest, settings), valid_from=day)
            )
    world = _World(settings, rng, openings, cat, employers)
    world.run(people)
    world.placements.sort(key=lambda p: (p.date, p.candidate_id))
    caseload = caseloads([(p.id, p.town, p.entry) for p in people])
    facts = [EmployerFacts(e[3], e[0], TOWNS[e[1]][2], TOWNS[e[1]][3], e[2]) for e in employers]
    contacts = employer_contacts(
        # A generator of their own: the placement history is the same with or without them.
        np.random.default_rng([settings.seed, 14]),
        caseload,
        {p.id: (p.lat, p.lon, p.interest, p.disclosure) for p in people},
        facts,
        world.placements,
        settings.end,
    )
    groups = [
        {
            "candidate_id": p.id,
            "gender": p.gender,
            "age_band": p.age_band,
            "profile_language": p.lang,
            "region": TOWNS[p.town][4],
        }
        for p in people
    ]
    return Simulation(
        settings=settings,
        people=people,
        versions=versions,
        openings=openings,
        opening_family=[int(f) for f in cat.family],
        placements=world.placements,
        groups=groups,
        employers=len(employers),
        first_jobs=world.first_jobs,
        caseload=caseload,
        contacts=contacts,
    )


class _World:
    """The week-by-week process: sessions, contacts, interviews, hires, job ends."""

    def __init__(
        self,
        settings: SimulationSettings,
        rng: np.random.Generator,
        openings: list[Opening],
        cat: _Catalogue,
        employers: list[tuple[int, int, float, str, str]],
    ) -> None:
        self.settings = settings
        self.rng = rng
        self.openings = openings
        self.cat = cat
        self.employers = employers
        self.end = settings.end.toordinal()
        self.openness = np.asarray([e[2] for e in employers])
        self.family_is_job = np.asarray([f.kind == "job" for f in FAMILIES])
        self.employer_lat = np.asarray([TOWNS[e[1]][2] for e in employers])
        self.employer_lon = np.asarray([TOWNS[e[1]][3] for e in employers])
        self.employer_family = np.asarray([e[0] for e in employers])
        self.placements: list[Placement] = []
        self.first_jobs: dict[str, date] = {}

    def run(self, people: list[Person]) -> None:
        settings, rng, cat = self.settings, self.rng, self.cat
        # The day (ordinal) from which each person searches; a dropped person never again.
        resume = [p.entry.toordinal() for p in people]
        dropped = [False] * len(people)
        weeks = (settings.end - settings.start).days // 7 + 1
        for week in range(weeks):
            week_start = settings.start + timedelta(days=7 * week)
            first, last = week_start.toordinal(), week_start.toordinal() + 6
            open_rows = np.flatnonzero((cat.posted <= last) & (cat.expires >= first))
            for index, person in enumerate(people):
                if dropped[index] or resume[index] > last:
                    continue
                if rng.random() < settings.dropout_per_week:
                    dropped[index] = True
                    continue
                rate = settings.session_rate * math.exp(0.5 * person.readiness)
                if rng.random() >= min(0.9, rate):
                    continue
                day = week_start + timedelta(days=int(rng.integers(0, 5)))
                if day.toordinal() > self.end or day.toordinal() < resume[index]:
                    continue
                hire = self.session(person, day, open_rows)
                if hire is not None:
                    ended, _ = hire
                    if ended is None:
                        resume[index] = self.end + 1
                    elif rng.random() < 0.7:
                        # Time-unlimited support: most people look again after a job ends.
                        resume[index] = ended.toordinal() + int(rng.integers(14, 43))
                    else:
                        dropped[index] = True

    def session(
        self, person: Person, day: date, open_rows: np.ndarray
    ) -> tuple[date | None, date] | None:
        """One search session; returns (ended, hired) when it leads to a hire."""
        rng, cat = self.rng, self.cat
        ordinal = day.toordinal()
        rows = open_rows[(cat.posted[open_rows] <= ordinal) & (cat.expires[open_rows] >= ordinal)]
        if len(rows):
            # Only openings within 80 km are considered at all.
            rows = rows[haversine_km(person.lat, person.lon, cat.lat[rows], cat.lon[rows]) <= 80]
        if len(rows) > SEEN_PER_SESSION:
            # Nobody reads the whole market: a session looks at a sample of what is open nearby,
            # which also keeps outcome rates the same for small and large catalogues.
            rows = rng.choice(rows, size=SEEN_PER_SESSION, replace=False)
        if len(rows):
            noisy = self.utility(person, rows, day) + rng.gumbel(0, 0.7, size=len(rows))
            count = min(len(rows), 1 + int(rng.poisson(0.5)))
            for row in rows[np.argpartition(-noisy, count - 1)[:count]]:
                row = int(row)
                fit = _describe_fit(person, cat, row, day, self.family_is_job)
                skill = bool(cat.family[row] == person.past_family)
                hire = self.outcome(person, day, int(cat.employer[row]), row, fit, skill)
                if hire is not None:
                    return hire
        if person.disclosure and rng.random() < 0.08:
            # Job development: with consent, the consultant approaches an employer in a
            # wanted field directly, with no opening posted.
            interest = person.interest_on(day)
            distance = haversine_km(person.lat, person.lon, self.employer_lat, self.employer_lon)
            appeal = 3.0 * interest[self.employer_family] - 0.05 * distance + 0.5 * self.openness
            appeal = appeal + rng.gumbel(0, 0.7, size=len(appeal))
            employer = int(np.argmax(appeal))
            family = int(self.employer_family[employer])
            fit = _Fit(
                interest=float(interest[family]),
                far=max(0.0, float(distance[employer]) - person.tolerance_km),
                hours_off=False,
                times_off=False,
                averse=False,
                kind_off=not self.family_is_job[family],
            )
            return self.outcome(person, day, employer, None, fit, family == person.past_family)
        return None

    def utility(self, person: Person, rows: np.ndarray, day: date) -> np.ndarray:
        """The person's hidden liking of each opening (before noise)."""
        cat = self.cat
        interest = person.interest_on(day)
        family = cat.family[rows]
        distance = haversine_km(person.lat, person.lon, cat.lat[rows], cat.lon[rows])
        far = np.maximum(0.0, distance - person.tolerance_km)
        hours_off = (cat.hours_hi[rows] < person.hours[0]) | (cat.hours_lo[rows] > person.hours[1])
        times_off = (cat.schedule[rows] & ~person.schedule_ok) != 0
        averse = np.zeros(len(rows), dtype=bool)
        for condition in person.aversions:
            averse |= cat.condition[rows] == CONDITION_KEYS.index(condition)
        is_job = self.family_is_job[family]
        kind_off = np.where(is_job, "job" not in person.kinds, "education" not in person.kinds)
        return (
            3.0 * interest[family]
            - 1.5 * (far > 0)
            - 0.04 * far
            - 1.2 * hours_off
            - 1.0 * times_off
            - 1.5 * averse
            - 3.0 * kind_off
            + 0.4 * self.openness[cat.employer[rows]]
        )

    def outcome(
        self,
        person: Person,
        day: date,
        employer: int,
        opening: int | None,
        fit: _Fit,
        skill: bool,
    ) -> tuple[date | None, date] | None:
        """A contact and what follows; returns (ended, hired) on a hire."""
        rng, cat = self.rng, self.cat
        barrier = 0.0
        if opening is not None:
            if cat.needs_danish[opening] and "da" not in person.languages:
                barrier += 0.8
            if cat.needs_licence[opening] and not person.licence:
                barrier += 0.5
        interview_p = _sigmoid(
            -1.9
            + 1.0 * skill
            + 0.6 * self.openness[employer]
            + 0.5 * person.readiness
            + 0.9 * fit.interest
            + (0.4 if person.disclosure else 0.0)
            - 0.6 * fit.hours_off
            - barrier
        )
        employer_id = self.employers[employer][3]
        opening_id = self.openings[opening].id if opening is not None else None
        self.placements.append(Placement(person.id, opening_id, employer_id, "contacted", day))
        if rng.random() >= interview_p:
            return None
        interview_day = day + timedelta(days=int(rng.integers(5, 22)))
        if interview_day.toordinal() > self.end:
            return None
        self.placements.append(
            Placement(person.id, opening_id, employer_id, "interview", interview_day)
        )
        hire_p = _sigmoid(
            -0.7
            + 1.2 * fit.interest
            + 0.6 * skill
            + 0.5 * self.openness[employer]
            + 0.3 * person.readiness
            - 0.8 * fit.averse
            - 0.8 * fit.hours_off
            - 0.5 * fit.times_off
        )
        if rng.random() >= hire_p:
            return None
        hire_day = interview_day + timedelta(days=int(rng.integers(4, 15)))
        if hire_day.toordinal() > self.end:
            return None
        if opening is not None:
            lo, hi = int(cat.hours_lo[opening]), int(cat.hours_hi[opening])
        else:
            lo, hi = person.hours
        agreed_lo, agreed_hi = max(lo, person.hours[0]), min(hi, person.hours[1])
        if agreed_lo > agreed_hi:
            agreed_lo, agreed_hi = lo, hi
        hours = int(rng.integers(agreed_lo, agreed_hi + 1))
        # Jobs that fit what the person wants last longer (median 100 days at quality 0.5).
        median_days = 130.0 * math.exp(0.9 * (fit.quality - 0.5))
        days = max(7, int(rng.lognormal(math.log(median_days), 0.9)))
        ended_ordinal = hire_day.toordinal() + days
        ended = date.fromordinal(ended_ordinal) if ended_ordinal <= self.end else None
        self.placements.append(
            Placement(person.id, opening_id, employer_id, "hired", hire_day, ended, float(hours))
        )
        self.first_jobs.setdefault(person.id, hire_day)
        return ended, hire_day


def _describe_fit(
    person: Person, cat: _Catalogue, row: int, day: date, family_is_job: np.ndarray
) -> _Fit:
    interest = person.interest_on(day)
    family = int(cat.family[row])
    distance = float(
        haversine_km(person.lat, person.lon, cat.lat[row : row + 1], cat.lon[row : row + 1])[0]
    )
    condition = int(cat.condition[row])
    return _Fit(
        interest=float(interest[family]),
        far=max(0.0, distance - person.tolerance_km),
        hours_off=bool(cat.hours_hi[row] < person.hours[0] or cat.hours_lo[row] > person.hours[1]),
        times_off=bool(cat.schedule[row] & ~person.schedule_ok),
        averse=condition >= 0 and CONDITION_KEYS[condition] in person.aversions,
        kind_off=bool(family_is_job[family]) != ("job" in person.kinds),
    )


# ------------------------------------------------------------------ calibration


def calibration(simulation: Simulation) -> dict[str, float | None]:
    """The simulated history's outcome figures, to compare with `ips_outcomes.md`."""
    settings = simulation.settings
    horizon = 548  # 18 months
    followed = [p for p in simulation.people if (settings.end - p.entry).days >= horizon]
    within = [
        p
        for p in followed
        if p.id in simulation.first_jobs and (simulation.first_jobs[p.id] - p.entry).days <= horizon
    ]
    days_to_first = [
        (simulation.first_jobs[p.id] - p.entry).days
        for p in simulation.people
        if p.id in simulation.first_jobs
    ]
    hires = [p for p in simulation.placements if p.stage == "hired"]
    hours = [p.hours_per_week for p in hires if p.hours_per_week is not None]
    ended = [(p.ended - p.date).days for p in hires if p.ended is not None]
    return {
        "people_followed_18_months": float(len(followed)),
        "work_or_education_within_18_months": len(within) / len(followed) if followed else None,
        "median_days_to_first_job": float(np.median(days_to_first)) if days_to_first else None,
        "share_jobs_20h_or_more": sum(h >= 20 for h in hours) / len(hours) if hours else None,
        "median_days_employed_of_ended": float(np.median(ended)) if ended else None,
        "hires": float(len(hires)),
        "hires_without_opening": float(sum(p.opening_id is None for p in hires)),
    }


def tenure_by_fit(simulation: Simulation) -> dict[str, float]:
    """Hire rate per contact and median days employed, for openings in a family the person
    (secretly) likes (main or second interest) against all others."""
    people = {p.id: p for p in simulation.people}
    family_of = {
        o.id: f for o, f in zip(simulation.openings, simulation.opening_family, strict=True)
    }
    contacts = {"fit": 0, "other": 0}
    hires = {"fit": 0, "other": 0}
    days: dict[str, list[int]] = {"fit": [], "other": []}
    for p in simulation.placements:
        if p.opening_id is None:
            continue
        interest = people[p.candidate_id].interest_on(p.date)[family_of[p.opening_id]]
        key = "fit" if interest >= 0.5 else "other"
        if p.stage == "contacted":
            contacts[key] += 1
        elif p.stage == "hired":
            hires[key] += 1
            if p.ended is not None:
                days[key].append((p.ended - p.date).days)
    return {
        "hire_rate_fit": hires["fit"] / contacts["fit"] if contacts["fit"] else 0.0,
        "hire_rate_other": hires["other"] / contacts["other"] if contacts["other"] else 0.0,
        "median_days_fit": float(np.median(days["fit"])) if days["fit"] else 0.0,
        "median_days_other": float(np.median(days["other"])) if days["other"] else 0.0,
    }


# ------------------------------------------------------------------ writing


def files_of(simulation: Simulation) -> dict[str, bytes]:
    """The contract files of a simulation, as bytes by file name."""
    openings = "".join(
        json.dumps(o.model_dump(mode="json", exclude_none=True), ensure_ascii=False) + "\n"
        for o in simulation.openings
    )
    groups = io.StringIO()
    writer = csv.DictWriter(groups, fieldnames=list(simulation.groups[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(simulation.groups)
    return {
        "candidates.jsonl": profiles_jsonl(simulation.versions).encode(),
        "openings.jsonl": openings.encode(),
        "placements.csv": placements_csv(simulation.placements).encode(),
        "groups.csv": groups.getvalue().encode(),
        "caseload.csv": caseload_csv(simulation.caseload).encode(),
        "employer_contacts.csv": contacts_csv(simulation.contacts).encode(),
    }


def write_simulation(simulation: Simulation, directory: str | Path) -> dict[str, Path]:
    """Write the six files into `directory`, all or nothing."""
    files = files_of(simulation)
    write_files(directory, files)
    return {name: Path(directory) / name for name in files}
