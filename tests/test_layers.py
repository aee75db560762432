"""The architecture as a test (CONTRIBUTING.md, "Layers"): each layer imports only the layers
below it, the ORM stays in the store's creation and migration code, and only the layers for
people use Typer and Rich. Imports are read from the source, lazy ones inside functions too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only(reason="reads the source; no store")

PACKAGE = Path(__file__).resolve().parent.parent / "casey_cli"
# What each layer may import of casey_cli, lowest first. `base` is the pure core: words,
# rules, dates, errors, result types and settings.
ALLOWED = {
    "base": {"base"},
    "io": {"base", "io"},
    "render": {"base", "render"},
    "store": {"base", "store"},
    "services": {"base", "io", "store", "services"},
    "cli": {"base", "io", "render", "store", "services", "cli"},
}
# The ORM and migrations: creating, upgrading and copying a store, nowhere else.
ORM = ("sqlalchemy", "sqlmodel", "alembic")
ORM_MODULES = ("store/manage.py", "store/schema.py", "store/migrations/")
# Terminal UI libraries: for people's output only.
UI = {"typer": ("cli",), "rich": ("cli", "render")}


def layer_of(module: str) -> str:
    """The layer of a dotted casey_cli module name."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in ALLOWED:
        return parts[1]
    if parts[1:] == ["__main__"]:
        return "cli"
    return "base"


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every module `path` imports (absolute names), at any depth of its code."""
    found: set[str] = set()
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


def own_modules(names: set[str]) -> set[str]:
    """casey_cli modules among `names` (an imported name may be a module or a member)."""
    return {n for n in names if n == "casey_cli" or n.startswith("casey_cli.")}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_layer_imports_only_the_layers_below(path):
    mine = layer_of(module_name(path))
    wrong = sorted(
        name
        for name in own_modules(imports(path))
        if name != "casey_cli" and layer_of(name) not in ALLOWED[mine]
    )
    assert not wrong, f"{mine} may import only {sorted(ALLOWED[mine])}: {wrong}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_orm_stays_in_store_creation_and_migrations(path):
    relative = path.relative_to(PACKAGE).as_posix()
    if relative.startswith(ORM_MODULES):
        return
    orm = sorted(n for n in imports(path) if n.split(".")[0] in ORM)
    assert not orm, f"{relative} imports {orm}; only {ORM_MODULES} may"
    touches_schema = sorted(
        n
        for n in imports(path)
        if n.startswith("casey_cli.store.manage") or n.startswith("casey_cli.store.schema")
    )
    if touches_schema:  # reached lazily, only to create, upgrade, copy or refuse a store
        assert relative.startswith(("cli/", "store/")), (relative, touches_schema)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_layers_for_people_use_typer_and_rich(path):
    mine = layer_of(module_name(path))
    for library, layers in UI.items():
        used = sorted(n for n in imports(path) if n.split(".")[0] == library)
        assert not used or mine in layers, f"{mine} imports {used}"


def test_the_layer_map_knows_every_package():
    packages = {p.parent.relative_to(PACKAGE).parts[0] for p in SOURCES if p.parent != PACKAGE}
    assert packages <= set(ALLOWED) | {"templates"}, packages
