"""The import layering of docs/architecture.md is the package's.

Every ``import`` of the package is read with ``ast`` (at module level and inside
functions, relative and absolute), each module is put on the floor of its folder
as the document's table gives it, and the tests check that no import runs up a
floor and that no packages, and no modules of one package, import each other in
a circle. Failures name the import (file:line).
"""

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
#: Folders whose modules import other folders only by their public names.
FRONT = ("cli", "plotting")


class Import:
    """One import of a package module: who, what, where."""

    def __init__(self, source, target, names, where):
        self.source, self.target, self.names, self.where = source, target, names, where

    def __repr__(self):
        return f"{self.where} imports {self.target}"


def package_modules(package_dir):
    """``{dotted name: path}`` of every module under ``package_dir``."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _imported(node, package):
    """``(module, names)`` pairs an Import or ImportFrom node names, made absolute."""
    if isinstance(node, ast.Import):
        return [(alias.name, ()) for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
        base = f"{anchor}.{base}" if base else anchor
    return [(base, tuple(alias.name for alias in node.names))]


def import_graph(package_dir):
    """Every import between modules of the package under ``package_dir``.

    Returns
    -------
    list of Import
        ``from pkg import sub`` counts as an import of the module ``pkg.sub``
        when there is one; a name inside a module counts as that module.
    """
    modules = package_modules(package_dir)
    imports = []
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            where = f"{path.relative_to(package_dir.parent)}:{node.lineno}"
            for base, names in _imported(node, package):
                subs = [f"{base}.{n}" for n in names if f"{base}.{n}" in modules]
                others = tuple(n for n in names if f"{base}.{n}" not in modules)
                targets = [(s, ()) for s in subs] + ([(base, others)] if others or not names
                                                     else [])
                for target, taken in targets:
                    while target and target not in modules:
                        target = target.rpartition(".")[0]
                    if target and target != name:
                        imports.append(Import(name, target, taken, where))
    return imports


def folder(module):
    """The folder (subpackage or top-level module) a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def documented_floors(doc):
    """``{folder: floor}`` from the document's table rows ``| 3 | `a`, `b` | ... |``."""
    floors = {}
    for line in doc.read_text().splitlines():
        row = re.match(r"\|\s*(\d+)\s*\|([^|]*)\|", line)
        for name in re.findall(r"`([^`]+)`", row.group(2)) if row else ():
            assert name not in floors, f"{doc.name} puts `{name}` on two floors"
            floors[name] = int(row.group(1))
    return floors


def upward_imports(imports, floors):
    """The imports of a folder from a folder on a higher floor."""
    return [f"{i!r}: {folder(i.source)} (floor {floors[folder(i.source)]}) -> "
            f"{folder(i.target)} (floor {floors[folder(i.target)]})"
            for i in imports if floors[folder(i.source)] < floors[folder(i.target)]]


def circles(edges):
    """Circles of the directed graph ``{(a, b): Import}``, each as the imports that
    close it (a node on a circle already found starts no other)."""
    successors = defaultdict(set)
    for a, b in edges:
        successors[a].add(b)
    found, done = [], set()
    for start in sorted(successors):
        if start in done:
            continue
        path = _path_back(start, successors)
        if path:
            found.append([edges[a, b] for a, b in zip(path, path[1:])])
            done.update(path)
    return found


def _path_back(start, successors):
    """The shortest path from ``start`` back to itself (``None`` if there is none)."""
    previous, frontier = {}, [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(successors[node]):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start] if node != start else None
                if nxt not in previous:
                    previous[nxt] = node
                    following.append(nxt)
        frontier = following
    return None


def folder_circles(imports):
    """Circles between folders: the first import of each folder pair stands for it."""
    edges = {}
    for i in imports:
        if folder(i.source) != folder(i.target):
            edges.setdefault((folder(i.source), folder(i.target)), i)
    return circles(edges)


def module_circles(imports):
    """Circles between modules of one folder."""
    edges = {(i.source, i.target): i for i in imports
             if folder(i.source) == folder(i.target)}
    return circles(edges)


