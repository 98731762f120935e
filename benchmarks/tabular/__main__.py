"""Run the tabular suite incrementally and write its report.

Every finished run is appended to ``benchmarks/results/tabular/cache.jsonl`` (one
JSON line, keyed by bench, dataset, method, seed and budget), so a run can be
stopped at any time and resumed by the same command. The report
``benchmarks/results/tabular.md`` is regenerated from the cache alone. Examples::

    nice -n 19 python -m benchmarks.tabular --seeds 0 1 2 3 4 5 6 7 8 9
    nice -n 19 python -m benchmarks.tabular --bench hpolib --seeds 0 1 2
    python -m benchmarks.tabular --report-only
"""

import sys

from .._common import RESULTS
from ..bbo.__main__ import code_hash
from ..coco.cli import parser_for, run_and_report
from .problems import DATASETS
from .report import render
from .run import open_cache, run_all

CACHE = RESULTS / "tabular" / "cache.jsonl"
REPORT = RESULTS / "tabular.md"
#: Results files this suite writes (under benchmarks/results/), and the arguments that write each.
OUTPUTS = {"tabular/cache.jsonl": "--seeds 0 1 2 3 4 5 6 7 8 9", "tabular.md": "--report-only"}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "hours for 8 datasets x 10 seeds (Optuna's GP and skopt dominate); --report-only 2 s"


def parse(argv):
    parser = parser_for("python -m benchmarks.tabular", __doc__, CACHE, REPORT, range(10))
    parser.add_argument("--bench", choices=sorted(DATASETS), default="hpobench")
    parser.add_argument("--datasets", nargs="+", help="default: all of the bench's")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    cache = open_cache(args.cache)
    run_and_report(args, cache, lambda log: run_all(
        cache, args.bench, args.datasets, args.seeds, args.methods, code=code_hash(), log=log),
        render)


if __name__ == "__main__":
    sys.exit(main())
