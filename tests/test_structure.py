"""Guards of the layout: which room imports which, no import cycles, no emulator in the product, small files.

The import graph is read from the source (every `import`, including those under TYPE_CHECKING and inside
functions), so a cycle or a wrong arrow is caught even when it would only show at run time.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "dozor",
    "bots",
    "emulators",
    "moderation",
    "monitor",
    "models",
    "rules",
    "evaluation",
    "benchmarks",
    "web",
)
PRODUCT = ("dozor", "bots", "moderation", "monitor", "models", "rules", "evaluation", "web")
TRANSPORT_AND_STORAGE = ("aiogram", "vk_api", "apscheduler", "sqlmodel", "sqlalchemy", "alembic", "aiohttp",
                         "requests")  # fmt: skip
#: For each room, the project's rooms it must never import (a wrong arrow or an arrow back up).
NEVER_IMPORTS: dict[str, tuple[str, ...]] = {
    "rules": (
        "dozor",
        "bots",
        "emulators",
        "moderation",
        "monitor",
        "models",
        "evaluation",
        "benchmarks",
        "web",
    ),
    "moderation": ("dozor", "bots", "emulators", "monitor", "models", "evaluation", "benchmarks", "web"),
    "models": ("dozor", "bots", "emulators", "monitor", "evaluation", "benchmarks", "web"),
    "monitor": ("dozor", "bots", "emulators", "evaluation", "benchmarks", "web"),
    "bots": ("dozor", "emulators", "evaluation", "benchmarks", "web"),
    "evaluation": ("dozor", "bots", "emulators", "monitor", "models", "benchmarks", "web"),
    "emulators": ("dozor", "bots", "evaluation", "benchmarks", "web"),
    # the console sits beside dozor/: it reads models, monitor and the moderation core; only dozor imports it
    "web": ("dozor", "bots", "emulators", "evaluation", "benchmarks"),
    "dozor": ("benchmarks",),
}
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in (*PACKAGES, "tests") for p in (ROOT / pkg).rglob("*.py")}


def _imported(path: Path) -> set[str]:
    """Every absolute module name this file imports, with `from pkg import name` also as `pkg.name`."""
    module = _module_name(path)
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if path.name == "__init__.py" else base[:-1]
                base = base[: len(base) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            names.add(source)
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return names


@cache
def _graph() -> dict[str, frozenset[str]]:
    modules = _modules()
    return {
        name: frozenset(dep for dep in _imported(path) if dep in modules and dep != name)
        for name, path in modules.items()
    }


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_moderation_imports_no_transport_or_storage() -> None:
    offenders = {
        name: sorted({i.split(".")[0] for i in _imported(path)} & set(TRANSPORT_AND_STORAGE))
        for name, path in _modules().items()
        if _in(name, "moderation") or _in(name, "rules")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_core_never_imports_the_daemon_side() -> None:
    core = [n for n in _graph() if _in(n, "moderation") and not _in(n, "moderation.daemon")]
    offenders = {n: sorted(d for d in _graph()[n] if _in(d, "moderation.daemon")) for n in core}
    assert {k: v for k, v in offenders.items() if v} == {}


@pytest.mark.parametrize("room", sorted(NEVER_IMPORTS))
def test_rooms_import_only_downwards(room: str) -> None:
    offenders = {
        name: sorted(d for d in deps if any(_in(d, other) for other in NEVER_IMPORTS[room]))
        for name, deps in _graph().items()
        if _in(name, room)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_demonstration_imports_the_emulators() -> None:
    offenders = {
        name: sorted(d for d in deps if _in(d, "emulators"))
        for name, deps in _graph().items()
        if any(_in(name, pkg) for pkg in PRODUCT) and not _in(name, "dozor.demo")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert not list((ROOT / "bots").rglob("emulator*"))


def _cycles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for dep in graph[node]:
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset({"a"})}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": frozenset({"b"}), "b": frozenset()}) == []


def test_the_graph_resolves_relative_and_submodule_imports() -> None:
    graph = _graph()
    assert "moderation.types" in graph["moderation.daemon.ports"]
    assert "emulators.vk.api" in graph["emulators.vk.server"]  # `from emulators.vk import api`


def test_no_module_over_the_line_limit() -> None:
    long = {
        name: n
        for name, path in _modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_every_package_says_what_it_holds_and_may_import() -> None:
    for pkg in PACKAGES:
        for init in (ROOT / pkg).rglob("__init__.py"):
            if "migrations" in init.parts:
                continue
            doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
            assert doc and len(doc.splitlines()) >= 2, init


def test_no_pickle_loading_in_the_product() -> None:
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert "pickle.load" not in text and "joblib.load" not in text, path
