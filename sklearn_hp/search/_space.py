"""Search spaces: dimensions, their unit-cube encoding, and conditional spaces.

A search space is the very dict (or list of dicts) that
:class:`~sklearn.model_selection.RandomizedSearchCV` takes: lists and tuples are
sampled uniformly, objects with an ``rvs`` method (frozen ``scipy.stats``
distributions, continuous or discrete) are drawn from. :class:`Real`,
:class:`Integer` and :class:`Categorical` are added; they also have ``rvs`` so they
work in ``RandomizedSearchCV`` too.

Every dimension is encoded once to columns of the unit cube, so samplers never
branch on parameter types:

* :class:`Real`, :class:`Integer` and frozen distributions take one column, the
  *uniform coordinate* ``u`` in ``[0, 1]`` (linear or logarithmic for
  ``Real``/``Integer``; the CDF, bounded by quantiles when the support is
  unbounded, for distributions, so ``ppf`` maps it back);
* :class:`Categorical` (and plain lists/tuples) take one one-hot column per choice.

``SearchSpace.encode`` / ``decode`` move between parameter dicts and these columns;
``SearchSpace.from_unit`` maps points of ``[0, 1]^n_dims`` (one coordinate per
dimension, for quasi-random designs) to parameter dicts.
"""

import numbers

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["Real", "Integer", "Categorical", "SearchSpace", "as_dimension"]

#: Quantiles that bound distributions with an unbounded support for encoding.
_TAIL_QUANTILE = 1e-3


class _Dimension:
    """Base class of one hyperparameter's domain.

    Subclasses set ``n_columns`` and ``is_categorical`` and implement
    ``rvs``, ``from_unit``, ``encode``, ``decode`` and ``contains``.
    """

    n_columns = 1
    is_categorical = False
    #: number of distinct values (``inf`` for continuous dimensions)
    n_values = np.inf

    def values(self):
        """Every distinct value, in order (only for finite ``n_values``)."""
        raise NotImplementedError

    def rvs(self, size=None, random_state=None):
        """Draw values at random, like a frozen ``scipy.stats`` distribution.

        Parameters
        ----------
        size : int or None, default=None
            Number of values; ``None`` returns a single value.
        random_state : int, RandomState instance or None, default=None
            Source of randomness.

        Returns
        -------
        value or list of values
        """
        rng = check_random_state(random_state)
        n = 1 if size is None else int(size)
        values = self.from_unit(rng.uniform(size=n))
        return values[0] if size is None else values

    def from_unit(self, u):
        """Map uniform coordinates ``u`` in ``[0, 1]`` (1-d array) to values."""
        raise NotImplementedError

    def encode(self, values):
        """Encode a list of values to an array of shape ``(n, n_columns)``."""
        raise NotImplementedError

    def decode(self, columns):
        """Decode an array of shape ``(n, n_columns)`` to a list of values."""
        raise NotImplementedError

    def snap(self, columns):
        """The encoding of the values that ``columns`` (shape ``(n, n_columns)``) decode to."""
        return self.encode(self.decode(columns))

    def contains(self, value):
        """Whether ``value`` belongs to this dimension."""
        raise NotImplementedError


def _check_bounds(kind, low, high, log):
    for name, value in (("low", low), ("high", high)):
        if not isinstance(value, numbers.Real) or isinstance(value, bool) or not np.isfinite(value):
            raise ValueError(
                f"{kind}: {name} must be a finite number, got {name}={value!r}."
            )
    if low >= high:
        raise ValueError(
            f"{kind}: low must be strictly smaller than high, got low={low!r} and "
            f"high={high!r}."
        )
    if log and low <= 0:
        raise ValueError(
            f"{kind}: log=True needs low > 0, got low={low!r}. Use log=False or a "
            f"positive lower bound."
        )


