"""MLPRegressor: a multi-layer perceptron for (multi-output) regression."""


from .._engine._targets import GradientRegressorMixin, loss_constraint
from ._base import BaseNeuralNetwork
from ._network_docstrings import fill_network_doc

__all__ = ["MLPRegressor"]


@fill_network_doc
class MLPRegressor(GradientRegressorMixin, BaseNeuralNetwork):
    """Multi-layer perceptron regressor trained by mini-batch gradient descent.

    Parameters
    ----------
%(network_parameters)s
    loss : {%(regression_losses)s} or Loss, default="squared_error"
        Training loss on the linear output layer.
%(training_parameters)s

    Attributes
    ----------
%(network_attributes)s
%(learned_training_attributes)s

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn_hp.neural_network import MLPRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, random_state=0)
    >>> reg = MLPRegressor((32,), learning_rate=0.01, random_state=0).fit(X, y / 100)
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    _parameter_constraints = {
        **BaseNeuralNetwork._parameter_constraints,
        "loss": loss_constraint("regression"),
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        weight_init="glorot_uniform",
        loss="squared_error",
        penalty="l2",
        alpha=1e-4,
        l1_ratio=0.15,
        optimizer="adam",
        learning_rate="auto",
        lr_schedule="constant",
        momentum=0.9,
        batch_size="auto",
        max_epochs=200,
        tol=1e-4,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        shuffle=True,
        random_state=None,
        warm_start=False,
        verbose=0,
        callbacks=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.weight_init = weight_init
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.lr_schedule = lr_schedule
        self.momentum = momentum
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.callbacks = callbacks

