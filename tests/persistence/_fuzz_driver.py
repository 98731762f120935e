"""Fuzz the learned integers of fitted estimators; run as a script by the fuzz test.

``python _fuzz_driver.py OUT.json SEED N_MUTATIONS NAME [NAME ...]`` imports
everything once, then forks one child process per estimator (two at a time): the
child fits the estimator as the round-trip test does, saves it, and for each of up to
``N_MUTATIONS`` forged copies (an integer of a learned array, or of the learned JSON
state, flipped in sign, shifted by the array's length or set far out of range) loads
it and calls every prediction method. The parent records how each child ended; a
child killed by a signal is a crash, and its progress file names the mutation.
"""

import json
import os
import signal
import sys
import traceback
import warnings
import zlib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _tamper import edit_array, load_array, read_model, write_model  # noqa: E402
from test_all_estimators import ESTIMATORS, _fit, _instance, _outputs  # noqa: E402

from sklearn_hp.persistence import ModelFileError, TrustedClasses, load, save  # noqa: E402

#: Seconds one mutation may take (load and every prediction) before it counts as a hang.
MUTATION_SECONDS = 20
_FAR = 2**31 - 1


def _changes(value, length):
    """New values for integer ``value`` of an array of ``length`` items."""
    return {"flip": -value - 1, "plus_length": value + length,
            "minus_length": value - length, "far": _FAR}


def _nodes(schema):
    """Every skops node with the learned attribute path that leads to it."""
    stack = [(schema, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            yield node, path
            content = node.get("content")
            if node.get("__loader__") == "DictNode" and isinstance(content, dict):
                stack += [(v, f"{path}.{k}") for k, v in reversed(content.items())]
            else:
                stack += [(v, path) for k, v in node.items() if k != "content"]
                stack += [(content, path)] if content is not None else []
        elif isinstance(node, list):
            stack += [(v, f"{path}[{i}]") for i, v in reversed(list(enumerate(node)))]


def _labels(schema):
    """Member name -> the learned attribute path that holds it, e.g. ``.tree_.nodes``."""
    labels = {}
    for node, path in _nodes(schema):
        if "file" in node:
            labels.setdefault(node["file"], path)
    return labels


def _targets(members):
    """``(member, field)`` of every integer array (or integer field) in the file."""
    found = []
    for name in sorted(members):
        if not name.endswith(".npy"):
            continue
        array = load_array(members[name])
        if array.dtype.names:
            found += [(name, f) for f in array.dtype.names
                      if array.dtype[f].kind in "iu" and array.size]
        elif array.dtype.kind in "iu" and array.size:
            found.append((name, None))
    return found


def _json_ints(schema):
    """``(node, path)`` of the learned JSON values that are integers (counts, sizes)."""
    found = []
    for node, path in _nodes(schema):
        if node.get("__loader__") == "JsonNode" and isinstance(node.get("content"), str):
            try:
                value = json.loads(node["content"])
            except ValueError:
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                found.append((node, path))
    return found


def mutations(members, rng, count):
    """Up to ``count`` forged ``(description, members)``, chosen by ``rng``."""
    plans = []
    for name, field in _targets(members):
        plans += [("array", name, field, kind) for kind in _changes(0, 1)]
    n_json = len(_json_ints(json.loads(members["schema.json"])))
    plans += [("json", i, None, kind) for i in range(n_json) for kind in _changes(0, 1)]
    rng.shuffle(plans)
    labels = _labels(json.loads(members["schema.json"]))
    for where, target, field, kind in plans[:count]:
        if where == "array":
            def edit(array, field=field, kind=kind):
                flat = (array[field] if field else array).reshape(-1)
                i = int(rng.integers(flat.size))
                new = _changes(int(flat[i]), flat.size)[kind]
                info = np.iinfo(flat.dtype)
                flat[i] = min(max(new, info.min), info.max)
            field_name = f"[{field!r}]" if field else ""
            described = f"{labels.get(target, target)}{field_name} {kind}"
            yield described, edit_array(members, target, edit)
        else:
            schema = json.loads(members["schema.json"])
            node, path = _json_ints(schema)[target]
            value = json.loads(node["content"])
            node["content"] = json.dumps(_changes(value, max(abs(value), 1))[kind])
            yield f"{path}={value} {kind}", dict(
                members, **{"schema.json": json.dumps(schema).encode()})


def run_child(name, cls, seed, count, work):
    """Fit, save and fuzz one estimator; one JSON line per mutation in ``work/progress``."""
    progress = open(work / "progress", "a", buffering=1)
    rng = np.random.default_rng([seed, zlib.crc32(name.encode())])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator = _instance(cls)
        X = _fit(estimator)
        base = work / "base.skhp"
        save(estimator, base)
        manifest, members = read_model(base)
        for i, (described, forged) in enumerate(mutations(members, rng, count)):
            progress.write(json.dumps({"start": described}) + "\n")
            signal.alarm(MUTATION_SECONDS)
            path = work / f"m{i}.skhp"
            write_model(path, manifest, forged)
            try:
                loaded = load(path)
            except ModelFileError:
                outcome = "refused"
            except Exception as error:  # a Python exception is a clean failure too
                outcome = f"load raised {type(error).__name__}"
            else:
                try:
                    raised = sorted({v for v in _outputs(loaded, X).values()
                                     if isinstance(v, str)})
                except Exception as error:  # e.g. densifying a forged sparse output
                    raised = [type(error).__name__]
                outcome = f"predict raised {', '.join(raised)}" if raised else "loaded"
            signal.alarm(0)
            progress.write(json.dumps({"done": described, "outcome": outcome}) + "\n")


def _report(name, work, status):
    lines = [json.loads(line) for line in (work / "progress").read_text().splitlines()
             if line.strip()] if (work / "progress").exists() else []
    done = [line for line in lines if "done" in line]
    result = {"name": name, "outcomes": [(d["done"], d["outcome"]) for d in done]}
    if os.WIFSIGNALED(status):
        result["signal"] = signal.Signals(os.WTERMSIG(status)).name
        result["during"] = lines[-1].get("start") if lines and "start" in lines[-1] else None
    elif os.WEXITSTATUS(status) != 0:
        result["error"] = (work / "error").read_text()[-2000:] if (
            work / "error").exists() else f"exit status {os.WEXITSTATUS(status)}"
    return result


def main(out, seed, count, names, workers=2):
    TrustedClasses().complete()  # build the registry once, before forking
    classes = dict(ESTIMATORS)
    queue, running, results = list(names), {}, []
    root = Path(out).parent
    while queue or running:
        while queue and len(running) < workers:
            name = queue.pop(0)
            work = root / f"fuzz_{name}"
            work.mkdir(exist_ok=True)
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    run_child(name, classes[name], seed, count, work)
                except BaseException:
                    (work / "error").write_text(traceback.format_exc())
                    code = 1
                os._exit(code)
            running[pid] = (name, work)
        pid, status = os.wait()
        name, work = running.pop(pid)
        results.append(_report(name, work, status))
    Path(out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:])
