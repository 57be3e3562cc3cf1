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
         "--registry", str(ROOT / "kg" / "data" / "sample" / "registry"), "--note", "a test run",
         "--page", str(next((ROOT / "kg" / "data" / "sample" / "questions" / "json").glob("*.json"))),
         "--work", str(tmp_path / "corpora"), "--results", str(results)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    summary = done.stdout.strip().splitlines()[-1]
    for key in ("questions/s=", "x_floor=", "x_naive=", "peak_mb=", "shacl_fast_s_per_100k=", "export_x_floor=",
                "page_cold_s=", "page_warm_s=", "page_no-op_s=", "kg_--version_s="):  # fmt: skip
        assert key in summary
    text = results.read_text(encoding="utf-8")
    assert "| e2e s |" in text and "| floor s |" in text and "| naive nt s |" in text
    assert "records read 1000, in graph 1000" in text
    assert "| query questions-by-deputy embedded p50/p95 ms |" in text
    assert "| query ministry-answer-stats served p50/p95 ms |" in text
    for row in ("| page cold |", "| page no cache |", "| page warm |", "| page no-op |", "| kg --version |",
                "| e2e CPU s |", "| e2e warm s |", "| export (no store) s |", "| floor CPU s |"):  # fmt: skip
        assert row in text
    assert "a test run" in text and "Registry: kg/data/sample/registry" in text
    assert str(ROOT.parent) + "/" not in text  # no path of this machine (the checkout or what holds it)
    # the page warm: the registry not read again (its counts come from the cache)
    assert "persons 38, organes 119" in text.split("- warm: `", 1)[1].split("`", 1)[0]
