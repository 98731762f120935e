"""The ``sklearn-hp`` command line (also ``python -m sklearn_hp``).

Every command turns bad input into one line on stderr and exit status 2; no
traceback is shown (set ``SKLEARN_HP_DEBUG=1`` to see one).
"""

import argparse
import os
import re
import sys

from . import _demo, _diagnose, _inspect, _predict, _tune
from ._progress import counted_warnings

__all__ = ["main"]

COMMANDS = {
    "demo": (_demo, "a one-minute guided tuning run: an MLP on digits searched by "
                    "BayesSearchCV, then what was set beside what was learned"),
    "tune": (_tune, "search hyperparameters of a model on a bundled dataset or your CSV "
                    "file, report what mattered, save the best model"),
    "predict": (_predict, "apply a model saved by tune to the rows of a CSV file"),
    "diagnose": (_diagnose, "say whether a model over- or underfits a bundled dataset "
                            "and which hyperparameter to turn"),
    "inspect": (_inspect, "show the hyperparameters and learned parameters of a model "
                          "saved with sklearn_hp.persistence.save"),
}


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and status 2 (not usage + message)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser():
    """Return the argument parser with one sub-parser per command."""
    parser = _Parser(
        prog="sklearn-hp",
        description="See, set and search hyperparameters of scikit-learn models.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND",
                                     parser_class=_Parser)
    for name, (module, summary) in COMMANDS.items():
        sub = commands.add_parser(name, help=summary, description=summary)
        module.add_arguments(sub)
    return parser


def one_line(error):
    """The most telling single line of an exception's message.

    A message that embeds a traceback (scikit-learn's "All the fits failed...")
    ends with the underlying error, which is the line kept.
    """
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    if len(lines) > 1 and any(line.startswith("Traceback") for line in lines):
        return re.sub(r"^(?:\w+\.)+(?=\w+:)", "", lines[-1])  # drop the module path
    text = " ".join(lines)
    return text if len(text) <= 400 else text[:397] + "..."


def main(argv=None, out=print):
    """Run the command line; return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 2
    if args.command is None:
        parser.print_help()
        return 2
    module, _ = COMMANDS[args.command]
    try:
        with counted_warnings() as counter:
            status = module.run(args, out)
        if counter.summary():
            out(counter.summary())
        return status
    except KeyboardInterrupt:
        print(f"sklearn-hp {args.command}: interrupted", file=sys.stderr)
        return 130
    except RecursionError:
        print(f"sklearn-hp {args.command}: error: the input is nested too deeply to read",
              file=sys.stderr)
        return 2
    except Exception as error:  # every failure becomes one line, never a traceback
        if os.environ.get("SKLEARN_HP_DEBUG"):
            raise
        print(f"sklearn-hp {args.command}: error: {one_line(error)}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