def private_imports(imports, front=FRONT):
    """Imports by the ``front`` folders of another folder's private module or name."""
    found = []
    for i in imports:
        if folder(i.source) not in front or folder(i.source) == folder(i.target):
            continue
        inside = i.target.split(".")[2:]
        hidden = [p for p in inside if p.startswith("_")] + [
            n for n in i.names if n.startswith("_")]
        if hidden:
            found.append(f"{i!r} (private: {', '.join(hidden)})")
    return found


# ------------------------------------------------------------------------- the package
IMPORTS = import_graph(ROOT / "sklearn_hp")
FLOORS = documented_floors(DOC)


def test_the_document_puts_every_folder_on_one_floor():
    folders = {folder(m) for m in package_modules(ROOT / "sklearn_hp")}
    assert set(FLOORS) == folders, (
        f"docs/architecture.md's table misses {sorted(folders - set(FLOORS))} and names "
        f"{sorted(set(FLOORS) - folders)}, which the package does not have")


def test_no_import_runs_up_a_floor():
    upward = upward_imports(IMPORTS, FLOORS)
    assert not upward, "imports from a higher floor:\n" + "\n".join(upward)


def test_no_circle_between_folders():
    found = folder_circles(IMPORTS)
    assert not found, "folders importing each other:\n" + "\n".join(map(repr, found))


def test_no_circle_between_modules_of_a_folder():
    found = module_circles(IMPORTS)
    assert not found, "modules importing each other:\n" + "\n".join(map(repr, found))


def test_cli_and_plotting_use_only_public_names_of_other_folders():
    found = private_imports(IMPORTS)
    assert not found, "private imports:\n" + "\n".join(found)


# ------------------------------------------------------------------ the checks themselves
def _write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.fixture
def toy(tmp_path):
    """A package ``toy`` with floors 0 (``low``, ``_util``) and 1 (``high``)."""
    _write(tmp_path, {
        "toy/__init__.py": "",
        "toy/_util.py": "import os\n",
        "toy/low/__init__.py": "from ._a import f\n",
        "toy/low/_a.py": "def f():\n    from ..high import g\n    return g\n",
        "toy/low/_b.py": "from . import _a\nfrom toy.low import _c\n",
        "toy/low/_c.py": "from ._b import x\n",
        "toy/high/__init__.py": "from .. import low\nfrom ..low._a import f, _h\n"
                                "from .._util import y\nimport toy.low._b\n",
        "doc.md": "| floor | folders |\n|---|---|\n| 0 | `low`, `_util` |\n| 1 | `high` |\n",
    })
    return import_graph(tmp_path / "toy"), documented_floors(tmp_path / "doc.md")


def test_the_graph_holds_function_relative_and_absolute_imports(toy):
    imports, floors = toy
    assert floors == {"low": 0, "_util": 0, "high": 1}
    assert sorted((i.source, i.target, i.where) for i in imports) == [
        ("toy.high", "toy._util", "toy/high/__init__.py:3"),
        ("toy.high", "toy.low", "toy/high/__init__.py:1"),
        ("toy.high", "toy.low._a", "toy/high/__init__.py:2"),
        ("toy.high", "toy.low._b", "toy/high/__init__.py:4"),
        ("toy.low", "toy.low._a", "toy/low/__init__.py:1"),
        ("toy.low._a", "toy.high", "toy/low/_a.py:2"),
        ("toy.low._b", "toy.low._a", "toy/low/_b.py:1"),
        ("toy.low._b", "toy.low._c", "toy/low/_b.py:2"),
        ("toy.low._c", "toy.low._b", "toy/low/_c.py:1"),
    ]


def test_each_check_names_the_offending_import(toy):
    imports, floors = toy
    assert upward_imports(imports, floors) == [
        "toy/low/_a.py:2 imports toy.high: low (floor 0) -> high (floor 1)"]
    assert [[i.where for i in c] for c in folder_circles(imports)] == [
        ["toy/high/__init__.py:1", "toy/low/_a.py:2"]]
    assert [[i.where for i in c] for c in module_circles(imports)] == [
        ["toy/low/_b.py:2", "toy/low/_c.py:1"]]
    assert private_imports(imports, front=("high",)) == [
        "toy/high/__init__.py:2 imports toy.low._a (private: _a, _h)",
        "toy/high/__init__.py:4 imports toy.low._b (private: _b)"]
