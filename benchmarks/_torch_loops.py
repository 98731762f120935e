"""Plain PyTorch CPU training loops, the peer of our networks in the benchmarks.

What a tabular user would write (and what skorch runs): a ``torch.nn.Sequential``,
Adam, cross-entropy on logits, shuffled mini-batches indexed from tensors that hold
the whole training set. L2 on the weights (not the biases) goes through Adam's
``weight_decay``, which adds ``decay * w`` to the gradient as ours does.
"""

import numpy as np
import torch
from torch import nn


def _train(model, X, y, *, epochs, batch_size, learning_rate, alpha, seed):
    weights = [p for p in model.parameters() if p.ndim > 1]
    biases = [p for p in model.parameters() if p.ndim <= 1]
    optimizer = torch.optim.Adam(
        [{"params": weights, "weight_decay": alpha}, {"params": biases, "weight_decay": 0.0}],
        lr=learning_rate,
    )
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(seed)
    n = X.shape[0]
    model.train()
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(X[idx]), y[idx])
            loss.backward()
            optimizer.step()
    model.eval()
    return model


class TorchClassifier:
    """Fit and score a PyTorch network like a scikit-learn classifier.

    Parameters
    ----------
    build : callable
        ``build(n_features, n_classes) -> torch.nn.Module`` (float32 parameters).
    epochs, batch_size, learning_rate, alpha : training settings
    dtype : numpy dtype
        Parameters and data are cast to it.
    reshape : tuple or None
        Per-sample shape the flat rows are viewed as (e.g. ``(1, 28, 28)`` images).
    """

    def __init__(self, build, *, epochs, batch_size, learning_rate=1e-3, alpha=0.0,
                 dtype=np.float32, reshape=None, seed=0):
        self.build, self.epochs, self.batch_size = build, epochs, batch_size
        self.learning_rate, self.alpha, self.dtype = learning_rate, alpha, dtype
        self.reshape, self.seed = reshape, seed

    def _tensor(self, X):
        X = torch.from_numpy(np.ascontiguousarray(X, dtype=self.dtype))
        return X if self.reshape is None else X.reshape((X.shape[0], *self.reshape))

    def fit(self, X, y):
        torch.manual_seed(self.seed)
        self.classes_, codes = np.unique(y, return_inverse=True)
        model = self.build(X.shape[1], len(self.classes_))
        self.model_ = model.to(torch.float64 if self.dtype == np.float64 else torch.float32)
        _train(self.model_, self._tensor(X), torch.from_numpy(codes.astype(np.int64)),
               epochs=self.epochs, batch_size=self.batch_size,
               learning_rate=self.learning_rate, alpha=self.alpha, seed=self.seed)
        return self

    def predict(self, X):
        with torch.no_grad():
            return self.classes_[self.model_(self._tensor(X)).argmax(1).numpy()]

    def score(self, X, y):
        return float(np.mean(self.predict(X) == y))


def mlp(hidden):
    """Builder of a ReLU MLP with the given hidden widths."""

    def build(n_features, n_classes):
        sizes = [n_features, *hidden]
        layers = []
        for a, b in zip(sizes, sizes[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        return nn.Sequential(*layers, nn.Linear(sizes[-1], n_classes))

    return build


def convnet(image_side, filters, hidden):
    """Builder of conv(3x3, same) -> ReLU -> 2x2 max-pool blocks, then a ReLU MLP."""

    def build(n_features, n_classes):
        layers, channels, side = [], 1, image_side
        for f in filters:
            layers += [nn.Conv2d(channels, f, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
            channels, side = f, side // 2
        sizes = [channels * side * side, *hidden]
        layers.append(nn.Flatten())
        for a, b in zip(sizes, sizes[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        return nn.Sequential(*layers, nn.Linear(sizes[-1], n_classes))

    return build
