"""The command line starts without importing what only one command needs, and
``tune --help`` lists every setting ``tune`` fixes on its named models."""

import json
import subprocess
import sys

import pytest

from sklearn_hp.cli import build_parser
from sklearn_hp.cli._models import FIXED

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


@pytest.mark.parametrize("command, absent", [
    ("predict", HEAVY),  # their options need nothing
    ("demo", HEAVY),
    # tune's help shows its models' spaces (scikit-learn, which imports pandas if present)
    ("tune", ("matplotlib", "skops", "sklearn_hp.persistence")),
])
def test_a_command_help_imports_only_what_its_options_need(command, absent):
    code = ("import contextlib, io\nfrom sklearn_hp.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert main([{command!r}, '--help']) == 0")
    assert set(_imported_after(code)) & set(absent) == set()


def test_tune_help_shows_every_setting_tune_fixes(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["tune", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    fixes = text.split("Settings tune fixes on the named models", 1)[1]
    for model, settings in FIXED.items():
        words = f"{model} " + ", ".join(f"{k}={v!r}" for k, v in settings.items())
        assert " ".join(words.split()) in fixes, words
    assert "mlp max_epochs=40" in fixes and "--set overrides them" in fixes
