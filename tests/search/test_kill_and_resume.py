"""A search process killed with SIGKILL resumes from its storage file."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

JOB = Path(__file__).with_name("_search_job.py")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def _start(kind, db, log, n_jobs, fit_seconds=0.0):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SEARCH_JOB_FIT_SECONDS": str(fit_seconds)}
    return subprocess.Popen([sys.executable, str(JOB), kind, str(db), str(log), str(n_jobs)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)


def _stored(db, where="1"):
    if not Path(db).exists():
        return 0
    conn = sqlite3.connect(db, timeout=10)
    try:
        return conn.execute(f"SELECT COUNT(*) FROM sklearn_hp_trials WHERE {where}").fetchone()[0]
    except sqlite3.OperationalError:  # tables not created yet
        return 0
    finally:
        conn.close()


def _kill_when(process, db, count, where="1", timeout=120):
    start = time.monotonic()
    while _stored(db, where) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() - start < timeout, "the search made no progress"
        time.sleep(0.05)
    children = psutil.Process(process.pid).children(recursive=True)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    return children


def _fits(log):
    return [tuple(json.loads(line)) for line in Path(log).read_text().splitlines()]


def _resume(kind, db, log):
    done = subprocess.run([sys.executable, str(JOB), kind, str(db), str(log), "1"],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _assert_no_worker_left(children, timeout=30):
    start = time.monotonic()
    alive = [p for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    while alive and time.monotonic() - start < timeout:
        time.sleep(0.2)
        alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], f"worker processes left after SIGKILL: {alive}"


@pytest.mark.slow
def test_bayes_search_killed_mid_way_resumes_without_rerunning(tmp_path):
    db, log = tmp_path / "bayes.db", tmp_path / "fits.log"
    children = _kill_when(_start("bayes", db, log, 2), db, count=4)
    kept = _stored(db)
    assert 4 <= kept < 12
    before = _fits(log)
    Path(log).write_text("")
    result = _resume("bayes", db, log)
    assert result["n"] == result["distinct"] == result["n_trials"] == 12
    # the resumed process fitted only the trials that were not stored (2 splits each)
    # plus the final refit; no stored trial ran again
    after = _fits(log)
    assert len(after) == 2 * (12 - kept) + 1
    conn = sqlite3.connect(db)
    stored_x = [json.loads(p)["k"] for p, in conn.execute(
        "SELECT params FROM sklearn_hp_trials WHERE number < ?", (kept,))]
    assert not {x for x, _ in after[:-1]} & set(stored_x)
    assert {x for x, _ in before} >= set(stored_x)
    _assert_no_worker_left(children)


@pytest.mark.parametrize("kill_at, fit_seconds, before", [(9, 0.0, 22), (3, 1.0, 9)],
                         ids=["between-rungs", "mid-rung"])
@pytest.mark.slow
def test_hyperband_killed_resumes_at_its_rung(tmp_path, kill_at, fit_seconds, before):
    db, log = tmp_path / "hyper.db", tmp_path / "fits.log"
    # Bracket 0 starts 9 candidates at 1 epoch. Killed once they are stored, or
    # once 3 are: with fits of 1 s, a batch holds 1 candidate, then about 5 s of
    # work (4 candidates), so part of a rung is stored before the rung ends.
    children = _kill_when(_start("hyperband", db, log, 2, fit_seconds), db, count=kill_at)
    kept = _stored(db)
    assert kill_at <= kept < before
    assert Path(str(db) + ".checkpoints").is_dir()  # partial models kept for the resume
    Path(log).write_text("")
    result = _resume("hyperband", db, log)
    assert result["n"] == result["distinct"] == result["n_trials"] == 22
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT number, params, status FROM sklearn_hp_trials").fetchall()
    assert len(rows) == 22
    stored = {(json.loads(p)["k"], json.loads(p)["max_epochs"]) for n, p, _ in rows if n < kept}
    after = _fits(log)
    # at most the unstored trials ran (2 splits each) plus the refit: fewer when a
    # rung that was running at the kill had saved some models at their budget
    assert len(after) <= 2 * (22 - kept) + 1
    assert not set(after[:-1]) & stored
    # bracket 0 kept 3 of its 9 first-rung candidates: 6 were pruned
    first_rung = [s for n, p, s in rows if n < 9]
    assert first_rung.count("pruned") == 6
    # the resumed search finished: no checkpoint directory or worker is left
    assert not Path(str(db) + ".checkpoints").exists()
    leftovers = [n for n in os.listdir(tempfile.gettempdir()) if n.startswith("sklearn_hp_ckpt_")
                 and n.split("_")[3] in {str(c.pid) for c in children}]
    assert leftovers == []
    _assert_no_worker_left(children)
