"""The README's command-line examples parse, and its space file reads as it says."""

import re
import shlex
from pathlib import Path

from sklearn_hp import MLPClassifier
from sklearn_hp.cli import build_parser
from sklearn_hp.cli._models import SPACES, load_space_file
from sklearn_hp.search import Categorical, Integer, Real

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_readme_tune_and_predict_commands_parse():
    section = README.split("## Tune a model on your own table", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```bash\n(.*?)```", section, re.S)[0].replace("\\\n", " ")
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
