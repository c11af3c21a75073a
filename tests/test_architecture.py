"""The package map holds: imports flow one way, with no circle (CONTRIBUTING.md, "The package map").

Every import in ``followaudit/`` counts, wherever it stands: at the top of a
module, inside a function (the lazy imports that keep start-up fast) or under
``TYPE_CHECKING``. A module may import from its own layer or a lower one;
within a layer, no two modules may import each other, however indirectly.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "followaudit"

# Lowest first. A module's layer is that of its subpackage, or its own name at the top.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "filesystem"),
    ("accounts", "handles"),
    ("formats",),
    ("model",),
    ("analysis",),
    ("live",),
    ("outputs",),
    ("cli",),
    ("api", "__init__", "__main__"),
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
# At most this many entries at the top of followaudit/ besides subpackages (issue 15).
MAX_TOP_ENTRIES = 8


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def layer(module: str) -> int:
    parts = module.split(".")
    if parts == ["followaudit"]:
        return RANK["__init__"]
    return RANK[parts[1]]


def imported(module: str, tree: ast.AST) -> set[str]:
    """Return the followaudit modules ``tree`` imports, wherever the import stands."""
    found: set[str] = set()
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("followaudit."))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            if not source.startswith("followaudit"):
                continue
            for alias in node.names:
                if f"{source}.{alias.name}" in MODULES:
                    found.add(f"{source}.{alias.name}")
                elif source != "followaudit":  # `from followaudit import __version__`
                    found.add(source)
    found.discard(module)
    return {m for m in found if m in MODULES}


GRAPH = {m: imported(m, ast.parse(p.read_text(encoding="utf-8"))) for m, p in MODULES.items()}


def test_every_module_has_a_layer() -> None:
    assert all(layer(m) >= 0 for m in MODULES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_from_a_higher_layer(module: str) -> None:
    upward = sorted(m for m in GRAPH[module] if layer(m) > layer(module))
    assert upward == [], f"{module} (layer {layer(module)}) imports a higher layer: {upward}"


def test_no_circles() -> None:
    # Tarjan's strongly connected components: any component of two or more is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in GRAPH[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    # A package's __init__ importing its own modules, which import siblings, is no circle
    # unless a module imports the __init__ back; that is what this catches.
    assert circles == []


def test_the_top_of_the_package_stays_small() -> None:
    entries = [
        p.name
        for p in PACKAGE.iterdir()
        if p.name != "__pycache__" and not (p.is_dir() and (p / "__init__.py").exists())
    ]
    assert len(entries) <= MAX_TOP_ENTRIES, sorted(entries)


def test_the_map_in_contributing_names_every_subpackage() -> None:
    text = (PACKAGE.parent / "CONTRIBUTING.md").read_text(encoding="utf-8")
    subpackages = sorted(
        p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    )
    assert all(f"`{name}/`" in text for name in subpackages), subpackages
