"""skops' format as persistence reads it: one protocol, one module that knows it.

Every private skops name persistence uses lives in ``_format.py``; a schema written
in a protocol other than the one its audit reads is refused before any node is read,
by ``load`` and by the command line.
"""

import json
import re
import sys
import tokenize
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier

from sklearn_hp.cli import main
from sklearn_hp.persistence import ModelFileError, _format, load, save

pytest.importorskip("skops")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _tamper import read_model, write_model  # noqa: E402

PERSISTENCE = Path(_format.__file__).parent
X, y = load_iris(return_X_y=True)
#: A string literal that names a skops node type, as the schema's ``__loader__`` does.
_NODE_NAME = re.compile(r"_?[A-Z][A-Za-z]*Node")


def _string_literals(path):
    with open(path, "rb") as handle:
        for token in tokenize.tokenize(handle.readline):
            if token.type == tokenize.STRING:
                yield token.start[0], token.string


def test_only_the_format_module_names_skops_internals():
    found = []
    for path in sorted(PERSISTENCE.glob("*.py")):
        if path.name == "_format.py":
            continue
        text = path.read_text()
        found += [f"{path.name}: imports {m.group()}" for m in re.finditer(
            r"skops\.io\._\w*|from skops\.io import _\w*", text)]
        found += [f"{path.name}:{line}: {literal}" for line, literal in _string_literals(path)
                  if _NODE_NAME.fullmatch(literal.strip("\"'rbf"))]
    assert found == []
    assert len(_format.KNOWN_LOADERS) == 27 and "NdArrayNode" in _format.KNOWN_LOADERS


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("format") / "model.skhp"
    save(DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y), path)
    return path


def _forge(source, target, edit):
    manifest, members = read_model(source)
    schema = json.loads(members["schema.json"])
    edit(schema)
    write_model(target, manifest, dict(members, **{"schema.json": json.dumps(schema).encode()}))
    return target


def test_save_writes_the_protocol_load_reads(model_file):
    schema = json.loads(read_model(model_file)[1]["schema.json"])
    assert schema["protocol"] in _format.PROTOCOLS == (2,)


@pytest.mark.parametrize("protocol", [0, 1, 3, 99, True, "2", None])
def test_a_schema_in_another_protocol_is_refused_naming_both(model_file, tmp_path, protocol):
    path = _forge(model_file, tmp_path / "forged.skhp",
                  lambda schema: schema.update(protocol=protocol))
    with pytest.raises(ModelFileError) as caught:
        load(path)
    assert str(caught.value) == (
        f"{path}: its learned parameters are in skops protocol {protocol!r}; this version "
        "of sklearn_hp reads skops protocol 2 (written by skops 0.13 to 0.16).")


def test_the_protocol_is_checked_before_any_node(model_file, tmp_path):
    def edit(schema):
        schema["protocol"] = 3
        schema["content"]["values"] = {"__loader__": "EvalNode", "__module__": "os",
                                       "__class__": "system", "__id__": [1]}
    with pytest.raises(ModelFileError, match="skops protocol 3; this version of sklearn_hp "
                                             "reads skops protocol 2"):
        load(_forge(model_file, tmp_path / "forged.skhp", edit))


def test_a_schema_without_protocol_is_refused(model_file, tmp_path):
    path = _forge(model_file, tmp_path / "forged.skhp", lambda schema: schema.pop("protocol"))
    with pytest.raises(ModelFileError, match="skops protocol 'none'; this version"):
        load(path)


@pytest.mark.parametrize("command", ["inspect", "predict"])
def test_the_command_line_refuses_it_in_one_line_with_exit_code_2(model_file, tmp_path,
                                                                   command, capsys):
    path = _forge(model_file, tmp_path / "forged.skhp",
                  lambda schema: schema.update(protocol=3))
    rows = tmp_path / "rows.csv"
    rows.write_text("a,b,c,d\n" + "\n".join(",".join(map(str, row)) for row in X[:3]) + "\n")
    argv = [command, str(path)] + (["--data", str(rows)] if command == "predict" else [])
    assert main(argv, out=lambda *a: None) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"sklearn-hp {command}: error: ")
    assert f"{path}: its learned parameters are in skops protocol 3" in err
    assert "reads skops protocol 2" in err


def test_a_node_id_that_is_not_an_integer_is_refused(model_file, tmp_path):
    def edit(schema):
        schema["content"]["states"]["__id__"] = [1]
    with pytest.raises(ModelFileError, match=r"a node has the id \[1\]; skops ids are "
                                             "integers"):
        load(_forge(model_file, tmp_path / "forged.skhp", edit))


def test_without_skops_internals_the_public_functions_write_and_read_the_same(
        tmp_path, monkeypatch):
    forest = RandomForestClassifier(n_estimators=3, random_state=0).fit(X, y)
    save(forest, tmp_path / "internals.skhp")
    monkeypatch.setattr(_format, "_internals", lambda: None)
    save(forest, tmp_path / "public.skhp")
    for path in ("internals.skhp", "public.skhp"):
        loaded = load(tmp_path / path)
        np.testing.assert_array_equal(loaded.predict_proba(X), forest.predict_proba(X))
    with pytest.raises(ModelFileError, match="skops protocol 1"):
        load(_forge(tmp_path / "public.skhp", tmp_path / "forged.skhp",
                    lambda schema: schema.update(protocol=1)))
