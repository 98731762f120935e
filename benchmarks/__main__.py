"""List the benchmark suites, or run one: ``python -m benchmarks [SUITE [ARGS...]]``.

Run from the repository root. Without a suite, lists every suite: its name, what it
measures, a rough run time and the files it writes under ``benchmarks/results/``.
With one, runs it in a fresh process with ``ARGS`` (``python -m benchmarks mlp --help``
shows the suite's own options) and exits with its status. Each suite also runs on its
own, as ``python benchmarks/bench_<suite>.py`` or ``python -m benchmarks.bbo...``.
"""

import argparse
import os
import subprocess
import sys

from ._suites import ROOT, find_suites


def describe(suites):
    """The listing: per suite its name, description, run time and results files."""
    width = max(map(len, suites))
    pad = " " * (width + 2)
    lines = ["Benchmark suites: python -m benchmarks SUITE [ARGS...] runs one "
             "(SUITE --help: its options).", ""]
    for suite in suites.values():
        lines += [f"{suite.name:<{width}}  {suite.description}",
                  f"{pad}run time: {suite.run_time}"]
        lines += [f"{pad}writes results/{name}" + (f"  ({args})" if args else "")
                  for name, args in suite.outputs.items()]
    return "\n".join(lines)


def run(suite, args):
    """Run ``suite`` with ``args`` in a fresh process; its exit status."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    try:
        return subprocess.run(suite.command(args), env=env).returncode
    except KeyboardInterrupt:
        return 130


def main(argv=None):
    suites = find_suites()
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("suite", nargs="?", choices=list(suites), metavar="SUITE",
                        help="the suite to run (none: list them): " + ", ".join(suites))
    parser.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS",
                        help="arguments passed on to the suite")
    options = parser.parse_args(argv)
    if options.suite is None:
        print(describe(suites))
        return 0
    return run(suites[options.suite], options.args)


if __name__ == "__main__":
    sys.exit(main())
