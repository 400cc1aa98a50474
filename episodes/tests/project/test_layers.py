"""The episodes package keeps its layers: no import circle, no import upwards, no import hidden in a function.

The layers (README, "A map of the code"), each importing only from the ones below it:

1. the file format: ``format/``, ``progress.py`` and ``results.py``, pure (no database, settings or requests);
2. the rows and the outside systems: ``models/``, ``documents/``, ``search_index.py``, ``change_stamps.py``,
   ``listening.py``, ``llm.py``;
3. reads and writes: ``selectors/`` and ``public/`` read, ``services/`` write; ``search.py`` reads.
   Public pages never call services, services never build public pages (nor admin ones), and selectors
   never call services;
4. the adapters: admin pages, views, URLs, commands, tasks, resources, template tags, context processors.

The imports are read with :mod:`ast`, not run. An import inside a function (or a class) is allowed only
for a heavy optional library, saying so: ``# noqa: PLC0415 - <why>``; a module of the package is never
imported that way (two modules that need each other are missing a third, lower one).
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "episodes"
ROOT = Path(__file__).resolve().parents[3]  # the project: episodes/tests/project/test_layers.py

# Each part of the package (a module, or a package and everything in it) and its layer.
LAYERS = {
    "format": 1,
    "progress": 1,
    "results": 1,  # the one result vocabulary (statuses, a per-file result): pure, for every layer above
    "models": 2,
    "documents": 2,  # documents/images.py too: Pillow reads and writes pictures (format-free I/O)
    "search_index": 2,
    "change_stamps": 2,
    "listening": 2,
    "llm": 2,
    "selectors": 3,
    "services": 3,
    "public": 3,
    "search": 3,
    "admin": 4,
    "views": 4,
    "urls": 4,
    "management": 4,
    "tasks": 4,
    "resources": 4,
    "templatetags": 4,
    "context_processors": 4,
    "images": 4,
    "apps": 4,
}
# Imports that the layers allow but the roles do not: (importer, imported).
FORBIDDEN = [
    ("public", "services"),
    ("services", "public"),
    ("services", "admin"),
    ("selectors", "services"),
]
# Pure layers: their modules reach no database, settings or requests.
PURE = {1: ("django.db", "django.conf", "django.http", "django.contrib")}
# Known debts, each with its reason: (module, library) pairs that PURE would refuse.
IMPURE_KNOWN: dict[tuple[str, str], str] = {}
NOT_SCANNED = ("tests", "migrations")
REASONED = re.compile(r"#\s*noqa:[^#]*\bPLC0415\b[^#]*?\s-\s+\S")


@dataclass(frozen=True)
class Import:
    """One module of the package imported by another: where, and whether at the module's top level."""

    importer: str
    target: str
    line: int
    top_level: bool
    reason: bool  # the line says why the import is inside a function (``# noqa: PLC0415 - why``)


