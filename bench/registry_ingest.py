"""Benchmark: load every acteur and organe file into the registry and report what was read.

Usage: ``python bench/registry_ingest.py [PATH ...]`` (default: ``../shared/data/an/acteurs`` and ``organes``
beside the repository, as bench/run reads them).
Prints counts, diagnostics by severity and code, seconds and records per second; exits 1 when any error
diagnostic was met (every record must ingest), 2 when a path does not exist.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from kg.errors import InputError
from kg.registry import load_registry
from kg.sources.files import iter_input_files

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "an"
DEFAULT_PATHS = (SHARED / "acteurs", SHARED / "organes")


def _table(title: str, counts: Counter[str]) -> None:
    print(f"{title}:")
    for key, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        print(f"  {key:<40} {count:>8}")


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] or list(DEFAULT_PATHS)
    try:
        files = sum(1 for path in paths for _ in iter_input_files(path))
        started = time.perf_counter()
        registry = load_registry(paths)
        seconds = time.perf_counter() - started
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    records = sum(len(p.sources) for p in registry.persons.values()) + sum(
        len(o.sources) for o in registry.organes.values()
    )
    print(f"inputs:    {', '.join(str(p) for p in paths)}")
    print(f"files:     {files}")
    print(f"records:   {records} decoded")
    print(f"persons:   {len(registry.persons)}")
    print(f"organes:   {len(registry.organes)}")
    print(f"mandates:  {len(registry.mandates)}")
    _table("organes by codeType", Counter(o.code_type for o in registry.organes.values()))
    _table("mandates by typeOrgane", Counter(m.organe_type for m in registry.mandates.values()))
    _table(
        "diagnostics by severity/code",
        Counter(f"{d.severity}/{d.code}" for d in registry.diagnostics) or Counter({"(none)": 0}),
    )
    errors = [d for d in registry.diagnostics if d.severity == "error"]
    for diagnostic in errors[:20]:
        print(f"  {diagnostic.one_line()}")
    print(f"seconds:   {seconds:.2f}")
    print(f"files/s:   {files / seconds:,.0f}")
    print(f"records/s: {records / seconds:,.0f}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
