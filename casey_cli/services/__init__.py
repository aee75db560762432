"""Use cases: take a Session, return schemas; never print, never commit."""
