"""Which hyperparameter to turn, and which way, against over- or underfitting."""

__all__ = ["KNOBS", "advice_for"]

#: (hyperparameter, direction against overfitting, why). Underfitting turns the other way.
KNOBS = [
    ("alpha", "increase", "a stronger weight penalty shrinks the weights"),
    ("C", "decrease", "C is an inverse penalty strength"),
    ("dropout", "increase", "dropping units stops co-adaptation"),
    ("hidden_layer_sizes", "decrease", "fewer units hold less capacity"),
    ("max_depth", "decrease", "shallower trees are simpler"),
    ("min_samples_leaf", "increase", "bigger leaves average over more samples"),
    ("n_neighbors", "increase", "more neighbours smooth the decision"),
    ("early_stopping", "set to True", "stop at the best validation epoch"),
]

_OPPOSITE = {"increase": "decrease", "decrease": "increase", "set to True": None}


def advice_for(estimator, verdict, converged):
    """Return a list of ``(hyperparameter, action, reason)`` for ``verdict``.

    Only hyperparameters the estimator actually has (``get_params(deep=True)``, so
    pipeline steps count) are named.
    """
    params = estimator.get_params(deep=True)
    advice = []
    if verdict == "diverged":
        return [(name, "decrease", "training diverged: the loss grew instead of falling")
                for name in params if name.split("__")[-1] == "learning_rate"]
    if verdict in ("overfitting", "underfitting"):
        for knob, action, why in KNOBS:
            if verdict == "underfitting":
                action = _OPPOSITE[action]
            if action is None:
                continue
            for name in params:
                if name == knob or name.endswith("__" + knob):
                    advice.append((name, action, why))
    if converged is False and verdict != "overfitting":
        for name in params:
            if name.split("__")[-1] in ("max_epochs", "max_iter"):
                advice.append((name, "increase", "the training loss was still falling"))
            if name.split("__")[-1] == "learning_rate" and verdict == "underfitting":
                advice.append((name, "increase", "training had not converged"))
    return advice
