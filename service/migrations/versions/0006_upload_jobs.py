"""Uploads encoded in the background: upload jobs and the openings they have not indexed yet.

Revision ID: 0006_upload_jobs
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_upload_jobs"
down_revision: str | None = "0005_web_sessions"
branch_labels: str | None = None
depends_on: str | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "upload_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uploaded_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("filename", sa.String(500), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("employers_created", sa.Integer(), nullable=False),
        sa.Column("indexed", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("texts_encoded", sa.Integer(), nullable=False),
        sa.Column("cursor", sa.String(200), nullable=True),
        sa.Column("errors", JSON_TYPE, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("progressed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("busy_seconds", sa.Float(), nullable=False),
    )
    op.create_index("ix_upload_jobs_uploaded_by", "upload_jobs", ["uploaded_by"])
    with op.batch_alter_table("openings") as batch:
        batch.add_column(sa.Column("upload_job", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_openings_upload_job", "upload_jobs", ["upload_job"], ["id"])
        batch.create_index("ix_openings_upload_job", ["upload_job"])


def downgrade() -> None:
    with op.batch_alter_table("openings") as batch:
        batch.drop_index("ix_openings_upload_job")
        batch.drop_constraint("fk_openings_upload_job", type_="foreignkey")
        batch.drop_column("upload_job")
    op.drop_index("ix_upload_jobs_uploaded_by", table_name="upload_jobs")
    op.drop_table("upload_jobs")
