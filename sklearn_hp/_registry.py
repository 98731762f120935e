"""One shape for every extension point: a registry of named building blocks.

Optimizers, learning-rate schedules, activations, losses, initialisers, penalties,
layers and samplers each have one :class:`Registry`, mapping names to classes. A
registry resolves a hyperparameter value (a name or an object) to an object,
raises the one error that names the bad value and lists what is accepted, and
gives the ``_parameter_constraints`` entry and the docstring name list
(:func:`sklearn_hp.testing.all_registries` lists them all, for the contract
battery and the README's table). Adding a block is one class and one line::

    OPTIMIZERS.register("lion", Lion)
"""

from collections.abc import Mapping

from ._compat import HasMethods, InvalidParameterError, RegistryOptions

__all__ = ["Registry", "Entry", "public_path"]


class Entry:
    """What a name stands for: a class, settings fixed by the name, settings it reads.

    Parameters
    ----------
    cls : type
        The block's class.
    fixed : dict
        Keyword arguments the name fixes (``"nesterov"`` is ``SGD(nesterov=True)``).
    settings : tuple of str
        Keyword arguments taken from the estimator's own hyperparameters when they
        are given to :meth:`Registry.resolve` (``"momentum"`` reads ``momentum``).
    example : callable or None
        ``example(rng)`` returns ``(block, input)`` for the contract battery, for
        blocks that have no default instance (layers hold learned arrays).
    """

    def __init__(self, cls, fixed=None, settings=(), example=None):
        self.cls = cls
        self.fixed = dict(fixed or {})
        self.settings = tuple(settings)
        self.example = example

    def __call__(self, **available):
        """Build the block from the fixed settings and the ``available`` ones it reads."""
        taken = {k: available[k] for k in self.settings if available.get(k) is not None}
        return self.cls(**self.fixed, **taken)

    def __repr__(self):
        args = [self.cls.__name__] + [f"{k}={v!r}" for k, v in self.fixed.items()]
        if self.settings:
            args.append(f"settings={self.settings!r}")
        return f"Entry({', '.join(args)})"


