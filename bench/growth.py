"""How casey's time grows with the number of actions, from the --json of bench/run.py.

    python bench/growth.py 10k.json 100k-1m.json --markdown growth.md

Reads every size of every file given (a size in a later file replaces the same size in an
earlier one; the bundled register is left out) and writes, for status, export and load
(--commands: names of bench/run.py's commands):

- a Markdown table (to stdout, or --markdown): the median seconds at each size, how many
  times longer each step to the next size takes, and the exponent of that growth,
  log(t2 / t1) / log(n2 / n1): 1 is linear in the number of actions, 0 is flat, 2 is
  quadratic;
- a log-log chart of the same medians (--svg, default docs/images/growth.svg), with a dashed
  line of slope 1 (linear growth) to read them against. The SVG is written by hand: the
  same results give the same bytes.

Standard library only.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from xml.sax.saxutils import escape

# The commands shown by default, with what the table calls them.
DEFAULT = "status,export,load-csv"
CHART = Path(__file__).resolve().parent.parent / "docs" / "images" / "growth.svg"
LABELS = {
    "floor": 'python -c "import typer, rich.console"',
    "status": "status --borough islington",
    "status-london": "status (London)",
    "chase": "chase --borough islington",
    "export": "export --format csv",
    "load-csv": "load actions-N.csv",
    "load-yaml": "load register-N.yaml",
    "action-show": "action show A3",
    "action-update": "action update A3",
}
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")
WIDTH, HEIGHT = 720, 420
LEFT, RIGHT, TOP, BOTTOM = 70, 240, 40, 50  # margins around the plot area


def read(paths: list[Path]) -> tuple[dict[int, dict[str, float]], dict[str, str]]:
    """Median seconds by size, then by command; and the first file's machine."""
    medians: dict[int, dict[str, float]] = {}
    machine: dict[str, str] = {}
    for path in paths:
        data = json.loads(path.read_text())
        machine = machine or data.get("machine", {})
        for key, report in data["sizes"].items():
            if key.isdigit():
                medians[int(key)] = {
                    name: float(r["median"]) for name, r in report["results"].items()
                }
    return dict(sorted(medians.items())), machine


def exponent(n1: int, t1: float, n2: int, t2: float) -> float:
    return math.log(t2 / t1) / math.log(n2 / n1)


