"""Black-box optimisation: our searches against their peers on 18 problems, run in pieces.

Results are cached per (problem, method, seed), one JSON line each, in
``benchmarks/results/bbo/cache.jsonl``; a run only computes what is missing (our own
methods are recomputed when the search code changes). Seeds run outermost, so an
interrupted run still covers every problem with its first seeds.

Examples::

    python -m benchmarks.bbo --problems branin2 svc_digits --seeds 3 --peers ours-gp random
    python -m benchmarks.bbo --half A --seeds 10                # run, then report
    python -m benchmarks.bbo --report-only                      # tables from the cache
    python -m benchmarks.bbo --overhead                         # ms per trial, 30 and 300 trials
"""

import argparse
import hashlib
import time
import warnings
from pathlib import Path

import numpy as np

from .methods import METHODS, OURS
from .problems import PROBLEMS
from .store import ResultStore

#: Files this script writes under benchmarks/results/, each with the arguments that
#: write it (those of the committed file's run where they are not the defaults).
OUTPUTS = {"bbo/cache.jsonl": "", "bbo.md": "", "bbo_overhead.md": "--overhead"}
#: Rough run time on the project's 2-core machine.
RUN_TIME = "hours for every problem and seed (the cache holds about 4 h); --report-only 2 s"

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
CACHE = ResultStore(RESULTS / "bbo" / "cache.jsonl")
_CODE = ["sklearn_hp/search/_samplers", "sklearn_hp/search/_gaussian_process.py",
         "sklearn_hp/search/_space.py", "sklearn_hp/search/_bayes_search.py",
         "sklearn_hp/search/_search_base.py", "sklearn_hp/search/_loop.py"]
BUDGETS = (20, 50, 100)


def code_hash():
    """Digest of the search code our methods depend on."""
    digest = hashlib.sha1()
    for entry in _CODE:
        path = ROOT / entry
        for file in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def load_result(problem, method, seed, code, cache=CACHE):
    """The cached result, or None when missing or (ours) computed by other code."""
    result = cache.load(problem, method, seed)
    if result is None or (method in OURS and result.get("code") != code):
        return None
    return result


def save_result(problem, method, seed, result, cache=CACHE):
    """Add ``result`` (a JSON-able dict) to the cache (a :class:`ResultStore`)."""
    cache.save(problem, method, seed, result)


def run(problems, methods, seeds, code):
    for seed in seeds:
        for name in problems:
            problem = PROBLEMS[name]
            for method in methods:
                cached = load_result(name, method, seed, code)
                if cached is not None and len(cached["losses"]) >= problem.n_evals:
                    continue
                start = time.perf_counter()
                losses, overhead = METHODS[method](problem, problem.n_evals, seed)
                result = {"losses": [float(v) for v in losses], "optimizer_seconds": overhead,
                          "seconds": time.perf_counter() - start,
                          "code": code if method in OURS else None}
                save_result(name, method, seed, result)
                print(f"seed {seed:>2} {name:<18} {method:<10} best {np.min(losses):.4g} "
                      f"({result['seconds']:.1f}s, optimiser {overhead:.1f}s)", flush=True)
    CACHE.compact()


def _value(problem, losses, budget):
    best = float(np.min(losses[:budget]))
    return best - problem.optimum if problem.kind == "synthetic" else -best


def collect(problem, methods, seeds, code):
    """``{method: {budget: [value per seed]}}`` from the cache (missing seeds skipped)."""
    table = {}
    for method in methods:
        cells = {}
        for seed in seeds:
            result = load_result(problem.name, method, seed, code)
            if result is None:
                continue
            losses = np.asarray(result["losses"])
            for budget in BUDGETS + (60,):
                if budget <= problem.n_evals:
                    cells.setdefault(budget, []).append(_value(problem, losses, budget))
            cells.setdefault("ms", []).append(
                1e3 * result["optimizer_seconds"] / max(len(losses), 1))
        table[method] = cells
    return table


