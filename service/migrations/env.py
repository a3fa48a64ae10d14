"""Alembic environment: runs on the connection the service hands over, or on a URL.

The service migrates itself at start (`service.db.Database.migrate`), passing
its own connection in ``config.attributes["connection"]``. Run by hand
(``alembic upgrade head`` from the repository root) it uses
``IPSMATCH_DATABASE_URL`` or the default SQLite file, through the service's
settings.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from service.models import Base

config = context.config
target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite alters tables by copying them; batch mode does that for later migrations.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    from service.db import Database
    from service.settings import get_settings

    database = Database(get_settings().resolved_database_url())
    try:
        with database.engine.connect() as own:
            run_on(own)
            own.commit()
    finally:
        database.dispose()


if context.is_offline_mode():
    raise SystemExit("ipsmatch migrations run online only: give a database, not --sql")
run()
