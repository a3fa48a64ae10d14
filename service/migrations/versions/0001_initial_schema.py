"""Initial schema: users, candidates (health apart), employers, openings, placements, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    catalogue_state = op.create_table(
        "catalogue_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("revision", sa.Integer(), nullable=False),
    )
    op.bulk_insert(catalogue_state, [{"id": 1, "revision": 0}])
    op.create_table(
        "secrets",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    op.create_table(
        "text_vectors",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "employers",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("record", JSON_TYPE, nullable=False),
        *_timestamps(),
    )
    op.create_table(
        "candidates",
        sa.Column("pk", sa.Integer(), primary_key=True),
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("profile", JSON_TYPE, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("owner_id", "id", name="uq_candidates_owner_id"),
    )
    op.create_index("ix_candidates_owner_id", "candidates", ["owner_id"])
    op.create_table(
        "candidate_health",
        sa.Column(
            "candidate_pk",
            sa.Integer(),
            sa.ForeignKey("candidates.pk", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("health", JSON_TYPE, nullable=False),
    )
    op.create_table(
        "openings",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("employer_id", sa.String(200), sa.ForeignKey("employers.id"), nullable=False),
        sa.Column("record", JSON_TYPE, nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("expires", sa.Date(), nullable=True),
        *_timestamps(),
    )
    op.create_index("ix_openings_employer_id", "openings", ["employer_id"])
    op.create_index("ix_openings_expires", "openings", ["expires"])
    op.create_table(
        "placements",
        sa.Column("pk", sa.Integer(), primary_key=True),
        sa.Column(
            "candidate_pk",
            sa.Integer(),
            sa.ForeignKey("candidates.pk", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("candidate_pseudonym", sa.String(64), nullable=False),
        sa.Column("opening_id", sa.String(200), nullable=True),
        sa.Column("employer_id", sa.String(200), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("hours_per_week", sa.Float(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_placements_candidate_pk", "placements", ["candidate_pk"])
    op.create_index("ix_placements_candidate_pseudonym", "placements", ["candidate_pseudonym"])
    op.create_index("ix_placements_employer_id", "placements", ["employer_id"])
    op.create_table(
        "audit_log",
        sa.Column("pk", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("candidate_pseudonym", sa.String(64), nullable=True),
        sa.Column("detail", JSON_TYPE, nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_candidate_pseudonym", "audit_log", ["candidate_pseudonym"])


def downgrade() -> None:
    for table in (
        "audit_log",
        "placements",
        "openings",
        "candidate_health",
        "candidates",
        "employers",
        "users",
        "text_vectors",
        "secrets",
        "catalogue_state",
    ):
        op.drop_table(table)
