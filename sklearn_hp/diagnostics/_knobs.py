"""Which hyperparameter to turn, and which way, against over- or underfitting.

Each knob says which way it turns against overfitting and why, and which way
against underfitting and why, so the reason always matches the direction; a
knob already at the end of its range in that direction (``alpha=0``,
``dropout=0``, ``max_depth=None``, ``n_neighbors=1``...) is not named.
"""

import numbers
from dataclasses import dataclass

__all__ = ["KNOBS", "Knob", "advice_for"]


def _number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _above(limit):
    """``can_move``: decreasing needs the value above ``limit``; increasing is open."""
    def can_move(value, action):
        if not _number(value):
            return False
        return value > limit if action == "decrease" else True
    return can_move


def _dropout(value, action):
    # a share in [0, 1); past 0.9 so little of the network is left that raising it
    # further is not advice
    return _number(value) and (value > 0 if action == "decrease" else value < 0.9)


def _layers(value, action):
    if _number(value):
        value = (value,)
    if not isinstance(value, (tuple, list)) or not all(map(_number, value)):
        return False
    return any(units > 1 for units in value) if action == "decrease" else True


def _depth(value, action):
    if value is None:  # unlimited: only a limit can be set, which is a decrease
        return action == "decrease"
    return _number(value) and (value > 1 if action == "decrease" else True)


def _leaf(value, action):
    if not _number(value):
        return False
    if isinstance(value, numbers.Integral):  # a count of samples, at least 1
        return value > 1 if action == "decrease" else True
    return value > 0 if action == "decrease" else value < 0.5  # a fraction of the samples


def _switch_on(value, action):
    return value is False


@dataclass(frozen=True)
class Knob:
    """A hyperparameter ``diagnose`` may advise to turn.

    Attributes
    ----------
    name : str
    against_overfitting, against_underfitting : (str, str) or None
        ``(action, reason)``: which way to turn it and why; None when turning
        it does not help against that.
    can_move : callable
        ``can_move(value, action)``: whether the current value can still go
        that way (False at the end of its range, or for a value it does not
        understand, such as a string).
    """

    name: str
    against_overfitting: tuple
    against_underfitting: tuple
    can_move: object

    def advice(self, verdict, value):
        """``(action, reason)`` for ``verdict`` at ``value``, or None."""
        turn = {"overfitting": self.against_overfitting,
                "underfitting": self.against_underfitting}.get(verdict)
        if turn is None or not self.can_move(value, turn[0]):
            return None
        return turn


KNOBS = [
    Knob("alpha",
         ("increase", "a stronger weight penalty shrinks the weights, so the model fits "
                      "less noise"),
         ("decrease", "a weaker weight penalty lets the weights grow to fit the data"),
         _above(0)),
    Knob("C",
         ("decrease", "a smaller C (an inverse penalty strength) penalises the weights more"),
         ("increase", "a larger C (an inverse penalty strength) penalises the weights less"),
         _above(0)),
    Knob("dropout",
         ("increase", "dropping more units stops them co-adapting to the training data"),
         ("decrease", "dropping fewer units leaves the network more capacity to fit"),
         _dropout),
    Knob("hidden_layer_sizes",
         ("decrease", "fewer units hold less capacity to memorise the training data"),
         ("increase", "more units hold more capacity to fit the data"),
         _layers),
    Knob("max_depth",
         ("decrease", "shallower trees make fewer, coarser splits"),
         ("increase", "deeper trees make finer splits"),
         _depth),
    Knob("min_samples_leaf",
         ("increase", "bigger leaves average over more samples"),
         ("decrease", "smaller leaves follow the data more closely"),
         _leaf),
    Knob("n_neighbors",
         ("increase", "more neighbours smooth the decision"),
         ("decrease", "fewer neighbours follow the data more closely"),
         _above(1)),
    Knob("early_stopping",
         ("set to True", "training stops at the best validation epoch"),
         None,
         _switch_on),
]


def advice_for(estimator, verdict, converged):
    """Return a list of ``(hyperparameter, action, reason)`` for ``verdict``.

    Only hyperparameters the estimator actually has (``get_params(deep=True)``, so
    pipeline steps count) are named, and only when their value can still move
    that way.
    """
    params = estimator.get_params(deep=True)
    advice = []
    if verdict == "diverged":
        return [(name, "decrease", "training diverged: the loss grew instead of falling")
                for name, value in params.items()
                if name.split("__")[-1] == "learning_rate" and _learning_rate(value)]
    for knob in KNOBS:
        for name, value in params.items():
            if name == knob.name or name.endswith("__" + knob.name):
                turn = knob.advice(verdict, value)
                if turn is not None:
                    advice.append((name, *turn))
    if converged is False and verdict != "overfitting":
        for name, value in params.items():
            if name.split("__")[-1] in ("max_epochs", "max_iter") and _number(value):
                advice.append((name, "increase", "the training loss was still falling"))
            if (name.split("__")[-1] == "learning_rate" and verdict == "underfitting"
                    and _learning_rate(value)):
                advice.append((name, "increase", "larger steps go further in the same "
                                                 "epochs; training had not converged"))
    return advice


def _learning_rate(value):
    """A step size advice can turn: a positive number, or ``"auto"``."""
    return value == "auto" if isinstance(value, str) else _number(value) and value > 0
