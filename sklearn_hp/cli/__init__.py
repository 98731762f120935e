"""The ``sklearn-hp`` command line (also ``python -m sklearn_hp``)."""

import argparse
import sys

from . import _demo, _diagnose, _inspect

__all__ = ["main"]

COMMANDS = {
    "demo": (_demo, "train a LogisticClassifier on a bundled dataset and show "
                    "hyperparameters beside learned parameters"),
    "diagnose": (_diagnose, "say whether a model over- or underfits a bundled dataset "
                            "and which hyperparameter to turn"),
    "inspect": (_inspect, "show the hyperparameters and learned parameters of a model "
                          "saved with sklearn_hp.persistence.save"),
}


def build_parser():
    """Return the argument parser with one sub-parser per command."""
    parser = argparse.ArgumentParser(
        prog="sklearn-hp",
        description="See, set and search hyperparameters of scikit-learn models.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, summary) in COMMANDS.items():
        sub = commands.add_parser(name, help=summary, description=summary)
        module.add_arguments(sub)
    return parser


def main(argv=None, out=print):
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    module, _ = COMMANDS[args.command]
    try:
        return module.run(args, out)
    except (ValueError, TypeError, OSError, ImportError) as error:
        print(f"sklearn-hp {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
