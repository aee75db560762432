"""`casey trend` for people: a bar per count, per period."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.text import Text

from casey_cli.render.common import FitTable, cell
from casey_cli.schemas import Trend
from casey_cli.text import scope_name

TREND_SERIES = (("open", "green"), ("overdue", "bold red"), ("completed", "blue"))


class TrendView:
    """One row per period, a bar per count, all bars on one scale so rows compare; the bars
    take whatever width the terminal leaves."""

    def __init__(self, trend: Trend) -> None:
        self.trend = trend

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        trend = self.trend
        top = max((getattr(p, n) for p in trend.points for n, _ in TREND_SERIES), default=0)
        digits = len(str(top))
        # period (7) + as at (10) + borders and padding (16) + a count after each bar
        width = max(4, min(30, (options.max_width - 33 - 3 * (digits + 1)) // 3))
        where = scope_name(trend.borough)
        table = FitTable(title=f"{where}: items at the end of each {trend.by} (to {trend.today})")
        table.add_column("period", no_wrap=True)
        table.add_column("as at", no_wrap=True)
        for name, _ in TREND_SERIES:
            table.add_column(name, no_wrap=True)
        for p in trend.points:
            cells = []
            for name, style in TREND_SERIES:
                value = getattr(p, name)
                # A count above zero always gets at least a sliver of bar.
                length = round(width * value / (top or 1)) or (1 if value else 0)
                cells.append(
                    Text.assemble(
                        ("█" * length, style),
                        " " * (width - length + 1),
                        (str(value).rjust(digits), "bold"),
                    )
                )
            table.add_row(cell(p.period), cell(p.as_at), *cells)
        yield table


def trend_view(trend: Trend) -> RenderableType:
    return TrendView(trend)