class _Numeric(_Dimension):
    """Base of :class:`Real` and :class:`Integer`: a linear or logarithmic map of
    ``[_t_low, _t_high]`` onto the unit coordinate; subclasses round the values."""

    def _transform(self, x):
        x = np.asarray(x, dtype=float)
        return np.log(x) if self.log else x

    def _values(self, t):
        """Values (in bounds, rounded for integers) at the points ``t``, an array."""
        raise NotImplementedError

    def _as_python(self, values):
        """An array of values as a list of Python numbers of this dimension's type."""
        raise NotImplementedError

    def _unit_values(self, u):
        """The values at uniform coordinates ``u``, an array."""
        t = self._t_low + np.clip(u, 0.0, 1.0) * (self._t_high - self._t_low)
        return self._values(np.exp(t) if self.log else t)

    def from_unit(self, u):
        return self._as_python(self._unit_values(u))

    def encode(self, values):
        t = self._transform(np.clip(np.asarray(values, dtype=float), self.low, self.high))
        return ((t - self._t_low) / (self._t_high - self._t_low)).reshape(-1, 1)

    def decode(self, columns):
        return self.from_unit(np.asarray(columns, dtype=float)[:, 0])

    def snap(self, columns):
        # encode(decode(columns)) without the values' round trip through Python numbers
        return self.encode(self._unit_values(np.asarray(columns, dtype=float)[:, 0]))

    def __repr__(self):
        return f"{type(self).__name__}({self.low!r}, {self.high!r}, log={self.log})"


class Real(_Numeric):
    """A real hyperparameter in ``[low, high]``.

    Parameters
    ----------
    low, high : float
        Bounds, ``low < high``.
    log : bool, default=False
        Sample and model on a logarithmic scale (needs ``low > 0``), as for
        learning rates and regularisation strengths.

    Examples
    --------
    >>> from sklearn_hp.search import Real
    >>> Real(1e-4, 1e-1, log=True).rvs(random_state=0) < 0.1
    True
    """

    def __init__(self, low, high, log=False):
        _check_bounds("Real", low, high, log)
        self.low, self.high, self.log = float(low), float(high), bool(log)
        self._t_low, self._t_high = self._transform(self.low), self._transform(self.high)

    def _values(self, t):
        return np.clip(t, self.low, self.high)

    def _as_python(self, values):
        return [float(v) for v in values]

    def _unit_values(self, u):
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        values = super()._unit_values(u)
        # the bounds themselves, not exp(log(high)) = high - 1 ulp
        return np.where(u <= 0.0, self.low, np.where(u >= 1.0, self.high, values))

    def contains(self, value):
        return isinstance(value, numbers.Real) and self.low <= value <= self.high


class Integer(_Numeric):
    """An integer hyperparameter in ``{low, ..., high}`` (both included).

    Parameters
    ----------
    low, high : int
        The smallest and the largest value, ``low < high``.
    log : bool, default=False
        Spread the values on a logarithmic scale (needs ``low > 0``), as for
        numbers of units or trees.
    """

    def __init__(self, low, high, log=False):
        for name, value in (("low", low), ("high", high)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool):
                raise ValueError(
                    f"Integer: {name} must be an integer, got {name}={value!r}. "
                    f"Use Real for real-valued ranges."
                )
        _check_bounds("Integer", low, high, log)
        self.low, self.high, self.log = int(low), int(high), bool(log)
        # Each integer owns the interval [v - 0.5, v + 0.5] of the continuous axis.
        edges = (self.low - 0.5, self.high + 0.5)
        if self.log:
            edges = (np.log(max(self.low - 0.5, self.low / 2.0)), np.log(self.high + 0.5))
        self._t_low, self._t_high = edges
        self.n_values = self.high - self.low + 1

    def values(self):
        return list(range(self.low, self.high + 1))

    def _values(self, t):
        return np.clip(np.rint(t), self.low, self.high)

    def _as_python(self, values):
        return [int(v) for v in values]

    def contains(self, value):
        return (
            isinstance(value, numbers.Integral)
            and not isinstance(value, bool)
            and self.low <= value <= self.high
        )


