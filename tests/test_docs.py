"""Help and docs are part of the product: every command has help, an example and a README
mention; the README's quick start and CI run the same test command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from casey_cli.cli import app

pytestmark = pytest.mark.sqlite_only(reason="help and docs: no store, nothing to run twice")

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def walk(group: typer.Typer, prefix: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    for info in group.registered_commands:
        yield prefix + (info.name or info.callback.__name__,), info.callback
    for sub in group.registered_groups:
        yield from walk(sub.typer_instance, prefix + (sub.name,))


COMMANDS = list(walk(app))


def test_the_command_tree_matches_the_spec():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {
        "init",
        "status",
        "history",
        "action add",
        "action update",
        "action done",
        "action verify",
        "action reschedule",
        "action show",
        "action list",
        "rec list",
        "rec show",
        "rec update",
        "meeting add",
        "meeting list",
        "source list",
        "borough list",
    } <= names


def test_every_command_has_help_with_an_example_and_a_readme_mention(casey):
    for path, callback in COMMANDS:
        doc = (callback.__doc__ or "").strip()
        assert doc, f"casey {' '.join(path)} has no help"
        assert "Example: casey" in doc, f"casey {' '.join(path)} has no example"
        assert f"casey {' '.join(path)}" in README, f"README never mentions casey {' '.join(path)}"
        result = casey(*path, "--help")
        assert "Usage:" in result.stdout


def test_every_option_has_help():
    from typer.main import get_command

    def walk_click(command, path=()):  # type: ignore[no-untyped-def]
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk_click(sub, (*path, name))

    for path, command in walk_click(get_command(app)):
        for param in command.params:
            if getattr(param, "param_type_name", "") == "option":
                assert (param.help or "").strip(), f"casey {' '.join(path)} {param.name}"


def test_root_help_and_version(casey):
    assert "borough" in casey("--help").stdout
    from casey_cli import __version__

    assert casey("--version").stdout.strip() == f"casey-cli {__version__}"


def test_readme_test_command_is_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    match = re.search(r"```sh\n(.*?)\n```", README.split("## Quick start", 1)[1], re.S)
    assert match, "README quick start block missing"
    lines = [ln for ln in match.group(1).splitlines() if ln and not ln.startswith("#")]
    assert len(lines) == 2, lines
    assert "casey status --borough islington" in lines[0]
    assert lines[1] in ci, "CI must run exactly the README's test command"


def test_help_does_not_import_the_heavy_stack():
    import subprocess
    import sys

    code = (
        "import sys; from typer.testing import CliRunner; from casey_cli.cli import app; "
        "r = CliRunner().invoke(app, ['--help']); assert r.exit_code == 0; "
        "print(','.join(m for m in ('sqlmodel', 'sqlalchemy', 'pydantic', 'alembic', "
        "'yaml', 'openpyxl') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == ""


def test_the_command_reference_is_what_help_prints():
    """docs/reference.md is generated from the app by cog; regenerate it, never edit it."""
    from cogapp import Cog

    status = Cog().main(["cog", "--check", str(ROOT / "docs" / "reference.md")])
    assert status == 0, "docs/reference.md differs from --help: run cog -r docs/reference.md"


PAGES = [ROOT / name for name in ("README.md", "CONTRIBUTING.md", "CHANGELOG.md")] + sorted(
    (ROOT / "docs").rglob("*.md")
)
LINK = re.compile(r"(?<!!)\[[^\]\n]*\]\(([^)\s]+)\)|!\[[^\]\n]*\]\(([^)\s]+)\)")
CODE = re.compile(r"^ *```.*?^ *```|`[^`\n]*`", re.S | re.M)


def slug(heading: str) -> str:
    """A heading's anchor as the code host makes it (MkDocs' toc makes the same for ours)."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = CODE.sub("", page.read_text(encoding="utf-8"))
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6} +(.+?) *#*$", text, re.M)}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_internal_link_resolves(page: Path):
    assert page.exists(), f"{page.relative_to(ROOT)} is missing"
    text = CODE.sub("", page.read_text(encoding="utf-8"))
    broken = []
    for match in LINK.finditer(text):
        target = match.group(1) or match.group(2)
        if re.match(r"[a-z]+:", target):
            continue  # a web address
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif page.parent.name == "docs" and ROOT / "docs" not in resolved.parents:
            broken.append(f"{target}: outside docs/, which the site is built from")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target}: no heading #{anchor}")
    assert not broken, f"{page.relative_to(ROOT)}: {broken}"
