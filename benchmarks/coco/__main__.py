"""Run the COCO suite incrementally and write its report.

Every finished run is appended to ``benchmarks/results/coco/cache.jsonl`` (one
JSON line, keyed by suite, function, dim, instance, method, seed and budget), so
a run can be stopped at any time and resumed by the same command; only missing
runs are computed. The report ``benchmarks/results/coco.md`` is regenerated from
the cache alone. Examples::

    nice -n 19 python -m benchmarks.coco --dims 2 5 --seeds 0
    nice -n 19 python -m benchmarks.coco --suite bbob-mixint --dims 5 10
    python -m benchmarks.coco --report-only
"""

import sys

from .._common import RESULTS
from ..bbo.__main__ import code_hash
from .cli import parser_for, run_and_report
from .problems import DIMENSIONS, FUNCTIONS, INSTANCES
from .report import render
from .run import open_cache, run_all

CACHE = RESULTS / "coco" / "cache.jsonl"
REPORT = RESULTS / "coco.md"
#: Results files this suite writes (under benchmarks/results/), and the arguments that write each.
OUTPUTS = {"coco/cache.jsonl": "--dims 2 5 --seeds 0 (so far)", "coco.md": "--report-only"}
#: Rough run time on the project's 2-core machine.
RUN_TIME = ("days for every cell (skopt and Optuna's GP take minutes per run); "
            "--report-only 1 s")


def parse(argv):
    parser = parser_for("python -m benchmarks.coco", __doc__, CACHE, REPORT, seeds=[0])
    parser.add_argument("--suite", choices=sorted(DIMENSIONS), default="bbob")
    parser.add_argument("--dims", type=int, nargs="+", help="default: the suite's all")
    parser.add_argument("--functions", type=int, nargs="+", default=list(FUNCTIONS))
    parser.add_argument("--instances", type=int, nargs="+", default=list(INSTANCES))
    return parser.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    cache = open_cache(args.cache)
    dims = args.dims or DIMENSIONS[args.suite]
    run_and_report(args, cache, lambda log: run_all(
        cache, args.suite, dims, args.functions, args.instances, args.seeds, args.methods,
        code=code_hash(), log=log), render)


if __name__ == "__main__":
    sys.exit(main())