class Categorical(_Dimension):
    """A hyperparameter taking one of a finite set of choices, without order.

    Lists and tuples in a search-space dict become ``Categorical``. Choices may be
    any objects (strings, numbers, ``None``, estimators).

    Parameters
    ----------
    choices : sequence
        The possible values, at least one.
    """

    is_categorical = True

    def __init__(self, choices):
        if isinstance(choices, (str, bytes)) or not hasattr(choices, "__len__"):
            raise ValueError(
                f"Categorical: choices must be a list or tuple of values, got "
                f"{choices!r}."
            )
        self.choices = list(choices)
        if len(self.choices) == 0:
            raise ValueError(
                "Categorical: choices must hold at least one value, got an empty "
                f"{type(choices).__name__}."
            )
        self.n_columns = len(self.choices)
        self.n_values = len(self.choices)

    def values(self):
        return list(self.choices)

    def _index(self, value):
        for i, choice in enumerate(self.choices):
            if choice is value:
                return i
        for i, choice in enumerate(self.choices):
            try:
                if bool(choice == value):
                    return i
            except (TypeError, ValueError):
                continue
        raise ValueError(f"Categorical: {value!r} is not one of {self.choices!r}.")

    def from_unit(self, u):
        k = len(self.choices)
        idx = np.minimum((np.clip(u, 0.0, 1.0) * k).astype(int), k - 1)
        return [self.choices[i] for i in idx]

    def encode(self, values):
        out = np.zeros((len(values), self.n_columns))
        for row, value in enumerate(values):
            out[row, self._index(value)] = 1.0
        return out

    def decode(self, columns):
        return [self.choices[i] for i in np.argmax(np.asarray(columns), axis=1)]

    def snap(self, columns):
        picked = np.argmax(np.asarray(columns), axis=1)
        # a choice listed twice is encoded at its first place
        first = {i: self._index(self.choices[i]) for i in np.unique(picked).tolist()}
        out = np.zeros((len(picked), self.n_columns))
        out[np.arange(len(picked)), [first[i] for i in picked.tolist()]] = 1.0
        return out

    def contains(self, value):
        try:
            self._index(value)
        except ValueError:
            return False
        return True

    def __repr__(self):
        return f"Categorical({self.choices!r})"


class _Distribution(_Dimension):
    """A frozen ``scipy.stats`` distribution (or any object with ``rvs``).

    Random sampling calls the distribution's own ``rvs`` (exactly like
    ``RandomizedSearchCV``). Model-based samplers encode values by their CDF,
    rescaled between the ``_TAIL_QUANTILE`` quantiles when the support is
    unbounded, and decode through ``ppf``.
    """

    def __init__(self, distribution):
        self.distribution = distribution
        self.is_discrete = hasattr(getattr(distribution, "dist", None), "pmf")
        self._can_encode = hasattr(distribution, "ppf") and hasattr(distribution, "cdf")
        if self._can_encode:
            low, high = distribution.support()
            self._q_low = 0.0 if np.isfinite(low) else _TAIL_QUANTILE
            self._q_high = 1.0 if np.isfinite(high) else 1.0 - _TAIL_QUANTILE
            if self.is_discrete and np.isfinite(low) and np.isfinite(high):
                self.n_values = int(high - low + 1)
                self._support = (int(low), int(high))

    def values(self):
        return list(range(self._support[0], self._support[1] + 1))

    def rvs(self, size=None, random_state=None):
        return self.distribution.rvs(size=size, random_state=random_state)

    def _require_encoding(self):
        if not self._can_encode:
            raise TypeError(
                f"Model-based samplers need ppf and cdf to encode a distribution; "
                f"{self.distribution!r} only has rvs. Use a frozen scipy.stats "
                f"distribution, Real/Integer/Categorical, or sampler='random'."
            )

    def from_unit(self, u):
        self._require_encoding()
        q = self._q_low + np.clip(u, 0.0, 1.0) * (self._q_high - self._q_low)
        # keep strictly inside (0, 1) so ppf stays finite
        q = np.clip(q, 1e-12, 1 - 1e-12)
        values = self.distribution.ppf(q)
        if self.is_discrete:
            return [int(v) for v in values]
        return [float(v) for v in values]

    def encode(self, values):
        self._require_encoding()
        x = np.asarray(values, dtype=float)
        q = self.distribution.cdf(x)
        if self.is_discrete:  # middle of the value's probability mass
            q = 0.5 * (q + self.distribution.cdf(x - 1))
        u = (q - self._q_low) / (self._q_high - self._q_low)
        return np.clip(u, 0.0, 1.0).reshape(-1, 1)

    def decode(self, columns):
        return self.from_unit(np.asarray(columns, dtype=float)[:, 0])

    def contains(self, value):
        if not isinstance(value, numbers.Real):
            return False
        if not self._can_encode:
            return True
        low, high = self.distribution.support()
        return low <= value <= high

    def __repr__(self):
        return f"Distribution({self.distribution!r})"


