"""What the checks of learned state cost: our ``load`` against ``joblib.load``, same models.

For a HistGradientBoostingClassifier, a RandomForestClassifier of 300 trees and
scikit-learn's MLPClassifier, each behind a StandardScaler and fitted on the same
generated covtype-like table (54 features, 7 classes), one process alternates in every
round: ``joblib.load`` of the pickle, our ``load`` of the safe file (which checks every
tree node, index and weight before returning), and the checks alone
(``check_model`` on the loaded model). Printed: median time and the median and
range of the ratios to ``joblib.load``, and the peak memory each load allocates
(tracemalloc, a separate untimed pass), with the machine's default BLAS threads and
with one. ``save`` is timed against ``joblib.dump`` the same way.

Two more tables: a checkpoint-sized round trip (a Hyperband checkpoint of a small
sklearn_hp MLPClassifier: ``save`` then ``load`` against ``pickle.dumps``/``loads``),
and the cold start, what the first save and load of that checkpoint cost in a fresh
process beyond importing sklearn_hp (each in its own subprocess, alternating with one
that pickles instead).

    python benchmarks/bench_load_safety.py [--repeats 7] [--samples 20000]
"""

import argparse
import json
import os
import pickle
import platform
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import joblib
import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from _common import alternate_threads, markdown_table, median, write_result  # noqa: E402
from sklearn_hp.persistence import TrustedClasses, load, save  # noqa: E402
from sklearn_hp.persistence._learned_checks import check_model  # noqa: E402

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {"bench_load_safety.md": "--repeats 5"}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~3 min"

TARGET = 1.5  # the checks may cost at most this many joblib.load times


def _models(n_samples):
    X, y = make_classification(n_samples=n_samples, n_features=54, n_informative=20,
                               n_redundant=10, n_classes=7, n_clusters_per_class=2,
                               random_state=0)
    models = {
        "HistGradientBoosting, 100 iterations": HistGradientBoostingClassifier(
            max_iter=100, early_stopping=False, random_state=0),
        "RandomForest, 300 trees": RandomForestClassifier(
            n_estimators=300, n_jobs=2, random_state=0),
        "MLP 54-256-128-7": MLPClassifier((256, 128), max_iter=20, random_state=0),
    }
    fitted = {}
    for name, model in models.items():
        start = time.perf_counter()
        with np.errstate(all="ignore"):
            fitted[name] = make_pipeline(StandardScaler(), model).fit(X, y)
        print(f"fitted {name} in {time.perf_counter() - start:.1f} s", flush=True)
    return X, fitted


def _peak_mb(run):
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _ratio(ours, theirs):
    ratios = [a / b for a, b in zip(ours, theirs)]
    return f"{median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"


def _measure(name, model, X, folder, repeats):
    ours_path, pickle_path = folder / "m.skhp", folder / "m.joblib"
    save(model, ours_path)
    joblib.dump(model, pickle_path)
    loaded = load(ours_path)
    assert np.array_equal(loaded.predict(X[:500]), model.predict(X[:500]))
    runs = {"joblib": lambda: joblib.load(pickle_path), "ours": lambda: load(ours_path),
            "checks": lambda: check_model(loaded, "bench", 200),
            "joblib dump": lambda: joblib.dump(model, folder / "d.joblib"),
            "ours save": lambda: save(model, folder / "s.skhp")}
    timed = alternate_threads(runs, repeats)
    peaks = {"joblib": _peak_mb(runs["joblib"]), "ours": _peak_mb(runs["ours"])}
    rows = []
    for setting in ("default", "1"):
        t = {k: timed[setting, k][0] for k in runs}
        rows.append([name, setting, f"{ours_path.stat().st_size / 2**20:.1f}",
                     f"{median(t['joblib']) * 1e3:.0f}", f"{median(t['ours']) * 1e3:.0f}",
                     f"{median(t['checks']) * 1e3:.1f}", _ratio(t["ours"], t["joblib"]),
                     _ratio(t["checks"], t["joblib"]),
                     f"{peaks['ours']:.0f} / {peaks['joblib']:.0f}",
                     f"{median(t['joblib dump']) * 1e3:.0f}",
                     f"{median(t['ours save']) * 1e3:.0f}",
                     _ratio(t["ours save"], t["joblib dump"])])
        print(rows[-1], flush=True)
    return rows


def _checkpoint():
    """A Hyperband checkpoint of a small sklearn_hp MLPClassifier, and what it trusts."""
    from sklearn_hp.neural_network import MLPClassifier as HpMLP
    from sklearn_hp.search._budget import Checkpoint, trusted_classes

    rng = np.random.RandomState(0)
    X = rng.rand(500, 20)
    y = (X[:, 0] + X[:, 1] > 1).astype(int)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = HpMLP(hidden_layer_sizes=(64, 32), max_epochs=3, random_state=0).fit(X, y)
    record = Checkpoint(model, 3, "candidate", "data")
    return record, trusted_classes(record.model)


