"""The demo store's invented job-development history: there, seeded, and for the hiring estimate."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from service.db import Database
from service.demo import load_demo
from service.hiring import HiringOutlooks
from service.models import EmployerContactRow, PlacementRow, User


def test_the_demo_brings_past_hires_and_employer_contacts(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'demo.db'}")
    database.migrate()
    try:
        result = load_demo(database)
        assert result.past_hires > 20 and result.employer_contacts > 20
        with database.reader() as session:
            assert session.scalar(select(func.count()).select_from(PlacementRow)) == (
                result.past_hires
            )
            assert session.scalar(select(func.count()).select_from(EmployerContactRow)) == (
                result.employer_contacts
            )
            assert set(session.scalars(select(User.team))) == {"Demo"}
        hiring = HiringOutlooks(database).current(date.today())
        assert hiring.estimates.hired_last_year
        assert max(hiring.estimates.expected.values()) > 0.5
    finally:
        database.dispose()
