"""The README's Python examples run as written and print what they promise."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_examples_run(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)
    namespace = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    out = capsys.readouterr().out
    assert "logisticclassifier__learning_rate" in out
    assert "verdict: " in out
    assert "refused: Training diverged" in out
    assert abs(namespace["plane"].coef_ - [3, -2]).max() < 0.02
    assert abs(namespace["plane"].learning_rate_ - 0.1 * namespace["y_plane"].std()) < 1e-12
    assert namespace["search"].best_score_ > 0.95
    assert namespace["mlp"].score(namespace["X_te"], namespace["y_te"]) > 0.95
    assert namespace["bayes"].best_score_ > 0.9
    assert namespace["hyper"].resource_spent_ < namespace["hyper"].resource_requested_
    assert "searched hyperparameter" in out and "the search" in out
    from sklearn_hp.inspection import count_parameters

    best_mlp = namespace["wine"].best_estimator_[-1]
    assert namespace["table"].n_learned == count_parameters(best_mlp) + 3 * 13 + 1
    assert namespace["importance"].rows[0]["name"] == "mlpclassifier__learning_rate"
    assert (tmp_path / "learning_rate_vs_score.png").stat().st_size > 10_000
    assert "10 complete None" in out and len(namespace["study"].cv_results_["params"]) == 10
    assert namespace["on_dask"].best_score_ > 0.9
    assert (namespace["model"].predict(namespace["X"])
            == namespace["search"].best_estimator_.predict(namespace["X"])).all()


def test_readme_quick_start_has_exactly_two_setup_commands():
    text = README.read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line for line in re.findall(r"```bash\n(.*?)```", quick, re.S)[0].splitlines()
                if line and not line.startswith("#")]
    assert len(commands) == 2
    assert commands[0].endswith("sklearn-hp demo")
    assert commands[1].endswith(".venv/bin/python -m pytest -n 2")
    ci = (README.parent / ".ci" / "run").read_text()
    assert commands[1] in ci
