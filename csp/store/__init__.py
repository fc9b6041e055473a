"""The partnership's records: SQLAlchemy models, sessions and migrations."""