def modules(root: Path, package: str = PACKAGE) -> dict[str, Path]:
    """Return the package's modules by dotted name (a package by its own name), tests and migrations aside."""
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if any(part in NOT_SCANNED for part in parts):
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _targets(node: ast.AST, importer: str, is_package: bool, known: dict) -> list[str]:
    """Return the dotted names ``node`` imports: a module where the name is one, else what holds the name."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = importer.split(".")
        base = base[: len(base) - node.level + (1 if is_package else 0)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    return [f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source for alias in node.names]


def _known(name: str, known: dict) -> str | None:
    """Return the module of the package that ``name`` is, or is in (``episodes.models.Episode``), if any."""
    while name not in known and "." in name:
        name = name.rsplit(".", 1)[0]
    return name if name in known else None


def _nested(tree: ast.Module) -> set[int]:
    """Return the ids of the import statements inside a function or a class."""
    inside = set()
    for scope in ast.walk(tree):
        if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            inside |= {id(node) for node in ast.walk(scope) if isinstance(node, ast.Import | ast.ImportFrom)}
    return inside


def read_imports(root: Path, package: str = PACKAGE) -> tuple[dict[str, Path], list[Import], dict[str, list]]:
    """Return the package's modules, its imports of its own modules, and each module's other libraries."""
    known = modules(root, package)
    found, libraries = [], {}
    for name, path in known.items():
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        tree = ast.parse(text, filename=str(path))
        nested = _nested(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            reason = any(REASONED.search(line) for line in lines[node.lineno - 1 : node.end_lineno])
            for target in _targets(node, name, path.name == "__init__.py", known):
                module = _known(target, known)
                if module is None:
                    libraries.setdefault(name, []).append((target, node.lineno, id(node) not in nested, reason))
                elif module != name:
                    found.append(Import(name, module, node.lineno, id(node) not in nested, reason))
    return known, found, libraries


def graph(found: list[Import]) -> dict[str, set[str]]:
    """Return who imports whom: each importer's set of imported modules."""
    edges: dict[str, set[str]] = {}
    for item in found:
        edges.setdefault(item.importer, set()).add(item.target)
        edges.setdefault(item.target, set())
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Return the import circles: each group of modules that reach each other (Tarjan's components)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def part(module: str, package: str = PACKAGE) -> str:
    """Return the part of the package a module belongs to: ``episodes.services.site.pull`` is ``services``."""
    rest = module[len(package) + 1 :] if module.startswith(package + ".") else ""
    return rest.split(".", 1)[0]


def unplaced(known: dict[str, Path], layers: dict[str, int], package: str = PACKAGE) -> list[str]:
    """Return the modules of the package that no layer holds (the package itself aside)."""
    return [name for name in known if name != package and part(name, package) not in layers]


def upward(found: list[Import], layers: dict[str, int], package: str = PACKAGE) -> list[str]:
    """Return each import of a module from a higher layer, as 'importer (layer) -> imported (layer): line'."""
    wrong = []
    for item in found:
        low, high = layers.get(part(item.importer, package)), layers.get(part(item.target, package))
        if low is not None and high is not None and high > low:
            wrong.append(f"{item.importer} ({low}) -> {item.target} ({high}): line {item.line}")
    return sorted(set(wrong))


def forbidden(found: list[Import], pairs: list[tuple[str, str]], package: str = PACKAGE) -> list[str]:
    """Return each import that ``pairs`` (importer part, imported part) rule out."""
    wrong = {
        f"{item.importer} -> {item.target}: line {item.line}"
        for item in found
        if (part(item.importer, package), part(item.target, package)) in pairs
    }
    return sorted(wrong)


def hidden(found: list[Import], libraries: dict[str, list]) -> list[str]:
    """Return the imports inside a function: every one of a module of the package, and unreasoned others."""
    wrong = [f"{item.importer}:{item.line} imports {item.target}" for item in found if not item.top_level]
    for importer, imported in libraries.items():
        wrong += [
            f"{importer}:{line} imports {target} without '# noqa: PLC0415 - why'"
            for target, line, top_level, reason in imported
            if not top_level and not reason
        ]
    return sorted(set(wrong))


def impure(
    libraries: dict[str, list], layers: dict[str, int], pure: dict, package: str = PACKAGE, known: dict | None = None
) -> list[str]:
    """Return the imports of a library that a pure layer's module must not use (but the ``known`` ones)."""
    wrong = set()
    for importer, imported in libraries.items():
        refused = pure.get(layers.get(part(importer, package)), ())
        for target, line, _, _ in imported:
            library = next((name for name in refused if target == name or target.startswith(name + ".")), None)
            if library is not None and (importer, library) not in (known or {}):
                wrong.add(f"{importer}:{line} imports {target}")
    return sorted(wrong)


# -- the package -------------------------------------------------------------------------------------------


@functools.cache
def package_imports():
    return read_imports(ROOT)


def test_every_module_of_the_package_has_a_layer():
    known, _, _ = package_imports()
    assert len(known) > 50  # the package was read
    assert unplaced(known, LAYERS) == []


def test_no_import_circle():
    _, found, _ = package_imports()
    assert cycles(graph(found)) == []


def test_no_import_runs_up_the_layers():
    _, found, _ = package_imports()
    assert upward(found, LAYERS) == []


def test_public_pages_selectors_and_services_keep_to_their_roles():
    _, found, _ = package_imports()
    assert forbidden(found, FORBIDDEN) == []


def test_no_import_is_hidden_in_a_function_but_heavy_optional_libraries_saying_why():
    _, found, libraries = package_imports()
    assert hidden(found, libraries) == []


def test_the_file_format_reaches_no_database_settings_or_requests():
    _, _, libraries = package_imports()
    assert impure(libraries, LAYERS, PURE, known=IMPURE_KNOWN) == []


# -- the checks themselves, on a small made-up package ---------------------------------------------------------

FAKE = {
    "__init__.py": "",
    "format/__init__.py": "",
    "format/pure.py": "import re\nfrom django.db import models\nfrom django.utils.html import escape\n",
    "format/low.py": "from ..services import a\n",
    "services/__init__.py": "from .a import thing\n",
    "services/a.py": "from . import b\nthing = 1\n",
    "services/b.py": "from .c import other\n",
    "services/c.py": "from .a import thing\nother = 2\n",
    "services/lazy.py": (
        "def f():\n"
        "    from . import b\n"
        "    import json\n"
        "    import docx  # noqa: PLC0415 - python-docx loads only for Word\n"
    ),
    "public/__init__.py": "",
    "public/page.py": "from ..services.lazy import f\nfrom ..format import pure\n",
    "stray.py": "",
}
FAKE_LAYERS = {"format": 1, "services": 3, "public": 3}


def fake_package(tmp_path: Path) -> tuple[dict, list[Import], dict]:
    for name, text in FAKE.items():
        path = tmp_path / "fake" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return read_imports(tmp_path, "fake")


def test_a_planted_circle_is_found(tmp_path):
    _, found, _ = fake_package(tmp_path)
    # a -> b -> c -> a, and the package re-exporting a: the circle is a, b and c only.
    assert cycles(graph(found)) == [["fake.services.a", "fake.services.b", "fake.services.c"]]
    assert cycles({"x": {"y"}, "y": {"z"}, "z": set()}) == []
    assert cycles({"x": {"y"}, "y": {"x"}}) == [["x", "y"]]


def test_an_import_up_the_layers_an_unplaced_module_and_a_forbidden_pair_are_found(tmp_path):
    known, found, libraries = fake_package(tmp_path)
    assert upward(found, FAKE_LAYERS, "fake") == ["fake.format.low (1) -> fake.services.a (3): line 1"]
    assert unplaced(known, FAKE_LAYERS, "fake") == ["fake.stray"]
    assert forbidden(found, [("public", "services")], "fake") == ["fake.public.page -> fake.services.lazy: line 1"]
    assert impure(libraries, FAKE_LAYERS, {1: ("django.db",)}, "fake") == ["fake.format.pure:2 imports django.db"]
    assert (
        impure(libraries, FAKE_LAYERS, {1: ("django.db",)}, "fake", known={("fake.format.pure", "django.db"): ""}) == []
    )


def test_an_import_hidden_in_a_function_is_found_unless_it_says_why_for_a_library(tmp_path):
    _, found, libraries = fake_package(tmp_path)
    assert hidden(found, libraries) == [
        "fake.services.lazy:2 imports fake.services.b",
        "fake.services.lazy:3 imports json without '# noqa: PLC0415 - why'",
    ]
