"""The README's command-line examples run as written, and its space file reads as it says."""

import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sklearn_hp import MLPClassifier
from sklearn_hp.cli import build_parser
from sklearn_hp.cli._models import SPACES, load_space_file
from sklearn_hp.search import Categorical, Integer, Real

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
SECTION = README.split("## Tune a model on your own table", 1)[1].split("\n## ", 1)[0]


def _readme_checks():
    """tests/test_readme.py, for its excerpt comparison and warning count."""
    path = Path(__file__).resolve().parents[1] / "test_readme.py"
    spec = importlib.util.spec_from_file_location("_readme_checks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _section_blocks():
    """``[(commands, excerpt or None)]``: each bash block of the section and its output.

    ``commands`` are the block's lines with continuations joined and comments kept;
    ``excerpt`` is a ```text block right after it (nothing but prose between).
    """
    fences = re.findall(r"^```(\w*)\n(.*?)^```", SECTION, re.M | re.S)
    blocks = []
    for i, (lang, body) in enumerate(fences):
        if lang == "bash":
            following = fences[i + 1] if i + 1 < len(fences) else ("", "")
            lines = [line for line in body.replace("\\\n", " ").splitlines() if line.strip()]
            blocks.append((lines, following[1] if following[0] == "text" else None))
    return blocks


def _penguins(n, seed):
    """A penguins-like table as a user has it: unscaled numbers with gaps, text columns."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    species = rng.choice(["Adelie", "Chinstrap", "Gentoo"], n)
    centre = {"Adelie": (38.8, 18.3, 190.0, 3700.0), "Chinstrap": (48.8, 18.4, 195.8, 3733.0),
              "Gentoo": (47.5, 15.0, 217.2, 5076.0)}
    numbers = (np.array([centre[s] for s in species])
               + rng.normal(size=(n, 4)) * (2.7, 1.2, 6.5, 450.0))
    frame = pd.DataFrame(numbers.round(1), columns=[
        "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"])
    frame.insert(0, "island", np.where(
        species == "Gentoo", "Biscoe",
        np.where(species == "Chinstrap", "Dream", rng.choice(["Biscoe", "Dream", "Torgersen"], n))))
    frame.insert(0, "species", species)
    frame["sex"] = rng.choice(["male", "female"], n)
    frame.loc[rng.random(n) < 0.05, "bill_length_mm"] = np.nan
    frame.loc[rng.random(n) < 0.05, "sex"] = np.nan
    return frame


@pytest.mark.slow
def test_readme_section_commands_run_as_written(tmp_path):
    """Every command of "Tune a model on your own table" on a table like the user's."""
    pytest.importorskip("pandas")
    checks = _readme_checks()
    _penguins(240, seed=0).to_csv(tmp_path / "penguins.csv", index=False)
    new_rows = _penguins(40, seed=1)
    new_rows.drop(columns="species").to_csv(tmp_path / "new_penguins.csv", index=False)
    bin_dir = Path(sys.executable).parent
    ran, outputs = [], {}
    for commands, excerpt in _section_blocks():
        printed = []
        for line in commands:
            if " install " in line:
                continue   # installing: tests/cli/test_preconditions.py checks the extras
            assert line.startswith(".venv/bin/sklearn-hp "), line
            argv = shlex.split(line, comments=True)
            argv[0] = str(bin_dir / "sklearn-hp")
            done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True,
                                  timeout=1200)
            assert done.returncode == 0, f"{line}\nexited {done.returncode}:\n{done.stderr}"
            repeated = {key: n for key, n in checks.warning_counts(done.stderr).items() if n > 1}
            assert not repeated, f"{line}\nrepeats warnings {repeated}:\n{done.stderr[:2000]}"
            printed.append(done.stdout)
            ran.append(argv[1])
            outputs[argv[1]] = done.stdout
        if excerpt is not None:
            problem = checks.compare_excerpt(excerpt, "".join(printed))
            assert problem is None, f"{commands}: {problem}\nThey printed:\n{''.join(printed)}"
    assert ran == ["tune", "predict", "diagnose", "inspect"]
    assert "of 30 candidates" in outputs["tune"] and "written to model.skhp" in outputs["tune"]
    assert "verdict: " in outputs["diagnose"]
    assert "MLPClassifier" in outputs["inspect"] and "weights_" in outputs["inspect"]
    assert (tmp_path / "history.png").stat().st_size > 10_000
    import pandas as pd

    predictions = pd.read_csv(tmp_path / "predictions.csv")
    assert len(predictions) == len(new_rows)
    assert (predictions["prediction"] == new_rows["species"]).mean() >= 0.9


def test_readme_tune_and_predict_commands_parse():
    block = re.findall(r"```bash\n(.*?)```", SECTION, re.S)[0].replace("\\\n", " ")
    parser = build_parser()
    commands = [line for line in block.splitlines() if "sklearn-hp" in line]
    assert [shlex.split(c)[1] for c in commands] == ["tune", "predict"]
    for line in commands:
        args = parser.parse_args(shlex.split(line.split("#")[0])[1:])
        assert args.command in ("tune", "predict")


def test_readme_space_file_reads_as_described(tmp_path):
    toml = re.findall(r"```toml\n(.*?)```", README, re.S)[0]
    (tmp_path / "space.toml").write_text(toml)
    space = load_space_file(str(tmp_path / "space.toml"), MLPClassifier())
    assert isinstance(space["hidden_layer_sizes"], Categorical)
    assert space["hidden_layer_sizes"].choices == [(32,), (64, 32)]
    assert isinstance(space["learning_rate"], Real) and space["learning_rate"].log
    assert isinstance(space["batch_size"], Integer)


def test_tune_help_names_every_default_space(capsys):
    try:
        build_parser().parse_args(["tune", "--help"])
    except SystemExit:
        pass
    text = " ".join(capsys.readouterr().out.split())
    for model, space in SPACES.items():
        assert f"{model}: " in text
        for name in space:
            assert name in text
