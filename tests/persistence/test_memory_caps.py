"""Memory a load takes is counted before it is taken, and capped relative to the file.

The hostile files are in ``tests/persistence/attacks/`` (``make_memory_attack_files.py``);
``test_attacks.py`` checks each message. Here: peak memory measured in a subprocess,
the count against real fitted models, the default cap, and ``storage``/``checkpoint_dir``.
"""

import json
import os
import random
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV

from sklearn_hp import BayesSearchCV, HyperbandSearchCV, LogisticClassifier
from sklearn_hp.persistence import ModelFileError, _archive, load, save
from sklearn_hp.persistence._archive import json_depth, load_limits
from sklearn_hp.search import MemoryStorage

pytest.importorskip("skops")

ATTACKS = Path(__file__).resolve().parent / "attacks"
ROOT = Path(__file__).resolve().parents[2]
X, y = load_iris(return_X_y=True)

#: Loads ``sys.argv[1]`` (kwargs in ``sys.argv[2]``) and prints the outcome, the
#: count, the peak RSS and its rise during the load, in MB.
_PROBE = r"""
import json, re, resource, sys
from sklearn_hp.persistence import TrustedClasses, _archive, _format, load
_format.require_skops()  # skops.io, imported as a load imports it
TrustedClasses().complete()  # what a load may import and build once, outside the measure
counted = []
check = _archive.Budget.check
_archive.Budget.check = lambda self: (counted.append(self.total), check(self))[1]
def peak():
    try:  # this process's own peak (ru_maxrss keeps the spawning process's across exec)
        with open("/proc/self/status") as status:
            return int(re.search(r"VmHWM:\s+(\d+) kB", status.read()).group(1)) / 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
try:
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # the peak starts again from what is resident now
except OSError:
    pass
before = peak()
try:
    load(sys.argv[1], **json.loads(sys.argv[2]))
    outcome = "loaded"
except Exception as error:
    outcome = f"{type(error).__name__}: {error}"
print(json.dumps({"outcome": outcome, "counted": counted[-1] if counted else 0,
                  "peak_mb": peak(), "rise_mb": peak() - before}))
"""


def _probe(path, **kwargs):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", _PROBE, str(path), json.dumps(kwargs)],
                          capture_output=True, text=True, timeout=300, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", ["array_bzip2_1gib.skhp", "array_referenced_32_times.skhp",
                                  "json_value_of_empty_lists.skhp"])
def test_small_bombs_are_refused_with_bounded_memory(name):
    size = (ATTACKS / name).stat().st_size
    assert size < 25_000
    result = _probe(ATTACKS / name)
    assert result["outcome"].startswith("ModelFileError: ")
    assert "over max_bytes=" in result["outcome"] and "the default for a" in result["outcome"]
    assert result["peak_mb"] < 300, result
    assert result["rise_mb"] < 30, result
    assert result["counted"] > 32 * 2**20 + 1024 * size  # the default cap


def test_raised_cap_lets_a_repeated_array_load_and_the_count_bounds_its_peak():
    result = _probe(ATTACKS / "array_referenced_32_times.skhp", max_bytes=2**30)
    assert result["outcome"] == "loaded"
    assert result["counted"] == 545_750_752  # 32 x (skops' copy + array) of 8 MiB, and more
    assert 0.5 * result["counted"] / 2**20 < result["rise_mb"] <= result["counted"] / 2**20 + 8


def test_constructor_built_array_is_counted_against_both_caps():
    with pytest.raises(ModelFileError, match=r"a numpy.ndarray of 6,442,450,944 bytes"):
        load(ATTACKS / "constructor_ndarray_6gib.skhp")
    with pytest.raises(ModelFileError, match=r"over max_bytes=1,000,000,000; the largest part "
                                             r"is numpy.ndarray built from arguments, "
                                             r"6,442,450,944 bytes"):
        load(ATTACKS / "constructor_ndarray_6gib.skhp", max_array_bytes=2**40,
             max_bytes=10**9)


def _count(path, **kwargs):
    counted = []
    check = _archive.Budget.check

    def record(self):
        counted.append(self.total)
        return check(self)
    _archive.Budget.check = record
    try:
        loaded = load(path, **kwargs)
    finally:
        _archive.Budget.check = check
    return loaded, counted[-1]


