"""MLPClassifier, and the classifier constraints shared with ConvNetClassifier."""

from .._compat import StrOptions
from .._engine._targets import GradientClassifierMixin, loss_constraint
from ._base import BaseNeuralNetwork
from ._network_docstrings import fill_network_doc

__all__ = ["MLPClassifier"]

CLASSIFIER_CONSTRAINTS = {
    "loss": loss_constraint("classification"),
    "class_weight": [dict, StrOptions({"balanced"}), None],
}


@fill_network_doc
class MLPClassifier(GradientClassifierMixin, BaseNeuralNetwork):
    """Multi-layer perceptron classifier trained by mini-batch gradient descent.

    Parameters
    ----------
%(network_parameters)s
    loss : {%(classification_losses)s} or Loss, default="log_loss"
        Training loss on the output layer: softmax (or sigmoid for two classes)
        cross-entropy, or one-vs-rest margin losses (no ``predict_proba``).
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.
%(training_parameters)s

    Attributes
    ----------
%(network_attributes)s
    classes_ : ndarray of shape (n_classes,)
%(learned_training_attributes)s

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_hp.neural_network import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier((16,), learning_rate=0.01, random_state=0).fit(X, y)
    >>> [w.shape for w in clf.weights_]
    [(4, 16), (16, 3)]
    """

    _parameter_constraints = {**BaseNeuralNetwork._parameter_constraints, **CLASSIFIER_CONSTRAINTS}

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        weight_init="glorot_uniform",
        loss="log_loss",
        class_weight=None,
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
        self.class_weight = class_weight
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