class Registry(Mapping):
    """Names of one kind of building block, mapped to their classes.

    Parameters
    ----------
    kind : str
        The hyperparameter the blocks are given to (``"optimizer"``), used in errors.
    base : type
        Base class of the blocks; its instances are accepted as they are.
    methods : tuple of str, optional
        Duck typing: objects with these methods are accepted too (``("build",)``).
    description : str, optional
        What the blocks are, for the README table of building blocks.
    hyperparameter : bool, default=True
        Whether estimators take the blocks as the ``kind=`` hyperparameter (layers
        are assembled by the estimators instead).

    Examples
    --------
    >>> from sklearn_hp.optim import OPTIMIZERS
    >>> OPTIMIZERS.resolve("nesterov", momentum=0.8)
    SGD(momentum=0.8, nesterov=True)
    """

    def __init__(self, kind, base, *, methods=(), description="", hyperparameter=True):
        self.kind = kind
        self.hyperparameter = hyperparameter
        self.base = base
        self.methods = tuple(methods)
        self.description = description
        self._entries = {}

    # ------------------------------------------------------------ registration
    def register(self, name, cls=None, *, settings=(), example=None, **fixed):
        """Register ``cls`` under ``name``; usable as a class decorator.

        Parameters
        ----------
        name : str
        cls : type, optional
            Omitted when used as ``@REGISTRY.register("name")``.
        settings : tuple of str, default=()
            Estimator hyperparameters this name reads (see :class:`Entry`).
        example : callable, optional
            ``example(rng) -> (block, input)`` for the contract battery (layers).
        **fixed
            Keyword arguments the name fixes.

        Returns
        -------
        cls
        """
        if cls is None:
            return lambda klass: self.register(name, klass, settings=settings,
                                               example=example, **fixed)
        if not isinstance(name, str) or name in self._entries:
            raise ValueError(
                f"Cannot register {self.kind} {name!r}: names are unique strings and "
                f"{sorted(self._entries)} are taken."
            )
        if not isinstance(cls, type):
            raise TypeError(f"Register a class under {name!r}, got {cls!r}.")
        self._entries[name] = Entry(cls, fixed, settings, example)
        return cls

    def alias(self, alias, name):
        """Make ``alias`` a second name of the entry ``name``."""
        if alias in self._entries:
            raise ValueError(f"Cannot alias {self.kind} {alias!r}: the name is taken.")
        self._entries[alias] = self._entries[name]

    def unregister(self, name):
        """Remove ``name`` (for tests and plug-ins that clean up after themselves)."""
        if name not in self._entries:
            raise KeyError(f"No {self.kind} {name!r} to unregister; names: {sorted(self)}.")
        del self._entries[name]

    # ----------------------------------------------------------------- look-up
    def __getitem__(self, name):
        return self._entries[name]

    def __iter__(self):
        return iter(self._entries)

    def __len__(self):
        return len(self._entries)

    def name_of(self, block):
        """The first name that builds an object equal to ``block`` (None if none does)."""
        for name, entry in self._entries.items():
            if entry.cls is type(block) and not entry.settings:
                if entry().get_params() == block.get_params():
                    return name
        return None

    def accepts(self, value):
        """Whether ``value`` is an object of this kind (not a name)."""
        if isinstance(value, self.base):
            return True
        return bool(self.methods) and all(
            callable(getattr(value, m, None)) for m in self.methods
        )

    def resolve(self, value, **settings):
        """Return the block for a name (built with the ``settings`` it reads) or an object.

        Raises
        ------
        InvalidParameterError
            (a ``ValueError`` and a ``TypeError``) naming the bad value and what is
            accepted.
        """
        if isinstance(value, str):
            entry = self._entries.get(value)
            if entry is not None:
                return entry(**settings)
        elif self.accepts(value):
            return value
        raise InvalidParameterError(self.error_message(value))

    def error_message(self, value):
        """The one message for a value that is neither a known name nor an object."""
        what = "Unknown" if isinstance(value, str) else "Unsupported"
        return (
            f"{what} {self.kind} {value!r}; accepted names are {sorted(self)}, or "
            f"{self.object_phrase()}."
        )

    def object_phrase(self):
        """How the accepted objects are described in errors and docs."""
        phrase = f"an {public_path(self.base)} object"
        if self.methods:
            methods = ", ".join(f"{m}()" for m in self.methods)
            phrase += f" (or any object with {methods})"
        return phrase

    # --------------------------------------------------- generated from here
    def constraint(self, where=None):
        """The ``_parameter_constraints`` entry: a registered name or an object.

        Parameters
        ----------
        where : callable, optional
            ``where(cls)`` keeps only the names whose class fits the estimator
            (classification losses for a classifier). The names are read at every
            validation, so blocks registered later are accepted too.
        """
        accepted = HasMethods(list(self.methods)) if self.methods else self.base
        return [RegistryOptions(lambda: set(self.names(where))), accepted]

    def names(self, where=None):
        """The registered names, or those whose class satisfies ``where(cls)``."""
        return [n for n, e in self._entries.items() if where is None or where(e.cls)]

    def doc_names(self, where=None):
        """The names, quoted and comma-separated, for docstrings."""
        return ", ".join(f'"{name}"' for name in self.names(where))

    def classes(self):
        """The distinct registered classes, in registration order."""
        seen = []
        for entry in self._entries.values():
            if entry.cls not in seen:
                seen.append(entry.cls)
        return seen

    def __repr__(self):
        return f"Registry({self.kind!r}, {sorted(self)})"


def public_path(cls):
    """``sklearn_hp.optim.Optimizer`` rather than the private module's path."""
    module = cls.__module__
    parts = module.split(".")
    public = ".".join(p for p in parts if not p.startswith("_"))
    return f"{public}.{cls.__qualname__}"
