"""IPS fidelity figures for analysts and team leads, by team and month, with small cells hidden.

From who is on whose caseload since when, the employer contacts and the
jobs, per team and calendar month (and for all teams):

- **first employer contact**: of the people who started in the month and
  have been followed 30 days, the share whose first employer contact (by the
  consultant for them, or their own application) came within 30 days of
  starting (IPS fidelity asks for it), and the median days it took;
- **contacts per consultant per week**: employer contacts recorded by the
  team in the month, per consultant of the team and per week observed;
- **contacts in a wanted field**: of the contacts for a person where it is
  known, the share with an employer in a field the person wants;
- **job starts** in the month, and **90-day retention**: of the jobs started
  in the month at least 90 days before the end of the data, the share still
  held 90 days later;
- **time to first job**: of the people who started in the month and found a
  job, the median days from start to its first day.

No figure identifies a person: any figure resting on fewer than `min_cell`
people or events is suppressed (None, and named in ``suppressed``), as
statistics offices do with small cells.
"""

from __future__ import annotations

import base64
import csv
import io
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # draw to files only; never open a window

from jinja2 import Environment, StrictUndefined, select_autoescape
from matplotlib.figure import Figure

from evaluation.errors import EvaluationError
from evaluation.placements import Placement
from matcher.vocabularies import OUTCOMES

ALL_TEAMS = "all teams"
MIN_CELL = 5
NO_TEAM = "no team"


@dataclass(frozen=True)
class CaseloadMember:
    """A person in IPS: who they are (a pseudonym), their consultant, team and start."""

    person: str
    consultant: str
    team: str
    start: date


@dataclass(frozen=True)
class EmployerContactEvent:
    """An employer contact by a consultant (or job developer), for a person or not."""

    day: date
    consultant: str
    team: str
    person: str | None = None
    in_wanted_field: bool | None = None


@dataclass(frozen=True)
class OwnContact:
    """A person's own contact with an employer (a placement event: applied, interviewed)."""

    person: str
    day: date


@dataclass(frozen=True)
class JobSpell:
    person: str
    start: date
    ended: date | None = None


@dataclass
class FigureCell:
    team: str
    month: str
    people_started: int | None = None
    first_contact_within_30_days: float | None = None
    median_days_to_first_contact: float | None = None
    contacts: int = 0
    contacts_per_consultant_week: float | None = None
    contacts_in_wanted_field: float | None = None
    job_starts: int | None = None
    retention_90_days: float | None = None
    median_days_to_first_job: float | None = None
    suppressed: list[str] = field(default_factory=list)


@dataclass
class IpsFigures:
    until: date
    min_cell: int
    cells: list[FigureCell]

    def to_dict(self) -> dict[str, Any]:
        return {
            "until": self.until.isoformat(),
            "min_cell": self.min_cell,
            "cells": [asdict(c) for c in self.cells],
        }


def _month(day: date) -> str:
    return day.strftime("%Y-%m")


def _month_span(month: str, until: date) -> int:
    """Days of `month` up to and including `until`."""
    first = date.fromisoformat(f"{month}-01")
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return max(0, (min(following, until + timedelta(days=1)) - first).days)


