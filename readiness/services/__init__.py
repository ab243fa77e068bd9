"""Use cases over a database session: they flush, never commit."""