def as_dimension(name, spec):
    """Turn one entry of a search-space dict into a dimension.

    Parameters
    ----------
    name : str
        Parameter name, used in error messages.
    spec : Real, Integer, Categorical, list, tuple or object with ``rvs``
        The entry.

    Returns
    -------
    dimension : _Dimension
    """
    if isinstance(spec, _Dimension):
        return spec
    if hasattr(spec, "rvs"):
        return _Distribution(spec)
    if isinstance(spec, (list, tuple, np.ndarray)):
        if len(spec) == 0:
            raise ValueError(
                f"Parameter {name!r}: empty list of choices. Give at least one value."
            )
        return Categorical(list(spec))
    raise ValueError(
        f"Parameter {name!r}: {spec!r} is not a valid search dimension. Accepted: "
        f"Real, Integer, Categorical, a list or tuple of choices, or a distribution "
        f"with an rvs method (e.g. scipy.stats.loguniform(1e-4, 1e-1))."
    )


class _SubSpace:
    """One dict of a (possibly conditional) search space."""

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ValueError(
                f"A search space must be a dict (or a list of dicts) mapping parameter "
                f"names to dimensions, got {type(spec).__name__}: {spec!r}."
            )
        if len(spec) == 0:
            raise ValueError("A search space dict must name at least one parameter, got {}.")
        for key in spec:
            if not isinstance(key, str):
                raise ValueError(f"Parameter names must be strings, got {key!r}.")
        self._set_dimensions(list(spec), [as_dimension(name, value)
                                          for name, value in spec.items()])

    def _set_dimensions(self, names, dimensions):
        self.names = names
        self.dimensions = dimensions
        self.n_dims = len(self.dimensions)
        widths = [d.n_columns for d in self.dimensions]
        self.n_columns = int(sum(widths))
        self._slices = []
        start = 0
        for width in widths:
            self._slices.append(slice(start, start + width))
            start += width
        #: columns optimised continuously (everything except one-hot groups)
        self.continuous_columns = np.zeros(self.n_columns, dtype=bool)
        for dim, sl in zip(self.dimensions, self._slices):
            self.continuous_columns[sl] = not dim.is_categorical

    @property
    def slices(self):
        """Column slice of each dimension."""
        return list(self._slices)

    def contains(self, params):
        """Whether a parameter dict belongs to this sub-space."""
        return set(params) == set(self.names) and all(
            dim.contains(params[name]) for name, dim in zip(self.names, self.dimensions)
        )

    def encode(self, params_list):
        """Encode parameter dicts to an array ``(n, n_columns)``."""
        out = np.empty((len(params_list), self.n_columns))
        for name, dim, sl in zip(self.names, self.dimensions, self._slices):
            out[:, sl] = dim.encode([p[name] for p in params_list])
        return out

    def decode(self, X):
        """Decode an array ``(n, n_columns)`` to parameter dicts."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        columns = [
            dim.decode(X[:, sl]) for dim, sl in zip(self.dimensions, self._slices)
        ]
        return [dict(zip(self.names, row)) for row in zip(*columns)]

    def from_unit(self, U):
        """Map ``U`` of shape ``(n, n_dims)`` in ``[0, 1]`` to parameter dicts."""
        U = np.atleast_2d(U)
        columns = [dim.from_unit(U[:, i]) for i, dim in enumerate(self.dimensions)]
        return [dict(zip(self.names, row)) for row in zip(*columns)]

    def snap(self, X):
        """Round encoded points to the encoding of the values they decode to."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        out = np.empty_like(X)
        for dim, sl in zip(self.dimensions, self._slices):
            out[:, sl] = dim.snap(X[:, sl])
        return out

    def pin(self, X):
        """``X`` with inactive columns at their constants (none here: ``X`` itself)."""
        return X

    def active_columns(self, X):
        """Boolean mask of the columns of ``X`` that matter, or None if all do."""
        return None

    @property
    def n_points(self):
        """Number of distinct candidates (``inf`` with a continuous dimension)."""
        return float(np.prod([float(d.n_values) for d in self.dimensions]))

    def all_points(self):
        """Encoding of every candidate, shape ``(n_points, n_columns)`` (finite spaces)."""
        grids = [dim.encode(dim.values()) for dim in self.dimensions]
        index = np.indices([len(g) for g in grids]).reshape(len(grids), -1)
        return np.hstack([g[i] for g, i in zip(grids, index)])

    def keys(self, X):
        """Hashable identity of encoded points, equal iff they decode to equal values.

        Points are snapped first, so integers and categories compare after rounding
        and decoding; continuous coordinates compare to 1e-9 of their range.
        """
        snapped = np.round(self.snap(X), 9) + 0.0  # + 0.0 turns -0.0 into 0.0
        return [row.tobytes() for row in snapped]


