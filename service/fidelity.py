"""The store's IPS figures (`evaluation.ips_figures`): read by pseudonym, returned as figures.

A person's start in IPS is when their profile was made; their team is their
consultant's. Everything leaves this module as counts, shares and medians
over cells of at least `min_cell` people or events.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from evaluation.ips_figures import (
    NO_TEAM,
    CaseloadMember,
    EmployerContactEvent,
    IpsFigures,
    JobSpell,
    OwnContact,
    ips_figures,
)
from service.models import CandidateRow, EmployerContactRow, PlacementRow, User
from service.security import Pseudonymiser


def store_figures(
    session: Session, pseudonyms: Pseudonymiser, until: date, min_cell: int
) -> IpsFigures:
    teams = {uid: team or NO_TEAM for uid, team in session.execute(select(User.id, User.team))}
    caseload = [
        CaseloadMember(
            pseudonyms.candidate(seed), str(owner), teams.get(owner, NO_TEAM), made.date()
        )
        for seed, owner, made in session.execute(
            select(CandidateRow.pseudonym_seed, CandidateRow.owner_id, CandidateRow.created_at)
        )
    ]
    contacts = [
        EmployerContactEvent(
            day, str(uid), teams.get(uid, NO_TEAM) if uid else NO_TEAM, who, wanted
        )
        for day, uid, who, wanted in session.execute(
            select(
                EmployerContactRow.day,
                EmployerContactRow.user_id,
                EmployerContactRow.candidate_pseudonym,
                EmployerContactRow.in_wanted_field,
            )
        )
    ]
    own: list[OwnContact] = []
    jobs: list[JobSpell] = []
    open_jobs: dict[tuple[str, str], int] = {}
    for who, employer, stage, day in session.execute(
        select(
            PlacementRow.candidate_pseudonym,
            PlacementRow.employer_id,
            PlacementRow.stage,
            PlacementRow.day,
        ).order_by(PlacementRow.day, PlacementRow.pk)
    ):
        if stage in ("contacted", "interview", "hired"):
            own.append(OwnContact(who, day))
        if stage == "hired":
            open_jobs[(who, employer)] = len(jobs)
            jobs.append(JobSpell(who, day))
        elif stage == "ended" and (who, employer) in open_jobs:
            index = open_jobs.pop((who, employer))
            jobs[index] = JobSpell(who, jobs[index].start, day)
    return ips_figures(caseload, contacts, jobs, until, own_contacts=own, min_cell=min_cell)