def test_json_heavy_search_loads_by_default_and_a_byte_less_refuses_it(tmp_path):
    # the files save writes that count most per byte: searches over many candidates
    search = GridSearchCV(DummyClassifier(), {"strategy": ["prior", "uniform"],
                                              "constant": list(range(500))}, cv=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    path = tmp_path / "search.skhp"
    save(search, path)
    size = path.stat().st_size
    loaded, counted = _count(path)
    assert len(loaded.cv_results_["params"]) == 1000
    # about 260 x its size (the schema is written compact; indented, 300 x and more)
    assert 200 * size < counted < load_limits(path, None, 1, 1).max_bytes
    with pytest.raises(ModelFileError) as caught:
        load(path, max_bytes=counted - 1)
    message = str(caught.value)
    assert f"loading it would take {counted:,} bytes of memory, over max_bytes=" \
           f"{counted - 1:,}; the largest part is member 'schema.json' parsed" in message
    assert "If you trust the file, pass load(..., max_bytes=" in message
    assert load(path, max_bytes=counted).best_params_ == search.best_params_


def test_forest_count_bounds_the_measured_peak(tmp_path):
    digits, labels = load_digits(return_X_y=True)
    forest = RandomForestClassifier(40, random_state=0).fit(digits, labels)
    path = tmp_path / "forest.skhp"
    save(forest, path)
    result = _probe(path)
    assert result["outcome"] == "loaded"
    ratio = result["counted"] / path.stat().st_size
    assert 5 < ratio < 40, ratio  # far under the default's 1024
    assert result["rise_mb"] <= result["counted"] / 2**20 + 8, result


def test_default_cap_follows_the_file_size(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(bytes(1000))
    limits = load_limits(path, None, 5, 6)
    assert limits.max_bytes == 32 * 2**20 + 1024 * 1000
    assert "the default for a 1,000-byte file" in limits.origin
    assert load_limits(path, 123, 5, 6).max_bytes == 123
    with open(path, "r+b") as handle:
        handle.truncate(3 * 2**20)
    assert load_limits(path, None, 5, 6).max_bytes == 2**31


def _depth_by_hand(text):
    depth = deepest = 0
    inside = escaped = False
    for char in text:
        was_escaped, escaped = escaped, char == "\\" and not escaped
        if char == '"' and not was_escaped:
            inside = not inside
        elif not inside and char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif not inside and char in "]}":
            depth -= 1
    return deepest


def test_json_depth_agrees_with_a_character_walk_across_chunks():
    rng = random.Random(0)
    for _ in range(2000):
        text = "".join(rng.choice('[]{}"\\ab,') for _ in range(rng.randrange(1, 40)))
        for chunk in (1, 3, 2**20):
            assert json_depth(text, chunk=chunk) == _depth_by_hand(text), text
    assert json_depth(json.dumps({"a": ["[[", "\\\"[["], "b": [[[1]]]})) == 4


def test_storage_and_checkpoint_dir_are_saved_as_none_with_a_warning(tmp_path):
    search = HyperbandSearchCV(LogisticClassifier(), {"alpha": [1e-4, 1e-2]}, max_resource=4,
                               cv=2, storage=str(tmp_path / "trials.db"),
                               checkpoint_dir=str(tmp_path / "ckpt"))
    bayes = BayesSearchCV(LogisticClassifier(max_epochs=3), {"alpha": [1e-4, 1e-2]},
                          n_iter=2, cv=2, storage=MemoryStorage())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
        bayes.fit(X, y)
    with pytest.warns(UserWarning) as record:
        save(search, tmp_path / "hb.skhp")
        save(bayes, tmp_path / "bayes.skhp")
    saved_as_none = sorted(str(w.message).split(" is saved as None")[0] for w in record
                           if "is saved as None" in str(w.message))
    assert saved_as_none[0].startswith("BayesSearchCV.storage=<sklearn_hp.search")
    assert saved_as_none[1:] == [f"HyperbandSearchCV.checkpoint_dir={str(tmp_path / 'ckpt')!r}",
                                 f"HyperbandSearchCV.storage={str(tmp_path / 'trials.db')!r}"]
    loaded = load(tmp_path / "hb.skhp")
    assert (loaded.storage, loaded.checkpoint_dir) == (None, None)
    assert load(tmp_path / "bayes.skhp").storage is None
    assert search.storage == str(tmp_path / "trials.db")  # the search itself is untouched


def test_skops_before_0_13_is_refused(monkeypatch, tmp_path):
    import skops

    text = (ROOT / "pyproject.toml").read_text()
    assert text.count('"skops>=0.13"') == 2 and text.count("skops") == 2
    monkeypatch.setattr(skops, "__version__", "0.12.0")
    with pytest.raises(ImportError, match="skops 0.12.0 is installed; saving and loading "
                                          "models needs skops 0.13 or later"):
        save(LogisticClassifier(), tmp_path / "m.skhp")
