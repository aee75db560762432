"""The committee report as Markdown (for papers assembled in Word or a CMS)."""

from __future__ import annotations

from typing import Any

from casey_cli.enums import RAG_ORDER
from casey_cli.io.formats import to_markdown

ITEM_COLS = ("ref", "title", "borough", "owner", "status", "due", "rag")


def _items(items: list[Any]) -> str:
    return to_markdown(ITEM_COLS, [i.to_dict() for i in items])


def _rag_table(groups: dict[str, dict[str, int]], label: str) -> str:
    rows = [
        {label: name, **counts, "total": sum(counts.values())} for name, counts in groups.items()
    ]
    return to_markdown((label, *RAG_ORDER, "total"), rows)


# A verification the store cannot tell from the completion (docs/design.md): marked wherever
# a paper shows assurance.
SAME_ACCOUNT_NOTE = (
    "the verification was recorded by the account that completed the action, so the store "
    "cannot tell the verifier from whoever completed it."
)


def assurance(item: Any) -> str:
    """An item's assurance as a paper shows it: `verified (same account)` when the account
    that completed it also recorded its verification."""
    if item.verification == "same-account":
        return f"{item.assurance} (same account)"
    return str(item.assurance or "")


def _verified(totals: dict[str, int]) -> str:
    same = totals["same_account_since"]
    return f"{totals['verified_since']} verified" + (
        f", {same} by the same account" if same else ""
    )


def _section(title: str, body: str, empty: str, count: int) -> str:
    return f"## {title} ({count})\n\n" + (body if count else f"{empty}\n")


def _comparison(r: Any) -> list[str]:
    if r.comparison is None:
        return []
    c = r.comparison
    rows = [
        {"measure": name.replace("_", " "), c.since: then, r.today: now, "change": f"{change:+d}"}
        for name, then, now, change in c.rows
    ]
    return [
        f"## Change since {c.since}\n",
        to_markdown(("measure", c.since, r.today, "change"), rows),
    ]


def _trend(r: Any) -> list[str]:
    if r.trend is None:
        return []
    from casey_cli.schemas import TREND_COLUMNS

    return [
        f"## Trend by {r.trend.by}\n",
        to_markdown(TREND_COLUMNS, [p.to_dict() for p in r.trend.points]),
    ]


def report_markdown(r: Any) -> str:
    t = r.totals
    out = [
        f"# {r.title}\n",
        f"Progress report as at {r.today}; changes since {r.since}.\n",
        *(
            [
                f"Rebuilt from the history as the register stood at the end of {r.as_at} "
                "(London time).\n"
            ]
            if r.as_at
            else []
        ),
        "## Summary\n",
        f"- Items: {t['items']} ({t['open']} open)",
        f"- Overdue: {t['overdue']}; due within {r.window_days} days: {t['due_soon']}",
        f"- Gaps (no owner or no due date): {t['gaps']}",
        f"- Slipped: {t['slipped']}; no update for over {r.stale_days} days: {t['stale']}",
        f"- Completed since {r.since}: {t['completed_since']} ({_verified(t)})",
        "- RAG: " + ", ".join(f"{r.rag[c]} {c}" for c in RAG_ORDER) + "\n",
        *_comparison(r),
        *_trend(r),
        "## RAG by source\n",
        _rag_table(r.by_source, "source"),
        "## RAG by theme\n",
        _rag_table(r.by_theme, "theme"),
        f"## Overdue ({len(r.overdue)})\n",
        to_markdown(
            [f"{b} days" for b in r.ageing], [{f"{b} days": n for b, n in r.ageing.items()}]
        ),
    ]
    if r.overdue:
        out.append(
            to_markdown(
                ("ref", "title", "owner", "due", "days_overdue", "band"),
                [{**i.to_dict(), "band": band} for band, i in r.overdue],
            )
        )
    else:
        out.append("No overdue items.\n")
    out.append(
        _section(
            f"Due within {r.window_days} days",
            _items(r.due_soon),
            "Nothing due soon.",
            len(r.due_soon),
        )
    )
    out.append(
        _section(
            "Due dates that slipped",
            to_markdown(
                ("ref", "title", "original_due", "due", "slips", "days_slipped", "reasons"),
                [
                    {
                        **s.item.to_dict(),
                        "days_slipped": s.days_slipped,
                        "reasons": "; ".join(s.reasons),
                    }
                    for s in r.slipped
                ],
            ),
            "No due date has slipped.",
            len(r.slipped),
        )
    )
    out.append(
        _section(
            "Gaps: no owner or no due date",
            _items(r.gaps),
            "Every open item has an owner and a due date.",
            len(r.gaps),
        )
    )
    out.append(
        _section(
            f"Completed since {r.since}",
            to_markdown(
                ("ref", "title", "owner", "completed", "assurance"),
                [{**i.to_dict(), "assurance": assurance(i)} for i in r.completed],
            )
            + (f"\n*same account*: {SAME_ACCOUNT_NOTE}\n" if t["same_account_since"] else ""),
            "Nothing completed in this period.",
            len(r.completed),
        )
    )
    out.append(
        _section(
            f"No update for over {r.stale_days} days",
            _items(r.stale),
            "Every open item was updated recently.",
            len(r.stale),
        )
    )
    out.append(
        _section(
            "Recent changes",
            to_markdown(
                ("at", "by", "ref", "field", "old", "new", "note"),
                [{**e.to_dict(), "by": e.who} for e in r.changes],
            ),
            f"No changes recorded since {r.since}.",
            len(r.changes),
        )
    )
    return "\n".join(out)
