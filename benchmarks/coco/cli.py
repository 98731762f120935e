"""What the command lines of the shared suites (COCO, tabular) have in common."""

import argparse
import signal
from pathlib import Path

from .methods import METHODS, RUNNERS


def parser_for(prog, doc, cache, report, seeds):
    """An argument parser with the options every suite takes."""
    parser = argparse.ArgumentParser(prog=prog, description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(seeds))
    parser.add_argument("--methods", nargs="+", choices=list(RUNNERS), default=list(METHODS))
    parser.add_argument("--report-only", action="store_true",
                        help="write the report from the cache, run nothing; with "
                             "--methods, of those methods only")
    parser.add_argument("--cache", type=Path, default=cache, help="JSON lines, appended")
    parser.add_argument("--report", type=Path, default=report)
    return parser


def run_and_report(args, cache, run, render):
    """Unless ``--report-only``, ``run(log)``; compact ``cache``; write ``render``'s report
    (of every method, or with ``--report-only`` of ``--methods``).

    A run stopped by Ctrl-C or ``kill`` (SIGTERM) keeps every run it finished; the
    cache is compacted and the report is written all the same.
    """
    if not args.report_only:
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            run(lambda line: print(line, flush=True))
        except KeyboardInterrupt:
            print("stopped; the finished runs are in the cache", flush=True)
        finally:
            cache.compact()
    args.report.parent.mkdir(parents=True, exist_ok=True)
    shown = args.methods if args.report_only else list(METHODS)  # a run's report shows all
    args.report.write_text(render(cache.runs(), shown) + "\n")
    print(f"wrote {args.report}")


def _interrupt(signum, frame):
    raise KeyboardInterrupt
