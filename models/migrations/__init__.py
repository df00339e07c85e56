"""Alembic migrations of the Dozor schema (a package so that installs ship them)."""
