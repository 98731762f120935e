"""Hostile files are refused with one clear message, run nothing, and stay small in memory.

The files live in ``tests/persistence/attacks/`` and are written by
``make_attack_files.py`` and ``make_memory_attack_files.py`` beside this test.
"""

import re
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from sklearn_hp.cli import main
from sklearn_hp.persistence import ModelFileError, TrustedClasses, load

pytest.importorskip("skops")

ATTACKS = Path(__file__).resolve().parent / "attacks"
MARKER_MODULE = "sklearn_hp_attack_marker"
MARKER = "pwned_marker"

#: file -> the words its refusal must contain.
EXPECTED = {
    "import_sklearn_hp_main.skhp": "'sklearn_hp.__main__.Main' is not in the trusted "
                                   "registry",
    "import_marker_module.skhp": f"'{MARKER_MODULE}.Evil' is not in the trusted registry",
    "import_marker_in_learned.skhp": f"'{MARKER_MODULE}.Evil' is not in the trusted registry",
    "function_os_system.skhp": "'os.system' is not in the trusted registry",
    "state_dunder.skhp": "learned attribute '__class__' is a dunder name",
    "state_method.skhp": "learned attribute 'predict' would replace the function "
                         "LogisticClassifier.predict",
    "state_get_params.skhp": "learned attribute 'get_params' would replace the function",
    "invalid_alpha.skhp": re.escape("The 'alpha' parameter of LogisticClassifier must be a "
                                    "float in the range [0.0, inf). Got -5 instead"),
    "pipeline_memory.skhp": "memory='planted_cache' is refused: joblib would read cached "
                            "pickles from it",
    "pipeline_memory_in_learned.skhp": "Pipeline: memory='planted_cache' is refused",
    "search_pre_dispatch_eval.skhp": "pre_dispatch=.* is refused: joblib evaluates it as Python",
    "search_n_jobs.skhp": "n_jobs=1000000 is refused; accepted: None or a non-zero integer",
    "array_altered.skhp": "does not match its SHA-256 in the manifest",
    "array_wrong_shape.skhp": r"holds shape \(4, 3\) of float64, but the manifest says shape "
                              r"\(3, 4\)",
    "array_wrong_dtype.skhp": "holds shape \\(3, 4\\) of int64, but the manifest says shape "
                              "\\(3, 4\\) of <f8",
    "array_shape_vs_bytes.skhp": r"declares shape \(5, 4\) of float64 \(160 bytes\) but holds "
                                 "96 bytes",
    "array_shape_1e13.skhp": r"declares shape \(10000000000000,\) of float64 "
                             r"\(80000000000000 bytes\), over max_array_bytes",
    "deep_hyperparameters.skhp": "hyperparameters.json nests 1000\\d\\d levels deep, over "
                                 "max_depth=200",
    "deep_schema.skhp": "schema.json nests 1000\\d\\d levels deep",
    "deep_json_value.skhp": "a JSON value nests 100000 levels deep",
    "deep.json": "deep.json nests 1000\\d\\d levels deep",
    "bomb_unlisted.skhp": "holds member 'bomb.bin' \\(declared 1073741824 bytes\\) that its "
                          "manifest does not list",
    "bomb_listed.skhp": r"loading it would take 1,074,\d{3},\d{3} bytes of memory, over "
                        r"max_bytes=3\d,\d{3},\d{3} \(the default for a 5,\d{3}-byte file.*"
                        r"the largest part is member 'bomb.bin', 1,073,741,824 bytes",
    "array_bzip2_1gib.skhp": r"loading it would take 1,07\d,\d{3},\d{3} bytes of memory, over "
                             r"max_bytes=3\d,\d{3},\d{3} .* the largest part is member "
                             r"'\d+\.npy', 1,073,741,952 bytes",
    "array_referenced_32_times.skhp": r"the largest part is member '\d+\.npy' \(its copy and "
                                      r"its array\), 536,879,104 bytes",
    "constructor_ndarray_6gib.skhp": r"a numpy.ndarray of 6,442,450,944 bytes \(shape "
                                     r"\[805306368\]\) is built from arguments in the file, "
                                     r"over max_array_bytes=2147483648",
    "constructor_lil_matrix.skhp": "scipy.sparse._lil.lil_matrix is built by calling it with "
                                   "arguments from the file",
    "generator_pool_size_2e31.skhp": r"loading it would take 8,5\d\d,\d{3},\d{3} bytes of "
                                     r"memory, .* the largest part is random generators, "
                                     r"8,589,942,784 bytes",
    "json_value_of_empty_lists.skhp": r"loading it would take 288,\d{3},\d{3} bytes .* the "
                                      r"largest part is member 'schema.json' parsed",
    "zip_size_forged.skhp": r"declares 10,000,000 bytes from \d+ deflated bytes, more than "
                            r"deflated data can hold; the header is forged",
    "zip_size_understated.skhp": "cannot be read \\(Bad CRC-32",
    "search_storage.skhp": "storage='trials.db' is refused: a search would read and write "
                           "trials there",
    "search_checkpoint_dir.skhp": "checkpoint_dir='planted_ckpt' is a path",
    "truncated.skhp": "is truncated or damaged",
    "empty.skhp": "is empty",
    "array.npy": "is a numpy .npy array, not a model file",
    "model.pkl": "is a Python pickle, which is never loaded",
    "notes.txt": "is not a model file written by sklearn_hp.persistence.save",
}


