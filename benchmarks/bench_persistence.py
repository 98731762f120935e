"""Our ``save``/``load`` against skops alone and joblib (pickle), same models, one process.

For each model: save + load time (rounds alternate between the three), file size, and
whether the loaded model predicts identically. Our load does more than skops's (registry,
hyperparameter validation, shape and checksum checks), so the ratio ours / skops is the
price of those checks. Both the machine's default BLAS threads and one thread.

    python benchmarks/bench_persistence.py [--repeats 5]
"""

import argparse
import platform
import sys
import tempfile
from pathlib import Path

import joblib
import numpy as np
import skops.io
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from _common import alternate, markdown_table, median, write_result  # noqa: E402
from sklearn_hp import MLPClassifier  # noqa: E402
from sklearn_hp.persistence import TrustedClasses, load, save  # noqa: E402

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {"persistence.md": ""}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "~30 s"


def _models():
    X, y = make_classification(n_samples=2000, n_features=40, random_state=0)
    mlp = make_pipeline(StandardScaler(), MLPClassifier((256, 128), max_epochs=3,
                                                        random_state=0))
    forest = RandomForestClassifier(n_estimators=50, max_depth=8, random_state=0)
    return X, {"pipeline + MLP 40-256-128-2": mlp.fit(X, y),
               "RandomForest, 50 trees": forest.fit(X, y)}


def _round_trips(model, folder):
    ours, theirs, pickled = folder / "m.skhp", folder / "m.skops", folder / "m.joblib"

    def skops_round_trip():
        skops.io.dump(model, theirs)
        return skops.io.load(theirs, trusted=skops.io.get_untrusted_types(file=theirs))

    def joblib_round_trip():
        joblib.dump(model, pickled)
        return joblib.load(pickled)

    def ours_round_trip():
        save(model, ours)
        return load(ours)

    runs = {"sklearn_hp": ours_round_trip, "skops": skops_round_trip,
            "joblib": joblib_round_trip}
    return runs, {"sklearn_hp": ours, "skops": theirs, "joblib": pickled}


def _rows(X, models, repeats, threads):
    rows = []
    for name, model in models.items():
        with tempfile.TemporaryDirectory() as tmp:
            runs, files = _round_trips(model, Path(tmp))
            with threadpool_limits(threads):
                results = alternate(runs, repeats)
            expected = model.predict_proba(X)
            base = median(results["skops"][0])
            for peer, (times, loaded) in results.items():
                ratios = [t / s for t, s in zip(times, results["skops"][0])]
                rows.append([
                    name, threads or "default", peer, f"{median(times) * 1e3:.1f}",
                    f"{median(times) / base:.2f} ({min(ratios):.2f}-{max(ratios):.2f})",
                    f"{files[peer].stat().st_size / 1024:.0f}",
                    bool(np.array_equal(loaded.predict_proba(X), expected)),
                ])
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    TrustedClasses()  # built once per process (like skops's trusted lists at import)
    X, models = _models()
    rows = []
    for threads in (None, 1):
        rows += _rows(X, models, args.repeats, threads)
    blas = [(i["internal_api"], i["num_threads"]) for i in threadpool_info()]
    header = ["model", "BLAS threads", "library", "save+load ms (median)",
              "/ skops (range)", "file KiB", "identical predictions"]
    text = "\n".join([
        "# Model files: sklearn_hp.persistence vs skops.io vs joblib",
        "",
        f"Python {platform.python_version()}, skops {skops.__version__}, BLAS {blas}, "
        f"{args.repeats} alternating rounds.",
        "",
        markdown_table(header, rows),
    ])
    write_result("persistence.md", text)


if __name__ == "__main__":
    main()