class SearchSpace:
    """A validated search space: one dict or a list of dicts (conditional space).

    Parameters
    ----------
    spec : dict or list of dict
        Parameter names (nested names such as ``clf__alpha`` are fine; they are
        handed to ``set_params``) mapped to :class:`Real`, :class:`Integer`,
        :class:`Categorical`, lists/tuples of choices, or distributions with
        ``rvs``. A list of dicts is a conditional space: each candidate comes from
        one of the dicts, exactly like ``RandomizedSearchCV``.

    Attributes
    ----------
    subspaces : list of _SubSpace
        One per dict.
    """

    def __init__(self, spec):
        if isinstance(spec, SearchSpace):
            spec = spec.spec
        self.spec = spec
        specs = spec if isinstance(spec, (list, tuple)) else [spec]
        if len(specs) == 0:
            raise ValueError("A list of search-space dicts must not be empty, got [].")
        self.subspaces = [_SubSpace(s) for s in specs]
        #: the user's own dicts, for sklearn's ParameterSampler (random search)
        self.sampler_spec = list(specs)

    @property
    def n_subspaces(self):
        return len(self.subspaces)

    @property
    def n_points(self):
        """Number of distinct candidates, summed over sub-spaces (``inf`` if continuous)."""
        return float(sum(sub.n_points for sub in self.subspaces))

    def subspace_index(self, params):
        """Index of the first sub-space containing ``params`` (``-1`` if none).

        A dict with the names of a sub-space but a value outside it belongs to
        the first sub-space with these names.
        """
        return self._subspace_finder().index(params)

    def subspace_indices(self, params_list):
        """:meth:`subspace_index` of each dict of ``params_list``, as an int array."""
        index = self._subspace_finder().index
        return np.array([index(p) for p in params_list], dtype=int)

    def _subspace_finder(self):
        finder = self.__dict__.get("_finder")
        if finder is None:  # built on first use (also for spaces saved without one)
            finder = self._finder = _SubspaceFinder(self.subspaces)
        return finder

    @property
    def joint(self):
        """All sub-spaces encoded together (a :class:`_JointSpace`), built once.

        Kept as a data attribute, which a saved search may hold (a model file
        may not set a cached property).
        """
        joint = self.__dict__.get("_joint")
        if joint is None:
            joint = self._joint = _JointSpace(self.subspaces)
        return joint


class _SubspaceFinder:
    """Which of ``subspaces`` a parameter dict belongs to, looked up by its names.

    Only a sub-space with exactly the dict's names can contain it, so the
    values are checked only when several sub-spaces share these names: the
    first that contains the dict wins, else the first of them (lenient: the
    names match). A dict with names of no sub-space gets ``-1``.
    """

    def __init__(self, subspaces):
        self.subspaces = list(subspaces)
        self._by_names = {}
        for i, sub in enumerate(self.subspaces):
            self._by_names.setdefault(frozenset(sub.names), []).append(i)

    def __getstate__(self):
        return {"subspaces": self.subspaces}  # the lookup is rebuilt on loading

    def __setstate__(self, state):
        self.__init__(state["subspaces"])

    def index(self, params):
        """Index of the sub-space of ``params`` (``-1`` if none has its names)."""
        same_names = self._by_names.get(frozenset(params), ())
        if len(same_names) > 1:
            for i in same_names:
                if self.subspaces[i].contains(params):
                    return i
        return same_names[0] if same_names else -1


