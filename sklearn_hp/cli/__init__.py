"""The ``sklearn-hp`` command line (also ``python -m sklearn_hp``).

Every command turns bad input into one line on stderr and exit status 2; no
traceback is shown (set ``SKLEARN_HP_DEBUG=1`` to see one).

A command's module (and with it scikit-learn, pandas or matplotlib) is imported
only when that command runs or its ``--help`` is asked for, so ``sklearn-hp --help``
starts in a fraction of a second.
"""

import argparse
import importlib
import os
import re
import sys

__all__ = ["main", "build_parser", "one_line"]

#: command -> (module in this package, one-line summary)
COMMANDS = {
    "demo": ("_demo", "a one-minute guided tuning run: an MLP on digits searched by "
                      "BayesSearchCV, then what was set beside what was learned"),
    "tune": ("_tune", "search hyperparameters of a model on a bundled dataset or your CSV "
                      "file, report what mattered, save the best model"),
    "predict": ("_predict", "apply a model saved by tune to the rows of a CSV file "
                            "(probabilities with --proba; scored when the target is there)"),
    "diagnose": ("_diagnose", "say whether a model over- or underfits a bundled dataset "
                              "and which hyperparameter to turn"),
    "inspect": ("_inspect", "show the hyperparameters and learned parameters of a model "
                            "saved with sklearn_hp.persistence.save"),
}


def _module(command):
    return importlib.import_module(f".{COMMANDS[command][0]}", __name__)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and status 2 (not usage + message)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser(only=None):
    """Return the argument parser with one sub-parser per command.

    Parameters
    ----------
    only : str or None, default=None
        Give only this command's sub-parser its options (the others stay
        listed, without importing their modules); ``None`` gives every command
        its options.
    """
    parser = _Parser(
        prog="sklearn-hp",
        description="See, set and search hyperparameters of scikit-learn models.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND",
                                     parser_class=_Parser)
    for name, (_, summary) in COMMANDS.items():
        sub = commands.add_parser(name, help=summary, description=summary)
        if only is None or name == only:
            _module(name).add_arguments(sub)
    return parser


def _command_in(argv):
    """The command ``argv`` names (its first word that is one), or None."""
    return next((word for word in argv if word in COMMANDS), None)


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
    argv = sys.argv[1:] if argv is None else list(argv)
    command = _command_in(argv)
    parser = build_parser(only=command or "")
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 2
    if args.command is None:
        parser.print_help()
        return 2
    module = _module(args.command)
    from ._progress import counted_warnings

    try:
        with counted_warnings() as counter:
            status = module.run(args, out)
        if counter.summary():
            out(counter.summary())
        return status
    except KeyboardInterrupt:
        print(f"sklearn-hp {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `sklearn-hp inspect m.skhp | head`: the reader left, no error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush goes nowhere
        return 141  # 128 + SIGPIPE, what a shell reports for a command stopped by one
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
