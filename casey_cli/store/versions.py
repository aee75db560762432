"""Schema revisions this code knows (light: checked on every open without SQLAlchemy)."""

# Oldest first; the last one is the schema store/schema.py describes. One per migration file.
KNOWN_REVISIONS = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
)
HEAD = KNOWN_REVISIONS[-1]