class _Cell:
    """What one team-month collects before it becomes figures."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.contacts = 0
        self.consultants: set[str] = set()
        self.wanted: list[bool] = []
        self.job_starts = 0
        self.retained: list[bool] = []


def ips_figures(
    caseload: Sequence[CaseloadMember],
    contacts: Sequence[EmployerContactEvent],
    jobs: Sequence[JobSpell],
    until: date,
    own_contacts: Sequence[OwnContact] = (),
    min_cell: int = MIN_CELL,
) -> IpsFigures:
    """The figures per team and month from everything known up to `until`."""
    if min_cell < 1:
        raise EvaluationError(f"min_cell must be at least 1, got {min_cell}")
    members = {m.person: m for m in caseload}
    first_contact: dict[str, date] = {}
    for person, day in [(c.person, c.day) for c in contacts if c.person] + [
        (c.person, c.day) for c in own_contacts
    ]:
        if person is None or day > until:
            continue
        member = members.get(person)
        if member is not None and day >= member.start:
            first_contact[person] = min(day, first_contact.get(person, day))
    first_job: dict[str, date] = {}
    for job in jobs:
        member = members.get(job.person)
        if member is not None and member.start <= job.start <= until:
            first_job[job.person] = min(job.start, first_job.get(job.person, job.start))

    cells: dict[tuple[str, str], _Cell] = defaultdict(_Cell)

    def both(team: str, month: str) -> list[_Cell]:
        return [cells[(team, month)], cells[(ALL_TEAMS, month)]]

    months: set[str] = set()
    for member in caseload:
        if member.start > until:
            continue
        months.add(_month(member.start))
        for cell in both(member.team, _month(member.start)):
            cell.started.append(member.person)
    consultants_of: dict[str, set[str]] = defaultdict(set)
    for member in caseload:
        consultants_of[member.team].add(member.consultant)
    for contact in contacts:
        if contact.day > until:
            continue
        months.add(_month(contact.day))
        consultants_of[contact.team].add(contact.consultant)
        for cell in both(contact.team, _month(contact.day)):
            cell.contacts += 1
            if contact.person is not None and contact.in_wanted_field is not None:
                cell.wanted.append(contact.in_wanted_field)
    for job in jobs:
        member = members.get(job.person)
        if member is None or job.start > until:
            continue
        months.add(_month(job.start))
        for cell in both(member.team, _month(job.start)):
            cell.job_starts += 1
            if job.start + timedelta(days=90) <= until:
                cell.retained.append(
                    job.ended is None or job.ended >= job.start + timedelta(days=90)
                )
    consultants_of[ALL_TEAMS] = set().union(*consultants_of.values()) if consultants_of else set()

    out = []
    for team, month in sorted(cells, key=lambda key: (key[0] == ALL_TEAMS, key[0], key[1])):
        cell = cells[(team, month)]
        figure = FigureCell(team=team, month=month, contacts=cell.contacts)
        days = _month_span(month, until)
        consultants = len(consultants_of.get(team, ()))
        if consultants and days:
            figure.contacts_per_consultant_week = cell.contacts / consultants / (days / 7)
        _people_figures(figure, cell, members, first_contact, first_job, until, min_cell)
        if len(cell.wanted) >= min_cell:
            figure.contacts_in_wanted_field = sum(cell.wanted) / len(cell.wanted)
        elif cell.wanted:
            figure.suppressed.append("contacts_in_wanted_field")
        if cell.job_starts >= min_cell:
            figure.job_starts = cell.job_starts
        elif cell.job_starts:
            figure.suppressed.append("job_starts")
        if len(cell.retained) >= min_cell:
            figure.retention_90_days = sum(cell.retained) / len(cell.retained)
        elif cell.retained:
            figure.suppressed.append("retention_90_days")
        out.append(figure)
    return IpsFigures(until=until, min_cell=min_cell, cells=out)


def _people_figures(
    figure: FigureCell,
    cell: _Cell,
    members: dict[str, CaseloadMember],
    first_contact: dict[str, date],
    first_job: dict[str, date],
    until: date,
    min_cell: int,
) -> None:
    started = cell.started
    if not started:
        return
    if len(started) < min_cell:
        figure.suppressed.extend(
            [
                "people_started",
                "first_contact_within_30_days",
                "median_days_to_first_contact",
                "median_days_to_first_job",
            ]
        )
        return
    figure.people_started = len(started)
    followed = [p for p in started if members[p].start + timedelta(days=30) <= until]
    if len(followed) >= min_cell:
        within = [
            p
            for p in followed
            if p in first_contact and (first_contact[p] - members[p].start).days <= 30
        ]
        figure.first_contact_within_30_days = len(within) / len(followed)
    elif followed:
        figure.suppressed.append("first_contact_within_30_days")
    waits = [(first_contact[p] - members[p].start).days for p in started if p in first_contact]
    if len(waits) >= min_cell:
        figure.median_days_to_first_contact = float(statistics.median(waits))
    elif waits:
        figure.suppressed.append("median_days_to_first_contact")
    to_job = [(first_job[p] - members[p].start).days for p in started if p in first_job]
    if len(to_job) >= min_cell:
        figure.median_days_to_first_job = float(statistics.median(to_job))
    elif to_job:
        figure.suppressed.append("median_days_to_first_job")


def history_figures(
    caseload: Sequence[CaseloadMember],
    contacts: Sequence[EmployerContactEvent],
    placements: Sequence[Placement],
    until: date,
    min_cell: int = MIN_CELL,
) -> IpsFigures:
    """The figures of a placement history (the contract's CSV) with its caseloads and contacts:
    the person's own events count as their employer contacts, hires as jobs."""
    own = [OwnContact(p.candidate_id, p.date) for p in placements if p.stage != "ended"]
    jobs = [JobSpell(p.candidate_id, p.date, p.ended) for p in placements if p.stage == "hired"]
    return ips_figures(caseload, contacts, jobs, until, own_contacts=own, min_cell=min_cell)


# ---------------------------------------------------------------------- plots

PANELS: tuple[tuple[str, str, bool], ...] = (
    ("first_contact_within_30_days", "first employer contact within 30 days", True),
    ("contacts_per_consultant_week", "employer contacts per consultant per week", False),
    ("contacts_in_wanted_field", "contacts in a field the person wants", True),
    ("retention_90_days", "jobs still held after 90 days", True),
    ("job_starts", "job starts", False),
    ("median_days_to_first_job", "median days from start to first job", False),
)


def figures_plot(figures: IpsFigures) -> Figure:
    """One panel per figure, a line per team over the months (suppressed cells left out)."""
    plot = Figure(figsize=(12, 6.5))
    axes = plot.subplots(2, 3)
    teams = sorted({c.team for c in figures.cells}, key=lambda t: (t == ALL_TEAMS, t))
    for ax, (key, title, share) in zip(axes.ravel(), PANELS, strict=True):
        for team in teams:
            points = [
                (c.month, getattr(c, key))
                for c in figures.cells
                if c.team == team and getattr(c, key) is not None
            ]
            if not points:
                continue
            months, values = zip(*points, strict=True)
            style = {"color": "black", "linewidth": 2.2} if team == ALL_TEAMS else {}
            ax.plot(
                months, [100 * v if share else v for v in values], marker=".", label=team, **style
            )
        ax.set_title(title, fontsize=10)
        if share:
            ax.set_ylim(0, 100)
            ax.set_ylabel("%")
        ax.tick_params(axis="x", labelrotation=60, labelsize=7)
    handles, labels = axes[0][0].get_legend_handles_labels()
    if handles:
        plot.legend(handles, labels, loc="lower center", ncol=min(6, len(labels)), fontsize=8)
    plot.suptitle(
        f"IPS figures up to {figures.until.isoformat()} (cells under {figures.min_cell} "
        "people or events are not shown)",
        fontsize=11,
    )
    plot.tight_layout(rect=(0, 0.06, 1, 0.96))
    return plot


def figures_png(figures: IpsFigures) -> bytes:
    buffer = io.BytesIO()
    figures_plot(figures).savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


SECTION_TEMPLATE = """\
<h2 id="ips-figures">IPS figures by team and month</h2>
<p>Up to {{ f.until }}. Cells resting on fewer than {{ f.min_cell }} people or events are
suppressed (–), so no figure identifies a person.</p>
<img alt="IPS figures by team and month" src="{{ image }}">
<table id="ips-figures-table">
<tr><th class="name">team</th><th class="name">month</th><th>started</th>
<th>first contact ≤ 30 days</th><th>median days to first contact</th><th>contacts</th>
<th>contacts / consultant / week</th><th>contacts in wanted field</th><th>job starts</th>
<th>90-day retention</th><th>median days to first job</th></tr>
{% for c in f.cells %}
<tr><td class="name">{{ c.team }}</td><td class="name">{{ c.month }}</td>
<td>{{ c.people_started|count }}</td><td>{{ c.first_contact_within_30_days|pct }}</td>
<td>{{ c.median_days_to_first_contact|count }}</td><td>{{ c.contacts }}</td>
<td>{{ c.contacts_per_consultant_week|num }}</td><td>{{ c.contacts_in_wanted_field|pct }}</td>
<td>{{ c.job_starts|count }}</td><td>{{ c.retention_90_days|pct }}</td>
<td>{{ c.median_days_to_first_job|count }}</td></tr>
{% endfor %}
</table>
"""


def figures_section(document: dict[str, Any]) -> str:
    """The report's HTML section for figures as `IpsFigures.to_dict` gives them."""
    figures = figures_from_dict(document)
    environment = Environment(
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
    )
    environment.filters["num"] = lambda v, d=2: "–" if v is None else f"{v:.{d}f}"
    environment.filters["pct"] = lambda v: "–" if v is None else f"{100 * v:.0f}%"
    environment.filters["count"] = lambda v: "–" if v is None else f"{v:g}"
    image = "data:image/png;base64," + base64.b64encode(figures_png(figures)).decode("ascii")
    return environment.from_string(SECTION_TEMPLATE).render(f=figures, image=image)


def figures_from_dict(document: dict[str, Any]) -> IpsFigures:
    return IpsFigures(
        until=date.fromisoformat(str(document["until"])),
        min_cell=int(document["min_cell"]),
        cells=[FigureCell(**cell) for cell in document["cells"]],
    )


# ---------------------------------------------------------------------- files

CASELOAD_COLUMNS = ("candidate_id", "consultant", "team", "start")
CONTACT_COLUMNS = (
    "date",
    "employer_id",
    "channel",
    "outcome",
    "consultant",
    "team",
    "candidate_id",
    "in_wanted_field",
)


def caseload_csv(members: Iterable[CaseloadMember]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CASELOAD_COLUMNS)
    for m in members:
        writer.writerow((m.person, m.consultant, m.team, m.start.isoformat()))
    return buffer.getvalue()


def _rows(path: str | Path, columns: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise EvaluationError(f"{path}: missing column(s) {', '.join(missing)}")
        return [(number, row) for number, row in enumerate(reader, start=2)]


def _day(path: str | Path, line: int, column: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise EvaluationError(
            f"{path}, line {line}: field {column!r} is {value!r}; expected a date (YYYY-MM-DD)"
        ) from None


def read_caseload(path: str | Path) -> list[CaseloadMember]:
    return [
        CaseloadMember(
            row["candidate_id"],
            row["consultant"],
            row["team"] or NO_TEAM,
            _day(path, line, "start", row["start"]),
        )
        for line, row in _rows(path, CASELOAD_COLUMNS)
    ]


def read_employer_contacts(path: str | Path) -> list[EmployerContactEvent]:
    events = []
    for line, row in _rows(path, CONTACT_COLUMNS):
        if row["outcome"] not in OUTCOMES:
            raise EvaluationError(
                f"{path}, line {line}: field 'outcome' is {row['outcome']!r}; allowed: "
                f"{', '.join(OUTCOMES)}"
            )
        wanted = row["in_wanted_field"].strip().lower()
        if wanted not in ("", "true", "false"):
            raise EvaluationError(
                f"{path}, line {line}: field 'in_wanted_field' is {row['in_wanted_field']!r}; "
                "allowed: true, false or empty"
            )
        events.append(
            EmployerContactEvent(
                _day(path, line, "date", row["date"]),
                row["consultant"],
                row["team"] or NO_TEAM,
                row["candidate_id"] or None,
                None if not wanted else wanted == "true",
            )
        )
    return events
