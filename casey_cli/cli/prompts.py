"""Interactive `action add` on a terminal: ask for each missing field (Rich prompts on stderr),
check each answer as it is given, show a summary and ask to confirm. Imported only when
prompting, so the non-interactive add stays on its fast path."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.columns import Columns
from rich.console import Console
from rich.prompt import Confirm, InvalidResponse, Prompt
from rich.table import Table
from rich.text import Text

from casey_cli import rules
from casey_cli.cli.context import AppContext
from casey_cli.dates import parse_date
from casey_cli.enums import Status
from casey_cli.errors import CaseyError, InvalidInput
from casey_cli.store import items, lookup
from casey_cli.text import clean_text

if TYPE_CHECKING:
    from casey_cli.store.tx import Tx

# The fields asked for, in this order; progress and evidence stay options only.
FIELDS = ("borough", "title", "owner", "due", "recommendation", "status", "note", "meeting")
NONE = "Enter for none"


class Cancelled(Exception):
    """The clerk declined the summary: nothing is written."""


class _Answer(Prompt):
    """A Rich prompt whose answer goes through one of our checks; a CaseyError's message is
    shown and the question asked again."""

    check: Callable[[str], Any] = staticmethod(lambda text: text)

    def process_response(self, value: str) -> Any:
        try:
            return self.check(value.strip())
        except CaseyError as exc:
            raise InvalidResponse(Text(str(exc), style="red")) from None


class ActionPrompts:
    """Fills in the fields of one new action; `given` holds what the command line gave."""

    def __init__(self, app: AppContext, given: dict[str, str | None]) -> None:
        self.app = app
        self.given = given
        self.err = Console(stderr=True, highlight=False)
        self.values: dict[str, str | None] = {}

    def run(self) -> dict[str, str | None]:
        """Every field: a given value is checked (and asked again if it fails), a missing one
        asked for; then the summary. Raises Cancelled, EOFError or KeyboardInterrupt."""
        for name in FIELDS:
            self.values[name] = getattr(self, "_" + name)(self.given.get(name))
        self.err.print(self._summary())
        if not Confirm.ask("Add this action?", console=self.err, default=True):
            raise Cancelled
        return self.values

    # -- one method per field: (given value or None) -> the value to write ---------------

    def _borough(self, given: str | None) -> str | None:
        if given is None:
            slugs = self._read(lambda tx: items.names(tx, "boroughs", "slug"))
            self.err.print(Text("Boroughs:", style="bold"))
            self.err.print(Columns([Text(s) for s in sorted(slugs)], padding=(0, 2)))

        def check(text: str) -> str:
            if not text:
                raise InvalidInput(
                    "a borough is needed; type its slug from the list above", field="borough"
                )
            return str(self._read(lambda r: lookup.borough_slug(r, text)))

        return self._ask("Borough", given, check)

    def _title(self, given: str | None) -> str | None:
        return self._ask("Title (what will be done)", given, _title)

    def _owner(self, given: str | None) -> str | None:
        return self._ask(
            f"Owner, a person or role ({NONE}: it will show as a gap)",
            given,
            lambda text: clean_text(text, "owner"),
            optional=True,
        )

    def _due(self, given: str | None) -> str | None:
        def check(text: str) -> str | None:
            return parse_date(text, self.app.today, field="due").isoformat() if text else None

        return self._ask(
            f"Due date (YYYY-MM-DD, DD/MM/YYYY, +2w, +1m ...; {NONE})", given, check, optional=True
        )

    def _recommendation(self, given: str | None) -> str | None:
        borough = self.values["borough"] or ""
        with self.app.store().read() as tx:
            recs = items.recommendations_for(tx, borough)
        if given is None and recs:
            table = Table(
                title=f"Recommendations an action in {borough} can answer",
                title_justify="left",
                box=None,
                padding=(0, 1),
            )
            # the refs are what the clerk types: never cut; the titles give way
            table.add_column(
                "ref", no_wrap=True, style="bold", min_width=max(len(ref) for ref, _ in recs)
            )
            table.add_column("title", overflow="ellipsis", no_wrap=True)
            for ref, title in recs:
                table.add_row(Text(ref), Text(title))
            self.err.print(table)
        refs = {ref for ref, _ in recs}

        def check(text: str) -> str | None:
            if not text:
                return None
            ref, _source = self._read(lambda r: lookup.recommendation(r, text))
            if ref not in refs:
                raise InvalidInput(
                    f"{ref} is another borough's plan; choose one listed above or leave it empty",
                    field="recommendation",
                )
            return str(ref)

        return self._ask(f"Recommendation ref ({NONE})", given, check, optional=True)

    def _status(self, given: str | None) -> str | None:
        return self._ask(
            "Status",
            given,
            rules.normalise_status,
            default=Status.NOT_STARTED.value,
            choices=[s.value for s in Status],
        )

    def _note(self, given: str | None) -> str | None:
        return self._ask(
            f"Note for the history ({NONE})",
            given,
            lambda text: clean_text(text, "note"),
            optional=True,
        )

    def _meeting(self, given: str | None) -> str | None:
        borough = self.values["borough"]
        with self.app.store().read() as tx:
            meetings = tx.meetings(borough)[-5:]
        if given is None and meetings:
            self.err.print(
                Text(
                    "Recent meetings: "
                    + "; ".join(f"{m['ref']} {m['name']} ({m['date']})" for m in meetings),
                    style="dim",
                )
            )

        def check(text: str) -> str | None:
            return str(self._read(lambda tx: tx.meeting(text)).ref) if text else None

        return self._ask(f"Meeting that agreed it, e.g. M3 ({NONE})", given, check, optional=True)

    # -- helpers ------------------------------------------------------------------------

    def _read(self, look: "Callable[[Tx], Any]") -> Any:
        with self.app.store().read() as tx:
            return look(tx)

    def _ask(
        self,
        question: str,
        given: str | None,
        check: Callable[[str], str | None],
        *,
        optional: bool = False,
        default: str | None = None,
        choices: list[str] | None = None,
    ) -> str | None:
        """A given value that passes its check is kept without asking; one that fails is
        reported and asked for again."""
        if given is not None:
            try:
                return check(given.strip())
            except CaseyError as exc:
                self.err.print(Text(str(exc), style="red"))
        prompt = _Answer(
            Text(question), console=self.err, choices=choices, show_default=default is not None
        )
        prompt.check = check
        if default is None and not optional:
            return prompt()  # no default: an empty answer goes through the check
        answer: str | None = prompt(default=default)  # Enter gives the default (or none)
        return answer

    def _summary(self) -> Table:
        grid = Table(title="New action", title_justify="left", show_header=False)
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for name in FIELDS:
            value = self.values.get(name)
            grid.add_row(name, Text(value) if value else Text("(none)", style="dim"))
        for name in ("progress", "evidence"):
            if self.given.get(name):
                grid.add_row(name, Text(str(self.given[name])))
        return grid


def _title(text: str) -> str:
    title = clean_text(text, "title")
    if not title:
        raise InvalidInput("the title is empty; type what will be done", field="title")
    return title
