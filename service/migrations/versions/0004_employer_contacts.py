"""Job development: employer contacts, alerts of new fitting openings, consultants' teams.

Revision ID: 0004_employer_contacts
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_employer_contacts"
down_revision: str | None = "0003_hardening"
branch_labels: str | None = None
depends_on: str | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("team", sa.String(100), nullable=True))
    op.create_table(
        "employer_contacts",
        sa.Column("pk", sa.Integer(), primary_key=True),
        sa.Column("employer_id", sa.String(200), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column(
            "candidate_pk",
            sa.Integer(),
            sa.ForeignKey("candidates.pk", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("candidate_pseudonym", sa.String(64), nullable=True),
        sa.Column("in_wanted_field", sa.Boolean(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_employer_contacts_date", "employer_contacts", ["date"])
    op.create_index("ix_employer_contacts_user_id", "employer_contacts", ["user_id"])
    op.create_index("ix_employer_contacts_candidate_pk", "employer_contacts", ["candidate_pk"])
    op.create_index(
        "ix_employer_contacts_candidate_pseudonym", "employer_contacts", ["candidate_pseudonym"]
    )
    op.create_index(
        "ix_employer_contacts_employer_date", "employer_contacts", ["employer_id", "date"]
    )
    op.create_table(
        "alerts",
        sa.Column("pk", sa.Integer(), primary_key=True),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column(
            "candidate_pk",
            sa.Integer(),
            sa.ForeignKey("candidates.pk", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("opening_id", sa.String(200), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("preference_fit", sa.Float(), nullable=False),
        sa.Column("reasons", JSON_TYPE, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("candidate_pk", "opening_id", name="uq_alerts_candidate"),
    )
    op.create_index("ix_alerts_owner_id", "alerts", ["owner_id"])
    op.create_index("ix_alerts_candidate_pk", "alerts", ["candidate_pk"])
    op.create_table(
        "alert_scans",
        sa.Column(
            "candidate_pk",
            sa.Integer(),
            sa.ForeignKey("candidates.pk", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("alert_scans")
    op.drop_table("alerts")
    op.drop_table("employer_contacts")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("team")
