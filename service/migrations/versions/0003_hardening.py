"""Hardening: token expiry, never-reused pseudonym seeds, a hash-chained audit log.

Revision ID: 0003_hardening
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_hardening"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ... ADD COLUMN: on SQLite a rebuilt `candidates` table would
    # cascade its DROP to the health notes and placements.
    op.add_column("users", sa.Column("token_expires_at", sa.DateTime(timezone=True)))
    op.add_column("candidates", sa.Column("pseudonym_seed", sa.String(64)))
    # Profiles stored before keep the pseudonym they had (derived from their row key),
    # so their placements and audit entries stay theirs; new profiles get a random seed.
    op.execute("UPDATE candidates SET pseudonym_seed = 'candidate:' || CAST(pk AS VARCHAR(20))")
    op.create_index("ix_candidates_pseudonym_seed", "candidates", ["pseudonym_seed"], unique=True)
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(64)))
    op.add_column("audit_log", sa.Column("entry_hash", sa.String(64)))
    _append_only_triggers()


def _append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    op.drop_column("audit_log", "entry_hash")
    op.drop_column("audit_log", "prev_hash")
    op.drop_index("ix_candidates_pseudonym_seed", "candidates")
    op.drop_column("candidates", "pseudonym_seed")
    op.drop_column("users", "token_expires_at")