def _fmt(problem, values, worst):
    if not values:
        return "-"
    values = np.asarray(values)
    median = np.median(values)
    bad = values.max() if problem.kind == "synthetic" else values.min()
    if problem.kind == "synthetic":
        return f"{median:.3g} ({bad:.3g})" if worst else f"{median:.3g}"
    return f"{median:.4f} ({bad:.4f})" if worst else f"{median:.4f}"


def report(problems, methods, seeds, code):
    """Markdown tables per half, with the targets' verdicts; returns the text."""
    lines = ["# Black-box optimisation suite", "",
             f"Seeds {min(seeds)}..{max(seeds)} requested; `n` is how many are in the cache. "
             "Synthetic problems: regret f(best) - f(optimum), median (worst seed). "
             "Real tasks: best 3-fold CV accuracy, median (worst seed). "
             "`ms` is the optimiser's own time per trial (median over seeds). "
             f"Our code: `{code}`.", ""]
    for half in ("A", "B"):
        names = [n for n in problems if PROBLEMS[n].half == half]
        if not names:
            continue
        title = "tuning half (defaults chosen here)" if half == "A" else "held-out half"
        lines += [f"## Half {half}: {title}", "",
                  "| problem | method | n | 20 | 50 | 100 | ms/trial |",
                  "|---|---|---|---|---|---|---|"]
        verdicts, hits = [], {}
        for name in names:
            problem = PROBLEMS[name]
            table = collect(problem, methods, seeds, code)
            for method, cells in table.items():
                if not cells:
                    continue
                n = len(cells.get("ms", []))
                cols = [_fmt(problem, cells.get(b, []), True) for b in BUDGETS]
                ms = f"{np.median(cells['ms']):.1f}"
                lines.append(f"| {name} | {method} | {n} | " + " | ".join(cols) + f" | {ms} |")
            real_hits = _real_hits(problem, table)
            verdicts += _verdicts(problem, table, real_hits)
            for method, (k, n, _) in real_hits[1].items():
                total = hits.setdefault(method, [0, 0])
                total[0], total[1] = total[0] + k, total[1] + n
        lines += ["", "Targets:", ""] + [f"- {text}" for *_, text in verdicts] + [""]
        lines += _summary(verdicts, hits)
    return "\n".join(lines)


def _summary(verdicts, hits):
    """Per-half counts: targets met by each of our methods, and hits summed over real tasks."""
    lines = ["Summary of this half:", ""]
    for method in OURS:
        for kind, label in (("synthetic", "synthetic cases (problem x budget)"),
                            ("real", "real tasks")):
            oks = [ok for m, k, ok, _ in verdicts if m == method and k == kind]
            if oks:
                lines.append(f"- {method}: target met in {sum(oks)} of {len(oks)} {label}")
    if hits:
        ranked = sorted(hits.items(), key=lambda item: -item[1][0] / max(item[1][1], 1))
        lines.append("- seeds reaching random's median at 60 within 20 evaluations, summed "
                     "over the real tasks: " + ", ".join(f"{m} {k}/{n}" for m, (k, n) in ranked))
    return lines + [""]


def _real_hits(problem, table):
    """``(mark, {method: (seeds reaching it at 20 evaluations, seeds, worst seed)})``.

    The mark is random search's median best at 60 evaluations; ``(None, {})``
    for a synthetic problem or without random search's results.
    """
    rand60 = table.get("random", {}).get(60, [])
    if problem.kind != "real" or not rand60:
        return None, {}
    mark = float(np.median(rand60))
    return mark, {m: (int(np.sum(np.asarray(c[20]) >= mark)), len(c[20]), min(c[20]))
                  for m, c in table.items() if c.get(20)}


def _verdict(ok):
    return "PASS" if ok else "MISS"


