"""Start-up time of the command line: ``sklearn-hp --help`` and each command's ``--help``.

Each run is a fresh process (``python -m sklearn_hp ...``), timed wall-clock from
start to exit. With ``--baseline REV`` the same commands of an earlier revision
of this repository (extracted with ``git archive`` into a temporary folder and
put first on ``PYTHONPATH``) alternate with the current code in one loop, and
the ratio baseline / current is printed. The load average is printed before and
after; ``python -X importtime`` names the modules that cost the most to import.

Usage::

    python benchmarks/bench_cli_startup.py [--repeats 7] [--baseline REV] [--out FILE]
"""

import argparse
import atexit
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import markdown_table, write_result

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {"bench_cli_startup.md": "--repeats 5 --baseline cad3078"}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~1 min; ~2 min with --baseline"

ROOT = Path(__file__).resolve().parents[1]

COMMANDS = {
    "sklearn-hp --help": ["--help"],
    "sklearn-hp tune --help": ["tune", "--help"],
    "sklearn-hp inspect --help": ["inspect", "--help"],
    "sklearn-hp diagnose --help": ["diagnose", "--help"],
}


def load_average():
    """The 1-, 5- and 15-minute load averages as text."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


@functools.cache
def _neutral_folder():
    """Where processes start: an empty folder, removed at exit.

    ``-m`` and ``-c`` put the working folder first on ``sys.path``; starting in an
    empty one makes them find the code under test, not a checkout.
    """
    folder = tempfile.mkdtemp(prefix="bench-cli-startup-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _env(pythonpath):
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = str(pythonpath)
    return env


def _run(command, pythonpath):
    return subprocess.run(command, env=_env(pythonpath), cwd=pythonpath or _neutral_folder(),
                          capture_output=True, text=True, timeout=300)


def time_command(args, pythonpath=None):
    """Wall time of one ``python -m sklearn_hp ARGS`` process, in seconds."""
    start = time.perf_counter()
    done = _run([sys.executable, "-m", "sklearn_hp", *args], pythonpath)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{args} failed: {done.stderr}")
    return elapsed


def top_importers(code, pythonpath=None, n=8):
    """``[(cumulative ms, module)]`` of the ``n`` costliest top-level imports of ``code``.

    Only modules imported directly by ``code`` or by sklearn_hp are listed, so the
    rows name who pulls a heavy package in rather than its own submodules.
    """
    done = _run([sys.executable, "-X", "importtime", "-c", code], pythonpath)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        try:
            micros = int(cumulative)
        except ValueError:  # the header line
            continue
        depth = (len(name) - len(name.lstrip())) // 2
        if depth <= 1 or name.strip().startswith("sklearn_hp"):
            rows.append((micros / 1000, name.strip()))
    rows.sort(reverse=True)
    return rows[:n]


def package_folder(pythonpath=None):
    """The folder of the ``sklearn_hp`` a process started like the timed ones imports."""
    done = _run([sys.executable, "-c", "import sklearn_hp; print(sklearn_hp.__file__)"],
                pythonpath)
    return str(Path(done.stdout.strip()).parent)


def _extract(rev, folder):
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "sklearn_hp"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--baseline", metavar="REV",
                        help="a git revision whose start-up alternates with the current code")
    parser.add_argument("--out", default="bench_cli_startup.md",
                        help="file name under benchmarks/results/")
    args = parser.parse_args(argv)

    before = load_average()
    with tempfile.TemporaryDirectory() as folder:
        versions = {"current": None}
        if args.baseline:
            _extract(args.baseline, folder)
            versions[f"baseline {args.baseline}"] = folder
        packages = {v: package_folder(p) for v, p in versions.items()}
        times = {(v, c): [] for v in versions for c in COMMANDS}
        for _ in range(args.repeats):  # alternate: the load drifts alike for every version
            for command, words in COMMANDS.items():
                for version, path in versions.items():
                    times[version, command].append(time_command(words, path))
        importers = {v: top_importers("import sklearn_hp.cli", p) for v, p in versions.items()}
        tune_importers = top_importers(
            "import contextlib, io\nfrom sklearn_hp.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    main(['tune', '--help'])")
    after = load_average()

    rows = []
    for (version, command), values in times.items():
        rows.append([command, version, f"{statistics.median(values):.3f} s",
                     f"{min(values):.3f}-{max(values):.3f} s"])
    lines = [
        "# Start-up time of the command line",
        "",
        f"{args.repeats} runs of each command alternating, one process per run, wall time; "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; load average (1, 5, 15 min) "
        f"{before} before and {after} after.",
        "",
        markdown_table(["command", "code", "median", "range"], rows),
        "",
        "Code run: " + "; ".join(f"{v} from `{p}`" for v, p in packages.items()) + ".",
    ]
    if args.baseline:
        lines.append("")
        for command in COMMANDS:
            ratios = [b / c for b, c in zip(times[f"baseline {args.baseline}", command],
                                            times["current", command])]
            lines.append(f"- `{command}`: baseline / current median "
                         f"{statistics.median(ratios):.1f}x (range {min(ratios):.1f}-"
                         f"{max(ratios):.1f}x, per round)")
    for version, rows_ in importers.items():
        lines += ["", f"Costliest imports of `import sklearn_hp.cli` ({version}, "
                      "cumulative, `python -X importtime`):", "",
                  markdown_table(["module", "ms"], [[m, f"{ms:.0f}"] for ms, m in rows_])]
    lines += ["", "Costliest imports of `sklearn-hp tune --help` (current):", "",
              markdown_table(["module", "ms"], [[m, f"{ms:.0f}"] for ms, m in tune_importers])]
    write_result(args.out, "\n".join(lines))


if __name__ == "__main__":
    main()
