"""What every view shares: cells as Text (user text never reaches markup), RAG colours, column
widths, the scope's name and the headline."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from casey_cli.text import counted

RAG_STYLE = {
    "red": "bold red",
    "amber": "bold dark_orange",
    "green": "green",
    "blue": "blue",
    "grey": "dim",
}


def cell(value: Any, style: str = "") -> Text:
    return Text("" if value is None else str(value), style=style)


def rag_text(rag: str) -> Text:
    return Text(rag.upper(), style=RAG_STYLE.get(rag, ""))


def rag_cell(rag: str, reported: str | None) -> Text:
    """The rule's RAG, and under it the reporting officer's when they differ."""
    text = rag_text(rag)
    if reported and reported != rag:
        text.append(f"\nsaid {reported}", style="dim")
    return text


def title_cell(title: str, update: str | None, on: str | None) -> Text:
    """A title, and under it the latest progress update with its date."""
    text = Text(title)
    if update:
        text.append(f"\n{on}: {update}" if on else f"\n{update}", style="dim")
    return text


COLUMN_RATIO = {"title": 4, "owner": 2, "note": 3, "old": 2, "new": 3, "by": 2}
NO_WRAP = ("ref", "due", "rag", "status", "days_overdue", "at")


def scope_name(borough: str | None) -> str:
    return borough.replace("-", " ").title() if borough else "All London"


def headline(scope: str, today: str, total: int, by_rag: dict[str, int], tail: str) -> Text:
    """`Scope · date · N items · n red  n amber ...` and the tail on a line of its own (so
    neither wraps at 80 columns), RAG counts in their colours; with no items there are no
    RAG counts, and no empty part between two dots. A scope that already names its day
    ("Islington as at the end of 2026-09-30") is not followed by it again."""
    parts: list[str | tuple[str, str]] = []
    for rag, n in by_rag.items():
        if n:
            parts += ["  "] if parts else []
            parts.append((f"{n} {rag}", RAG_STYLE[rag]))
    return Text.assemble(
        (scope, "bold"),
        f" · {today}" if today not in scope else "",
        f" · {counted(total, 'item')}",
        " · " if parts else "",
        *parts,
        "\n",
        tail,
    )
