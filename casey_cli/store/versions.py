"""Schema revisions this code knows (light: checked on every open without SQLAlchemy)."""

# Oldest first; the last one is the schema models.py describes. One per migration file.
KNOWN_REVISIONS = ("0001", "0002", "0003")
HEAD = KNOWN_REVISIONS[-1]
