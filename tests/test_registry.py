"""The one registry shape: names to classes, one error, generated constraints and docs."""

from pathlib import Path

import pytest

from sklearn_hp import LinearRegressor, MLPClassifier
from sklearn_hp._compat import InvalidParameterError
from sklearn_hp._registry import Registry
from sklearn_hp.nn import ACTIVATIONS, INITIALIZERS, LOSSES, Activation, ReLU
from sklearn_hp.optim import OPTIMIZERS, SGD
from sklearn_hp.testing import all_registries, building_blocks_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_extension_point_is_a_registry_of_classes():
    kinds = {r.kind for r in all_registries()}
    assert kinds == {"optimizer", "lr_schedule", "activation", "loss", "weight_init",
                     "penalty", "layer", "sampler"}
    for registry in all_registries():
        assert isinstance(registry, Registry)
        for name in registry:
            assert issubclass(registry[name].cls, registry.base), (registry.kind, name)


def test_names_resolve_to_fresh_objects_and_objects_to_themselves():
    assert OPTIMIZERS.resolve("nesterov", momentum=0.7).get_params() == {
        "momentum": 0.7, "nesterov": True}
    assert OPTIMIZERS.resolve("sgd", momentum=0.7).get_params()["momentum"] == 0.0
    assert OPTIMIZERS.resolve("adam") is not OPTIMIZERS.resolve("adam")
    relu = ReLU()
    assert ACTIVATIONS.resolve(relu) is relu
    assert LOSSES.resolve("huber", delta=0.5).delta == 0.5
    assert INITIALIZERS["he"] is INITIALIZERS["he_normal"]


@pytest.mark.parametrize("value, start", [("swish", "Unknown activation 'swish'"),
                                          (3, "Unsupported activation 3")])
def test_one_error_names_the_value_and_what_is_accepted(value, start):
    with pytest.raises(InvalidParameterError) as error:
        ACTIVATIONS.resolve(value)
    message = str(error.value)
    assert message.startswith(start)
    assert str(sorted(ACTIVATIONS)) in message and "sklearn_hp.nn.Activation object" in message
    assert isinstance(error.value, ValueError) and isinstance(error.value, TypeError)


def test_registration_is_checked_and_undone():
    with pytest.raises(ValueError, match="'relu'.*taken"):
        ACTIVATIONS.register("relu", ReLU)
    with pytest.raises(TypeError, match="Register a class"):
        ACTIVATIONS.register("relu2", ReLU())

    @ACTIVATIONS.register("square")
    class Square(Activation):
        def forward(self, x):
            return x * x

        def backward(self, grad, x, y):
            return 2 * x * grad

    try:
        assert ACTIVATIONS.resolve("square").forward(3.0) == 9.0
        assert Square().name == "square"
    finally:
        ACTIVATIONS.unregister("square")
    assert "square" not in ACTIVATIONS


def test_constraints_follow_the_registry_and_filter_by_task():
    with pytest.raises(ValueError, match=r"'loss' parameter of LinearRegressor") as error:
        LinearRegressor(loss="hinge").fit([[0.0], [1.0]], [0.0, 1.0])
    accepted = str(error.value).split("Got")[0]
    assert "'huber'" in accepted and "'hinge'" not in accepted
    OPTIMIZERS.register("heavy_ball", SGD, momentum=0.95)
    try:
        clf = MLPClassifier((4,), optimizer="heavy_ball", max_epochs=2, random_state=0)
        clf.fit([[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1])
        assert clf.n_iter_ == 2
    finally:
        OPTIMIZERS.unregister("heavy_ball")


def test_docstrings_list_the_registered_names():
    for name in ACTIVATIONS:
        assert f'"{name}"' in MLPClassifier.__doc__
    for name in OPTIMIZERS:
        assert f'"{name}"' in LinearRegressor.__doc__
    assert '{"squared_error", "absolute_error", "huber"} or Loss' in LinearRegressor.__doc__


def test_the_readme_table_of_building_blocks_is_generated_from_the_registries():
    assert building_blocks_table() in README.read_text(), (
        "README.md's table of building blocks is out of date; paste "
        "sklearn_hp.testing.building_blocks_table() in its place."
    )
