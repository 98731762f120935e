import numpy as np
import pytest
from scipy import stats

from sklearn_hp.search import Categorical, Integer, Real, SearchSpace


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Real(1.0, 1.0), "low=1.0 and high=1.0"),
        (lambda: Real(2.0, 1.0), "low=2.0 and high=1.0"),
        (lambda: Real(0.0, 1.0, log=True), "log=True needs low > 0, got low=0.0"),
        (lambda: Integer(-1, 5, log=True), "log=True needs low > 0, got low=-1"),
        (lambda: Integer(5, 5), "low=5 and high=5"),
        (lambda: Integer(0.5, 5), "must be an integer, got low=0.5"),
        (lambda: Categorical([]), "at least one value"),
        (lambda: SearchSpace({"a": []}), "'a': empty list"),
        (lambda: SearchSpace({"a": 3.0}), "'a': 3.0 is not a valid search dimension"),
        (lambda: SearchSpace([]), "must not be empty"),
    ],
)
def test_bad_spaces_raise_clear_errors(make, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        make()


def test_real_log_encoding_roundtrip():
    dim = Real(1e-4, 1e-1, log=True)
    values = [1e-4, 1e-3, 1e-2, 1e-1]
    encoded = dim.encode(values)
    np.testing.assert_allclose(encoded[:, 0], [0, 1 / 3, 2 / 3, 1], atol=1e-12)
    np.testing.assert_allclose(dim.decode(encoded), values, rtol=1e-12)


def test_integer_from_unit_covers_every_value_evenly():
    dim = Integer(1, 4)
    values = dim.from_unit((np.arange(400) + 0.5) / 400)
    assert np.bincount(values, minlength=5)[1:].tolist() == [100, 100, 100, 100]
    assert dim.decode(dim.encode([1, 2, 3, 4])) == [1, 2, 3, 4]


def test_categorical_one_hot():
    dim = Categorical(["a", None, 3])
    encoded = dim.encode([None, 3, "a"])
    np.testing.assert_array_equal(encoded, [[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    assert dim.decode(encoded) == [None, 3, "a"]


def test_frozen_distribution_encoding_uses_cdf_and_ppf():
    space = SearchSpace({"c": stats.loguniform(1e-2, 1e2), "n": stats.randint(1, 5),
                         "z": stats.norm(0, 1)})
    sub = space.subspaces[0]
    params = sub.from_unit(np.array([[0.5, 0.0, 0.5]]))[0]
    assert params["c"] == pytest.approx(1.0)
    assert params["n"] == 1 and params["z"] == pytest.approx(0.0, abs=1e-12)
    # unbounded normal: bounded by the 0.1% quantiles
    assert sub.from_unit(np.array([[0, 0, 1.0]]))[0]["z"] == pytest.approx(stats.norm.ppf(0.999))
    encoded = sub.encode([{"c": 1.0, "n": 4, "z": 0.0}])
    np.testing.assert_allclose(encoded, [[0.5, 0.875, 0.5]])


def test_dimensions_draw_like_distributions():
    draws = Real(0, 1).rvs(size=2000, random_state=0)
    assert np.mean(draws) == pytest.approx(0.5, abs=0.02)
    assert Categorical(["x"]).rvs(random_state=1) == "x"


def test_conditional_space_assigns_params_to_subspaces():
    space = SearchSpace([
        {"kernel": ["linear"], "C": Real(0.1, 10)},
        {"kernel": ["rbf"], "C": Real(0.1, 10), "gamma": Real(1e-3, 1, log=True)},
    ])
    assert space.n_subspaces == 2
    assert space.subspace_index({"kernel": "rbf", "C": 1.0, "gamma": 0.1}) == 1
    assert space.subspace_index({"kernel": "linear", "C": 1.0}) == 0
    assert space.subspace_index({"other": 1}) == -1
    assert space.subspaces[1].n_columns == 3


def test_joint_space_shares_parameters_and_pins_inactive_ones():
    space = SearchSpace([
        {"kernel": ["linear"], "C": Real(0.1, 10)},
        {"kernel": ["rbf"], "C": Real(0.1, 10), "gamma": Real(1e-3, 1, log=True)},
        {"kernel": ["poly"], "C": Real(0.1, 100), "degree": Integer(2, 5)},
    ])
    joint = space.joint
    # branch (3 one-hot columns), C shared by linear and rbf, gamma, poly's own C, degree;
    # the one-value kernel lists have no column
    assert joint.names == ["<branch>", "C", "gamma", "C", "degree"]
    assert joint.n_columns == 7
    params = [{"kernel": "linear", "C": 10.0},
              {"kernel": "rbf", "C": 0.1, "gamma": 0.001},
              {"kernel": "poly", "C": 100.0, "degree": 2}]
    X = joint.encode(params)
    np.testing.assert_allclose(X, [[1, 0, 0, 1.0, 0.5, 0.5, 0.5],
                                   [0, 1, 0, 0.0, 0.0, 0.5, 0.5],
                                   [0, 0, 1, 0.5, 0.5, 1.0, 0.125]])
    assert joint.decode(X) == params
    # moving an inactive column changes nothing: it decodes and snaps back to its pin
    moved = X.copy()
    moved[0, 4] = 0.9
    assert joint.decode(moved)[0] == params[0]
    np.testing.assert_array_equal(joint.snap(moved), X)
    np.testing.assert_array_equal(joint.pin(moved), X)
    assert joint.active_columns(X)[0].tolist() == [True] * 4 + [False] * 3


class _RvsOnly:
    def rvs(self, size=None, random_state=None):
        return 0.5


def test_distribution_without_ppf_works_for_random_sampling_only():
    space = SearchSpace({"a": _RvsOnly()})
    sub = space.subspaces[0]
    with pytest.raises(TypeError, match="need ppf and cdf.*only has rvs"):
        sub.from_unit(np.array([[0.3]]))
    from sklearn_hp.search import RandomSampler

    assert RandomSampler().propose(space, [], 2, np.random.RandomState(0)) == [{"a": 0.5}] * 2


def test_integer_log_scale_spreads_small_values():
    dim = Integer(1, 1000, log=True)
    values = np.array(dim.from_unit(np.linspace(0, 1, 101)))
    assert values[0] == 1 and values[-1] == 1000
    assert np.sum(values <= 10) >= 30  # a third of the axis below 10 on a log scale
    np.testing.assert_array_equal(dim.decode(dim.encode([1, 10, 100, 1000])), [1, 10, 100, 1000])


def test_bounds_decode_to_the_bounds_themselves():
    assert Real(1e-3, 1e3, log=True).from_unit(np.array([0.0, 1.0])) == [1e-3, 1e3]
    assert Real(0.0, 0.5).from_unit(np.array([1.0])) == [0.5]


def test_distinct_points_are_counted_enumerated_and_keyed():
    space = SearchSpace([{"n": Integer(1, 3), "c": ["u", "v"]},
                         {"k": stats.randint(0, 4), "x": Real(0, 1)}])
    assert space.n_points == np.inf and space.subspaces[0].n_points == 6
    assert space.subspaces[1].dimensions[0].n_values == 4
    sub = space.subspaces[0]
    points = sub.all_points()
    assert sorted((p["n"], p["c"]) for p in sub.decode(points)) == [
        (n, c) for n in (1, 2, 3) for c in ("u", "v")]
    # keys compare after rounding and decoding: 1.2 and 0.8 both round to the integer 1
    near = sub.encode([{"n": 1, "c": "u"}])
    near[0, 0] += 0.05
    assert sub.keys(near) == sub.keys(sub.encode([{"n": 1, "c": "u"}]))
    assert len(set(sub.keys(points))) == 6


def _first_containing_then_first_named(space, params):
    """The rule of ``subspace_index``, written out: every sub-space's values checked."""
    for i, sub in enumerate(space.subspaces):
        if sub.contains(params):
            return i
    for i, sub in enumerate(space.subspaces):
        if set(params) == set(sub.names):
            return i
    return -1


def test_subspace_index_looks_up_names_and_checks_values_only_among_namesakes():
    space = SearchSpace([
        {"kernel": ["linear"], "C": Real(0.1, 10)},
        {"kernel": ["rbf"], "C": Real(0.1, 10), "gamma": Real(1e-3, 1, log=True)},
        {"kernel": ["poly"], "C": Real(5, 100)},  # the names of the first
    ])
    dicts = [{"kernel": k, "C": c} for k in ("linear", "poly", "rbf") for c in (1.0, 50.0, 500)]
    dicts += [{"kernel": "rbf", "C": 1.0, "gamma": g} for g in (0.01, 5.0)]
    dicts += [{"kernel": "rbf"}, {"kernel": "rbf", "C": 1.0, "gamma": 0.1, "x": 1}, {}]
    expected = [_first_containing_then_first_named(space, p) for p in dicts]
    assert [space.subspace_index(p) for p in dicts] == expected
    assert space.subspace_indices(dicts).tolist() == expected
    # among the namesakes only poly with C=50 is in sub-space 2; the other linear and
    # poly dicts are in none and go to the first of them
    assert expected[:6] == [0, 0, 0, 0, 2, 0] and expected[-3:] == [-1, -1, -1]


def test_snap_equals_encoding_the_decoded_values_bit_for_bit():
    space = SearchSpace([
        {"a": Real(1e-4, 1.0, log=True), "b": Real(-1.0, 1.0), "i": Integer(1, 100, log=True),
         "j": Integer(-3, 3), "c": Categorical(["x", None, "x", 3]),
         "d": stats.loguniform(1e-3, 1), "e": stats.randint(0, 5)},
        {"b": Real(-1.0, 1.0), "k": ["p", "q"]},
    ])
    rng = np.random.RandomState(0)
    for sub in space.subspaces + [space.joint]:
        X = rng.uniform(-0.1, 1.1, size=(500, sub.n_columns))
        X[:3], X[3:6] = 0.0, 1.0
        np.testing.assert_array_equal(sub.snap(X), sub.encode(sub.decode(X)))
    # a choice listed twice snaps to its first place
    np.testing.assert_array_equal(Categorical(["x", None, "x"]).snap(np.array([[0, 0, 1.0]])),
                                  [[1.0, 0, 0]])
