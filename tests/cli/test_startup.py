"""The command line starts without importing what only one command needs, and
``tune --help`` lists every setting ``tune`` fixes on its named models."""

import json
import subprocess
import sys

import pytest

from sklearn_hp.cli import COMMANDS, build_parser
from sklearn_hp.cli._models import FIXED, SPACES

HEAVY = ("sklearn", "sklearn.metrics", "scipy", "pandas", "matplotlib", "skops",
         "sklearn_hp.search", "sklearn_hp.persistence")


def _imported_after(code):
    """The modules of ``HEAVY`` a fresh interpreter holds after running ``code``."""
    probe = (f"import sys\n{code}\n"
             f"print('@@' + __import__('json').dumps([m for m in {HEAVY!r} "
             "if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.rsplit("@@", 1)[1])


def test_importing_the_command_line_imports_no_heavy_package():
    assert _imported_after("import sklearn_hp.cli") == []


def test_top_level_help_imports_no_heavy_package():
    code = ("from sklearn_hp.cli import main\n"
            "assert main(['--help'], out=lambda line: None) == 0")
    assert _imported_after(code) == []


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_command_help_imports_no_heavy_package(command):
    # tune's help describes its models' default spaces from plain data (_catalog)
    code = ("import contextlib, io\nfrom sklearn_hp.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert main([{command!r}, '--help']) == 0")
    assert _imported_after(code) == []


def test_the_default_spaces_help_describes_are_those_tune_searches(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["tune", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert ("mlp: hidden_layer_sizes one of (32,), (64,), (128,), (64, 32), learning_rate "
            "0.0001 to 0.03 (log scale), alpha 1e-06 to 1 (log scale), batch_size one of 32, "
            "64, 128;") in text
    assert "dropout 0 to 0.5." in text
    # the spaces searched are built from the same data, by the --space file parser
    mlp = SPACES["mlp"]
    assert (mlp["learning_rate"].low, mlp["learning_rate"].high) == (1e-4, 3e-2)
    assert mlp["learning_rate"].log and not SPACES["convnet"]["dropout"].log
    assert list(mlp["hidden_layer_sizes"].choices) == [(32,), (64,), (128,), (64, 32)]
    assert list(SPACES["logistic"]["penalty"].choices) == ["l2", "l1"]


def test_tune_help_shows_every_setting_tune_fixes(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["tune", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    fixes = text.split("Settings tune fixes on the named models", 1)[1]
    for model, settings in FIXED.items():
        words = f"{model} " + ", ".join(f"{k}={v!r}" for k, v in settings.items())
        assert " ".join(words.split()) in fixes, words
    assert "mlp max_epochs=40" in fixes and "--set overrides them" in fixes


def test_the_catalog_names_the_models_tune_builds():
    from sklearn_hp.cli._catalog import MODEL_NAMES, SPACE_SPECS
    from sklearn_hp.cli._models import MODELS

    assert tuple(MODELS) == MODEL_NAMES == tuple(FIXED) == tuple(SPACE_SPECS) == tuple(SPACES)
