"""``sklearn-hp inspect FILE``: hyperparameters and learned parameters of a saved model."""

from ._trust import add_trust_argument, load_model

#: Width of the name column.
_NAME = 32


def add_arguments(parser):
    """Register the command's options on ``parser``."""
    parser.add_argument("path", help="a model (.skhp) or hyperparameters file (.json) "
                                     "saved by sklearn_hp.persistence.save")
    add_trust_argument(parser)


def _line(indent, name, text, width=_NAME):
    """``name`` after ``indent``, padded so that ``text`` starts after ``width`` more
    columns than the shallowest lines' two spaces."""
    return f"{indent + name:<{width + 2}} {text}"


def _value(value):
    return " ".join(repr(value).split())  # one line, however long the repr


def _columns(columns):
    shown = ", ".join(map(str, columns[:6])) + (", ..." if len(columns) > 6 else "")
    return f" on {len(columns)} column{'s' if len(columns) != 1 else ''} ({shown})"


def _part_lines(part, nested):
    """The lines of one part: its hyperparameters, then its learned arrays."""
    indent = "    " if nested else "  "
    lines = []
    if part.hyperparameters:
        lines.append(indent[:-2] + "Hyperparameters:")
        lines += [_line(indent, name, _value(value), _NAME + len(indent) - 2)
                  for name, value in part.hyperparameters.items()]
    if part.learned:
        count = "1 number" if part.n_numbers == 1 else f"{part.n_numbers:,} numbers"
        lines.append(indent[:-2] + f"Learned parameters ({count}):")
        lines += [_line(indent + ("  " if row.entry else ""), row.name, row.description,
                        _NAME + len(indent) - 2)
                  for row in part.learned]
    return lines


def describe(model):
    """Return the lines ``inspect`` prints for ``model`` (without the title).

    A model made of parts (a Pipeline, a ColumnTransformer, a wrapped
    regressor) lists its parts first, then each part's hyperparameters and
    learned parameters under its name; arrays held in a list are listed one by
    one (``weights_[0]``).
    """
    from ..inspection import model_parts  # scikit-learn: not needed for --help

    parts = model_parts(model)
    if len(parts) == 1:
        part = parts[0]
        lines = _part_lines(part, nested=False)
        if not part.fitted:
            lines.append("Not fitted: no learned parameters.")
        return lines
    total = sum(part.n_numbers for part in parts)
    fitted = all(part.fitted for part in parts)
    lines = [f"Steps ({len(parts) - 1}, "
             + (f"{total:,} learned numbers):" if fitted else "not fitted):")]
    width = max(2 * part.depth + len(part.path) for part in parts[1:]) - 2
    for part in parts[1:]:
        columns = "" if part.columns is None or isinstance(part.columns, str) \
            else _columns(list(part.columns))
        lines.append(_line("  " * part.depth, part.path,
                           type(part.estimator).__name__ + columns, width))
    for part in parts:
        body = _part_lines(part, nested=True)
        if body:
            lines += ["", f"[{part.path or 'whole model'}] {type(part.estimator).__name__}",
                      *body]
    if not fitted:
        lines += ["", "Not fitted: no learned parameters."]
    return lines


def run(args, out):
    """Load the model and print the two kinds of numbers apart, part by part.

    A file ``load`` refuses (damaged, foreign, too large, unsafe) raises its
    ``ModelFileError``, which the command line prints as one line, exit status 2.
    """
    model = load_model(args.path, args.trust)
    out(f"{type(model).__name__} from {args.path}")
    for line in describe(model):
        out(line)
    return 0
