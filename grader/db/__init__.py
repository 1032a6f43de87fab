"""Persistence: typed ORM models, sessions, Alembic migrations. The database is the source of
truth for submissions; Redis only carries the queue."""