def fixed(value: float) -> str:
    """Two decimals, with no "-0.00" for a flat line that dipped by a hair."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def short(n: int) -> str:
    """10000 -> 10k, 1000000 -> 1M."""
    for div, unit in ((1_000_000, "M"), (1_000, "k")):
        if n >= div and n % div == 0:
            return f"{n // div}{unit}"
    return f"{n:,}"


def markdown(
    medians: dict[int, dict[str, float]], names: list[str], machine: dict[str, str]
) -> str:
    sizes = list(medians)
    steps = list(zip(sizes[:-1], sizes[1:], strict=True))
    head = ["command", *(f"{n:,} s" for n in sizes)]
    head += [f"x {short(a)} -> {short(b)}" for a, b in steps]
    head += [f"exponent {short(a)} -> {short(b)}" for a, b in steps]
    if len(sizes) > 2:
        head.append(f"exponent {short(sizes[0])} -> {short(sizes[-1])}")
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    for name in names:
        t = [medians[n].get(name) for n in sizes]
        cells = [f"`{LABELS.get(name, name)}`", *("-" if v is None else f"{v:.3f}" for v in t)]
        pairs = [(a, t[i], b, t[i + 1]) for i, (a, b) in enumerate(steps)]
        cells += ["-" if None in (x, y) else f"{y / x:.1f}" for _, x, _, y in pairs]
        cells += ["-" if None in (x, y) else fixed(exponent(a, x, b, y)) for a, x, b, y in pairs]
        if len(sizes) > 2:
            first, last = t[0], t[-1]
            whole = None if None in (first, last) else exponent(sizes[0], first, sizes[-1], last)
            cells.append("-" if whole is None else fixed(whole))
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Medians of whole-process runs (bench/run.py). Exponent: log(t2 / t1) / log(n2 / n1); "
        "1 is linear in the number of actions, 0 flat (the start dominates), 2 quadratic.",
    ]
    if machine:
        lines.append(
            f"Machine: {machine.get('nproc', '?')} CPUs, {machine.get('cpu', '?')}, "
            f"Python {machine.get('python', '?')}, measured {machine.get('date', '?')}."
        )
    return "\n".join(lines) + "\n"


def svg(medians: dict[int, dict[str, float]], names: list[str]) -> str:
    """A log-log chart: one line per command, decades on both axes, a slope-1 guide."""
    points = {
        name: [(n, t[name]) for n, t in medians.items() if name in t and t[name] > 0]
        for name in names
    }
    points = {name: p for name, p in points.items() if p}
    xs = [n for p in points.values() for n, _ in p]
    ys = [t for p in points.values() for _, t in p]
    if not xs:
        raise SystemExit("growth: none of the commands asked for is in these results")
    x0, x1 = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    y0, y1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(n: float) -> float:
        return LEFT + (math.log10(n) - x0) / (x1 - x0) * plot_w

    def py(t: float) -> float:
        return TOP + plot_h - (math.log10(t) - y0) / (y1 - y0) * plot_h

    def seconds(e: int) -> str:
        return f"{10.0**e:g} s"

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        "<title>casey: wall time against the number of actions (log-log)</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="22" font-size="14">'
        "casey: wall time against the number of actions (log-log)</text>",
    ]
    for e in range(x0, x1 + 1):
        x = px(10**e)
        out.append(
            f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + plot_h}" stroke="#ddd"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{short(10**e)}</text>'
        )
    for e in range(y0, y1 + 1):
        y = py(10.0**e)
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{seconds(e)}</text>')
    out.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#888"/>'
    )
    out.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 12}" text-anchor="middle">'
        "actions in the store</text>"
    )
    # The guide: time proportional to N, through the first point of the steepest series.
    start = max(points.values(), key=lambda p: p[-1][1] / p[0][1])[0]
    end_n = 10**x1
    end_t = start[1] * end_n / start[0]
    if end_t > 10**y1:  # clip at the top of the plot
        end_t, end_n = 10.0**y1, 10.0**y1 * start[0] / start[1]
    out.append(
        f'<line x1="{px(start[0]):.1f}" y1="{py(start[1]):.1f}" x2="{px(end_n):.1f}" '
        f'y2="{py(end_t):.1f}" stroke="#999" stroke-dasharray="5,4"/>'
    )
    legend = [(name, COLOURS[i % len(COLOURS)]) for i, name in enumerate(points)]
    for (_, colour), p in zip(legend, points.values(), strict=True):
        path = " ".join(f"{px(n):.1f},{py(t):.1f}" for n, t in p)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        out += [
            f'<circle cx="{px(n):.1f}" cy="{py(t):.1f}" r="3.5" fill="{colour}"/>' for n, t in p
        ]
    lx = LEFT + plot_w + 16
    for i, (name, colour) in enumerate(legend):
        y = TOP + 10 + i * 20
        out.append(
            f'<line x1="{lx}" y1="{y}" x2="{lx + 22}" y2="{y}" stroke="{colour}" stroke-width="2"/>'
        )
        out.append(f'<text x="{lx + 28}" y="{y + 4}">{escape(LABELS.get(name, name))}</text>')
    y = TOP + 10 + len(legend) * 20
    out.append(
        f'<line x1="{lx}" y1="{y}" x2="{lx + 22}" y2="{y}" stroke="#999" stroke-dasharray="5,4"/>'
    )
    out.append(f'<text x="{lx + 28}" y="{y + 4}">linear (time ∝ N)</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, nargs="+", help="--json files of bench/run.py")
    parser.add_argument(
        "--commands",
        default=DEFAULT,
        help=f"bench/run.py command names, comma-separated (default {DEFAULT})",
    )
    parser.add_argument("--markdown", type=Path, default=None, help="write the table here")
    parser.add_argument(
        "--svg",
        default=str(CHART),
        help="write the chart here (default docs/images/growth.svg; '' for none)",
    )
    args = parser.parse_args()
    medians, machine = read(args.results)
    if len(medians) < 2:
        raise SystemExit(f"growth: needs at least two sizes; found {list(medians) or 'none'}")
    names = args.commands.split(",")
    table = markdown(medians, names, machine)
    if args.markdown:
        args.markdown.write_text(table, encoding="utf-8")
    else:
        print(table, end="")
    if args.svg:
        chart = Path(args.svg)
        chart.parent.mkdir(parents=True, exist_ok=True)
        chart.write_text(svg(medians, names), encoding="utf-8")


if __name__ == "__main__":
    main()
