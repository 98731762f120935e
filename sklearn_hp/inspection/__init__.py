"""See the hyperparameters and the learned parameters of an estimator apart."""

from ._split import count_parameters, hyperparameters, learned_parameters

__all__ = ["count_parameters", "hyperparameters", "learned_parameters"]