def _verdicts(problem, table, real_hits):
    """``(our method or None, "real" or "synthetic", met or None, text)`` per target.

    ``real_hits`` is :func:`_real_hits` of the problem; a line that only
    informs (every method's hits) has neither method nor verdict.
    """
    out = []
    if problem.kind == "real":
        mark, hits = real_hits
        if mark is None:
            return out
        for method in OURS:
            if method in hits:
                worst = hits[method][2]
                out.append((method, "real", worst >= mark,
                            f"{problem.name}: {method} worst seed at 20 = {worst:.4f} vs "
                            f"random median at 60 = {mark:.4f}: {_verdict(worst >= mark)}"))
        counts = ", ".join(f"{m} {k}/{n} (worst {w:.4f})" for m, (k, n, w) in hits.items())
        out.append((None, "real", None,
                    f"{problem.name}: seeds reaching it at 20, every method: {counts}"))
        return out
    ours = {m: table.get(m, {}) for m in OURS}
    peers = [m for m in table if m not in OURS and table[m]]
    for budget in (50, 100):
        if not peers:
            break
        best_peer = min(peers, key=lambda m: np.median(table[m].get(budget, [np.inf])))
        target = float(np.median(table[best_peer].get(budget, [np.inf])))
        for method, cells in ours.items():
            if cells.get(budget):
                med = float(np.median(cells[budget]))
                out.append((method, "synthetic", med <= target,
                            f"{problem.name} @{budget}: {method} median {med:.3g} vs best "
                            f"peer {best_peer} {target:.3g}: {_verdict(med <= target)}"))
    return out


def overhead(n_dims=20, counts=(30, 300), seed=0):
    """Optimiser time per trial of BayesSearchCV (GP) on a cheap 20-d function."""
    from threadpoolctl import threadpool_info, threadpool_limits

    from sklearn_hp.search import SearchSpace

    from .methods import run_bayes_search

    problem = PROBLEMS["ackley20" if n_dims == 20 else "ackley5"]
    lines = ["# Optimiser overhead per trial, BayesSearchCV(sampler='gp'), ackley20", "",
             f"BLAS: {[(i['internal_api'], i['num_threads']) for i in threadpool_info()]}", "",
             "| threads | trials | mean ms/trial over the search | ms for the last proposal |",
             "|---|---|---|---|"]
    for limit in (None, 1):
        for n in counts:
            with threadpool_limits(limit):
                start = time.perf_counter()
                from sklearn_hp.search import BayesSearchCV

                X, y = problem.data()
                search = BayesSearchCV(problem.estimator(), problem.space, n_iter=n,
                                       random_state=seed, **problem.search_kwargs())
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    search.fit(X, y)
                r = search.cv_results_
                total = time.perf_counter() - start
                mean_ms = 1e3 * (total - np.sum(r["mean_fit_time"] + r["mean_score_time"])) / n
                sampler, space = search.sampler_, SearchSpace(problem.space)
                times = []
                for repeat in range(3):
                    t0 = time.perf_counter()
                    sampler.propose(space, search.trials_[:-1], 1,
                                    np.random.RandomState(repeat))
                    times.append(time.perf_counter() - t0)
            label = "default" if limit is None else "1"
            lines.append(f"| {label} | {n} | {mean_ms:.1f} | {1e3 * np.median(times):.1f} |")
            print(lines[-1], flush=True)
    del run_bayes_search
    text = "\n".join(lines) + "\n"
    (RESULTS / "bbo_overhead.md").write_text(text)
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description="Black-box optimisation suite")
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS), choices=list(PROBLEMS))
    parser.add_argument("--half", choices=["A", "B"], default=None)
    parser.add_argument("--peers", "--methods", nargs="+", dest="methods",
                        default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--overhead", action="store_true")
    parser.add_argument("--code", default=None,
                        help="report our results of this code version (default: the current)")
    args = parser.parse_args(argv)
    if args.overhead:
        print(overhead())
        return
    problems = [p for p in args.problems if args.half in (None, PROBLEMS[p].half)]
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    code = code_hash()
    if not args.report_only:
        run(problems, args.methods, seeds, code)
    text = report(problems, list(METHODS), list(range(max(seeds) + 1)), args.code or code)
    RESULTS.mkdir(exist_ok=True)
    if set(problems) == set(PROBLEMS):
        (RESULTS / "bbo.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
