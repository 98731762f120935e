"""The benchmark suites, found in their own files: each script that declares ``OUTPUTS``.

A suite is a ``bench_*.py`` script (named without the prefix: ``bench_mlp.py`` is
``mlp``) or a module of a package here (``bbo`` itself, ``bbo.trap``, ...). What
the listing says comes from the module: the first line of its docstring, ``OUTPUTS``
(the files it writes under ``benchmarks/results/``, each with the arguments that write
it) and ``RUN_TIME``. They are read from the source, not imported, so that listing
costs nothing and a suite's own settings (BLAS threads, say) apply when it runs.
"""

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"


def _constants(tree, names):
    """``{name: value}`` of the module-level literal assignments to ``names``."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in names:
                found[target.id] = ast.literal_eval(node.value)
    return found


@dataclass(frozen=True)
class Suite:
    """One benchmark script: its name, file, and what its source declares."""

    name: str
    path: Path
    module: str | None  # run as ``python -m module`` (a package's module), else as a file
    description: str
    outputs: dict
    run_time: str

    @classmethod
    def read(cls, name, path, module=None):
        """The suite in ``path``, or None when the file declares no ``OUTPUTS``."""
        tree = ast.parse(path.read_text())
        constants = _constants(tree, {"OUTPUTS", "RUN_TIME"})
        if "OUTPUTS" not in constants:
            return None
        doc = ast.get_docstring(tree) or ""
        return cls(name, path, module, doc.strip().splitlines()[0] if doc.strip() else "",
                   constants["OUTPUTS"], constants.get("RUN_TIME", "unknown"))

    def command(self, args=()):
        """The command line that runs this suite with ``args``."""
        target = ["-m", self.module] if self.module else [str(self.path)]
        return [sys.executable, *target, *args]


def find_suites():
    """Every suite, ``{name: Suite}``: the ``bench_*.py`` scripts, then the packages' modules."""
    found = [Suite.read(path.stem.removeprefix("bench_"), path)
             for path in sorted(HERE.glob("bench_*.py"))]
    for package in sorted(path.parent for path in HERE.glob("*/__init__.py")):
        for path in sorted(package.glob("*.py")):
            name = package.name if path.stem == "__main__" else f"{package.name}.{path.stem}"
            found.append(Suite.read(name, path, module=f"benchmarks.{name}"))
    return {suite.name: suite for suite in found if suite is not None}