def _same_dimension(a, b):
    """Whether two dimensions define the same domain (so a shared parameter is one column)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, _Distribution):
        da, db = a.distribution, b.distribution
        return (getattr(da, "dist", None) is not None and type(da.dist) is type(db.dist)
                and repr(da.args) == repr(db.args) and repr(da.kwds) == repr(db.kwds))
    return repr(a) == repr(b)


class _JointSpace(_SubSpace):
    """The sub-spaces of a conditional space encoded together, for one model.

    The first dimension is the *branch*, a categorical over the sub-spaces.
    Then comes the union of their parameters: a parameter of several branches
    with the same name and the same domain is one dimension, shared; a
    parameter with a single value in a branch (``kernel=["rbf"]``) is implied by
    the branch and has no column. A branch's inactive columns are pinned to
    constants (0.5 for a continuous column, zeros for a one-hot group), so
    points of one branch differ only where that branch has parameters, and
    :meth:`decode` gives back the branch's own parameter dict.

    Parameters
    ----------
    subspaces : list of _SubSpace
    """

    def __init__(self, subspaces):
        self.branches = list(subspaces)
        names, dims = ["<branch>"], [Categorical(list(range(len(self.branches))))]
        #: per branch, the joint dimension of each parameter with a column
        self._where = []
        for sub in self.branches:
            where = {}
            for name, dim in zip(sub.names, sub.dimensions):
                if dim.n_values == 1:
                    continue
                shared = [j for j in range(1, len(dims))
                          if names[j] == name and _same_dimension(dims[j], dim)]
                if not shared:
                    names.append(name)
                    dims.append(dim)
                where[name] = shared[0] if shared else len(dims) - 1
            self._where.append(where)
        self._set_dimensions(names, dims)
        self._finder = _SubspaceFinder(self.branches)
        self._pinned = np.where(self.continuous_columns, 0.5, 0.0)
        self._active = np.zeros((len(self.branches), self.n_columns), dtype=bool)
        for b, where in enumerate(self._where):
            self._active[b, self._slices[0]] = True
            for j in where.values():
                self._active[b, self._slices[j]] = True

    def branch_of(self, X):
        """Branch index of each encoded point."""
        return np.argmax(np.atleast_2d(X)[:, self._slices[0]], axis=1)

    def active_columns(self, X):
        return self._active[self.branch_of(X)]

    def pin(self, X):
        X = np.array(X, dtype=float, ndmin=2)
        return np.where(self.active_columns(X), X, self._pinned)

    def contains(self, params):
        return any(sub.contains(params) for sub in self.branches)

    def snap(self, X):
        # through the parameter dicts: the branch decides which columns are pinned
        return self.encode(self.decode(X))

    def encode(self, params_list):
        out = np.tile(self._pinned, (len(params_list), 1))
        for row, params in enumerate(params_list):
            b = max(self._finder.index(params), 0)
            out[row, self._slices[0].start + b] = 1.0
            for name, j in self._where[b].items():
                out[row, self._slices[j]] = self.dimensions[j].encode([params[name]])[0]
        return out

    def _branch_dicts(self, branches, column):
        """Dicts of the given branches, each value from ``column(j, row)``."""
        out = []
        for row, b in enumerate(branches):
            sub, where = self.branches[b], self._where[b]
            out.append({name: column(where[name], row) if name in where else dim.values()[0]
                        for name, dim in zip(sub.names, sub.dimensions)})
        return out

    def decode(self, X):
        X = np.atleast_2d(np.asarray(X, dtype=float))
        columns = [None] + [dim.decode(X[:, sl]) for dim, sl in
                            zip(self.dimensions[1:], self._slices[1:])]
        return self._branch_dicts(self.branch_of(X), lambda j, row: columns[j][row])

    def from_unit(self, U):
        U = np.atleast_2d(U)
        columns = [dim.from_unit(U[:, i]) for i, dim in enumerate(self.dimensions)]
        return self._branch_dicts(columns[0], lambda j, row: columns[j][row])

    @property
    def n_points(self):
        return float(sum(sub.n_points for sub in self.branches))
