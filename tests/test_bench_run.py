"""Smoke test of the benchmark scripts at 1k questions (figures are never asserted: machines are noisy)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_run_at_1k_questions(tmp_path: Path) -> None:
    results = tmp_path / "results.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run"), "--sizes", "1000", "--repeat", "1",
         "--registry", str(ROOT / "kg" / "data" / "sample" / "registry"),
         "--work", str(tmp_path / "corpora"), "--results", str(results)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    summary = done.stdout.strip().splitlines()[-1]
    for key in ("questions/s=", "x_floor=", "x_naive=", "peak_mb=", "shacl_fast_s_per_100k="):
        assert key in summary
    text = results.read_text(encoding="utf-8")
    assert "| e2e s |" in text and "| floor s |" in text and "| naive nt s |" in text
    assert "records read 1000, in graph 1000" in text
    assert "| query questions-by-deputy embedded p50/p95 ms |" in text
    assert "| query ministry-answer-stats served p50/p95 ms |" in text
