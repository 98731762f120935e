"""Rows of data that print as an aligned text table and convert to a DataFrame."""

__all__ = ["Table", "format_table"]


def format_table(rows, columns, headers=None):
    """Return ``rows`` (a list of dicts) as aligned text, one line per row.

    Parameters
    ----------
    rows : list of dict
    columns : list of str
        Keys to show, in order.
    headers : list of str, optional
        Column titles (default: the keys).
    """
    headers = list(columns) if headers is None else list(headers)
    cells = [[str(row.get(key, "")) for key in columns] for row in rows]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(cell, widths)).rstrip() for cell in cells]
    return "\n".join(lines)


class Table:
    """Base class of the inspection results: ``rows`` as data, ``str()`` as a table.

    Subclasses set ``columns`` (keys of each row) and ``headers`` and may
    override ``__str__`` to add a title or notes.
    """

    columns = ()
    headers = None

    def __init__(self, rows):
        self.rows = list(rows)

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def to_frame(self):
        """Return the rows as a ``pandas.DataFrame`` (needs pandas)."""
        try:
            import pandas as pd
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ImportError("to_frame needs pandas: pip install pandas.") from error
        return pd.DataFrame(self.rows, columns=list(self.columns))

    def table(self):
        """Return the rows as aligned text."""
        return format_table(self.rows, self.columns, self.headers)

    def __str__(self):
        return self.table()

    def __repr__(self):
        return f"{type(self).__name__}({len(self.rows)} rows)\n{self}"