def _measure_checkpoint(folder, repeats):
    record, trusted = _checkpoint()
    path = folder / "c.skhp"

    def ours():
        save(record, path, trusted=trusted)
        return load(path, trusted=trusted)

    def pickled():
        (folder / "c.pkl").write_bytes(pickle.dumps(record))
        return pickle.loads((folder / "c.pkl").read_bytes())

    save(record, path, trusted=trusted)
    size = path.stat().st_size / 1024
    runs = {"pickle": pickled, "ours": ours,
            "ours save": lambda: save(record, path, trusted=trusted),
            "ours load": lambda: load(path, trusted=trusted)}
    timed = alternate_threads(runs, repeats * 5)
    rows = []
    for setting in ("default", "1"):
        t = {k: timed[setting, k][0] for k in runs}
        rows.append([setting, f"{size:.0f}", f"{median(t['pickle']) * 1e3:.2f}",
                     f"{median(t['ours save']) * 1e3:.1f}",
                     f"{median(t['ours load']) * 1e3:.1f}", f"{median(t['ours']) * 1e3:.1f}",
                     _ratio(t["ours"], t["pickle"])])
        print(rows[-1], flush=True)
    return rows


_COLD = """
import json, pickle, sys, time
start = time.perf_counter()
sys.path.insert(0, sys.argv[3])
import bench_load_safety as bench
from sklearn_hp.persistence import load, save
record, trusted = bench._checkpoint()
ready = time.perf_counter()
if sys.argv[1] == "ours":
    save(record, sys.argv[2], trusted=trusted)
    saved = time.perf_counter()
    load(sys.argv[2], trusted=trusted)
else:
    data = pickle.dumps(record)
    saved = time.perf_counter()
    pickle.loads(data)
done = time.perf_counter()
print(json.dumps({"import_and_fit": ready - start, "first_save": saved - ready,
                  "first_load": done - saved}))
"""


def _measure_cold(folder, repeats):
    times = {"ours": [], "pickle": []}
    for _ in range(repeats):
        for kind in times:
            done = subprocess.run(
                [sys.executable, "-c", _COLD, kind, str(folder / "cold.skhp"),
                 str(Path(__file__).parent)], capture_output=True, text=True, check=True,
                env=dict(os.environ, PYTHONPATH=str(ROOT)))
            times[kind].append(json.loads(done.stdout.strip().splitlines()[-1]))
    rows = []
    for kind, runs in times.items():
        rows.append([kind] + [f"{median([r[k] for r in runs]) * 1e3:.0f}"
                              for k in ("import_and_fit", "first_save", "first_load")])
        print(rows[-1], flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--samples", type=int, default=20000)
    args = parser.parse_args(argv)
    TrustedClasses().complete()  # what a process builds at most once; no load timed here pays it
    X, models = _models(args.samples)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, model in models.items():
            rows += _measure(name, model, X, Path(folder), args.repeats)
        checkpoint_rows = _measure_checkpoint(Path(folder), args.repeats)
        cold_rows = _measure_cold(Path(folder), args.repeats)
    header = ["model (StandardScaler pipeline)", "BLAS threads", "file MB",
              "joblib.load ms", "our load ms", "checks alone ms",
              "our load / joblib.load, median (range)", "checks / joblib.load",
              "peak MB ours / joblib", "joblib.dump ms", "our save ms",
              "our save / joblib.dump"]
    blas = ", ".join(f"{i['internal_api']} {i['num_threads']} threads"
                     for i in threadpool_info())
    text = "\n".join([
        "# Load with checks of learned state vs joblib.load",
        "",
        f"`python benchmarks/bench_load_safety.py --repeats {args.repeats} --samples "
        f"{args.samples}`: {args.repeats} rounds alternating joblib.load, our load, "
        "the checks alone, joblib.dump and our save in one process; generated "
        "covtype-like data (54 features, 7 classes). Peak memory from tracemalloc "
        "(Python and numpy allocations; scikit-learn's Tree nodes are malloc'd in C and "
        "count in neither).",
        "",
        markdown_table(header, rows),
        "",
        f"Target: the checks cost at most {TARGET}x joblib.load's time.",
        "",
        "## A checkpoint-sized round trip",
        "",
        "A Hyperband checkpoint of a sklearn_hp MLPClassifier (20-64-32-2, 3 epochs): "
        f"{args.repeats * 5} alternating rounds of our save then load against "
        "pickle.dumps to a file then pickle.loads.",
        "",
        markdown_table(["BLAS threads", "file kB", "pickle round trip ms", "our save ms",
                        "our load ms", "our round trip ms", "ours / pickle"],
                       checkpoint_rows),
        "",
        "## Cold start",
        "",
        f"Medians of {args.repeats} fresh processes each (alternating): importing "
        "sklearn_hp and fitting the checkpoint's model, then the process's first save "
        "and first load of it (our save imports skops, whose import lists scikit-learn's "
        "estimators), against pickle.",
        "",
        markdown_table(["format", "import and fit ms", "first save ms", "first load ms"],
                       cold_rows),
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {blas}; load average before the run "
        f"{_LOAD_BEFORE}, after {' '.join(f'{x:.2f}' for x in os.getloadavg())}.",
    ])
    write_result("bench_load_safety.md", text)


_LOAD_BEFORE = " ".join(f"{x:.2f}" for x in os.getloadavg())

if __name__ == "__main__":
    main()
