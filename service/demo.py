"""`ipsmatch serve --demo`: the invented demo data and one user per role, ready to try.

The demo loads only into an empty store. Run again on a store it made
itself, it issues fresh tokens for its users (the first ones were shown
once and are not kept); any other store is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from matcher.record_files import read_candidates, read_openings
from service import store
from service.db import Database
from service.demo_history import load_demo_history
from service.models import User
from service.settings import REPOSITORY_ROOT

DEMO_DIR = REPOSITORY_ROOT / "data" / "demo"
DEMO_TEAM = "Demo"
DEMO_USERS: tuple[tuple[str, str], ...] = (
    ("demo-consultant", "consultant"),
    ("demo-job-developer", "job_developer"),
    ("demo-analyst", "analyst"),
    ("demo-admin", "admin"),
)


class DemoError(RuntimeError):
    """The store holds other data; the demo will not mix with it."""


@dataclass
class DemoLogin:
    name: str
    role: str
    token: str


@dataclass
class DemoResult:
    loaded: bool
    candidates: int
    openings: int
    logins: list[DemoLogin]
    past_hires: int = 0
    employer_contacts: int = 0


def load_demo(database: Database, demo_dir: Path = DEMO_DIR) -> DemoResult:
    candidates = read_candidates(demo_dir / "candidates.jsonl")
    openings = read_openings(demo_dir / "openings.jsonl")
    names = [name for name, _ in DEMO_USERS]
    with database.writer() as session:
        if store.has_data(session):
            users = list(session.scalars(select(User)))
            if sorted(u.name for u in users) != sorted(names):
                raise DemoError(
                    f"the store {database.describe()} already holds data; --demo loads only "
                    "into an empty store (point IPSMATCH_DATA_DIR or --data-dir at a new "
                    "folder)"
                )
            logins = [DemoLogin(u.name, u.role, store.rotate_token(session, u)) for u in users]
            store.audit(session, None, "demo.tokens")
            session.commit()
            order = {name: i for i, name in enumerate(names)}
            logins.sort(key=lambda login: order[login.name])
            return DemoResult(False, 0, 0, logins)
        logins = []
        made: dict[str, User] = {}
        for name, role in DEMO_USERS:
            user, token = store.create_user(session, name, role, team=DEMO_TEAM)
            logins.append(DemoLogin(name, role, token))
            made[role] = user
        for candidate in candidates:
            store.save_candidate(session, made["consultant"], candidate, None)
        store.upsert_openings(session, openings)
        history = load_demo_history(session, openings, made["job_developer"], date.today())
        store.bump_catalogue(session)
        store.audit(session, None, "demo.load", candidates=len(candidates), openings=len(openings))
        session.commit()
    return DemoResult(
        True,
        len(candidates),
        len(openings),
        logins,
        past_hires=history.past_hires,
        employer_contacts=history.contacts,
    )