def test_every_fixture_is_covered():
    assert {p.name for p in ATTACKS.iterdir()} == set(EXPECTED)


@pytest.fixture(scope="module", autouse=True)
def _warm_registry():
    TrustedClasses().complete()  # build it once, so memory measured below is the load's alone


@pytest.fixture
def trap(tmp_path, monkeypatch):
    """A module whose import, and a pickle cache whose reading, would create the marker."""
    (tmp_path / f"{MARKER_MODULE}.py").write_text(
        f"open({str(tmp_path / MARKER)!r}, 'w').close()\nclass Evil:\n    pass\n")
    (tmp_path / "planted_cache").mkdir()
    (tmp_path / "planted_cache" / "func_code.pkl").write_bytes(
        (ATTACKS / "model.pkl").read_bytes())
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    assert not (tmp_path / MARKER).exists(), "the attack ran code"
    assert MARKER_MODULE not in sys.modules
    assert "sklearn_hp.__main__" not in sys.modules


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_attack_is_refused_before_anything_runs(name, trap):
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=EXPECTED[name]) as caught:
            load(ATTACKS / name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(caught.value)
    assert message.startswith(str(ATTACKS / name))  # names the file
    assert "\n" not in message
    assert peak < 200 * 2**20, f"{peak / 2**20:.0f} MB"


def test_caps_can_be_raised_by_the_caller(trap):
    # over the default cap; within a raised one the bzip2 member is refused unread
    with pytest.raises(ModelFileError, match="member 'bomb.bin' is compressed with bzip2; "
                                             "only stored and deflated members are read"):
        load(ATTACKS / "bomb_listed.skhp", max_bytes=2**31)
    with pytest.raises(ModelFileError, match="'bomb.bin' is 1073741824 bytes decompressed, "
                                             "over max_array_bytes=1000000; raise it"):
        load(ATTACKS / "bomb_listed.skhp", max_array_bytes=10**6)


def test_bomb_really_is_a_gigabyte_in_under_ten_kilobytes():
    with zipfile.ZipFile(ATTACKS / "bomb_unlisted.skhp") as archive:
        info = archive.getinfo("bomb.bin")
    assert info.file_size == 2**30 and info.compress_size < 10_000


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_inspect_turns_each_into_one_line_and_exit_code_2(name, trap, capsys):
    assert main(["inspect", str(ATTACKS / name)], out=lambda *a: None) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("sklearn-hp inspect: error: ")
    assert str(ATTACKS / name) in err
