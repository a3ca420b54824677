"""Time amkit against baselines measured in the same run; print a table and write JSON.

    python benchmarks/run.py S [--repeat 5]      # CI smoke size
    python benchmarks/run.py L                   # the targets in the README

Needs the data of benchmarks/generate.py for that size (it is generated when missing).
Every operation runs as its own process, like a user or cron runs it; each is repeated and
the median kept. Ratios are amkit / baseline (or baseline / amkit for throughput).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import OUT, TODAY, generate  # noqa: E402


def run_once(cmd: list[str], env: dict | None = None) -> tuple[float, int]:
    """Seconds and peak RSS (KiB) of one process."""
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - began
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 10):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.read().decode()[-500:]}")
    return elapsed, usage.ru_maxrss


def median_time(cmd: list[str], env: dict | None, repeat: int, setup=None) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        if setup:
            setup()
        times.append(run_once(cmd, env)[0])
    return statistics.median(times)


def amkit(*args: str) -> list[str]:
    return [sys.executable, "-m", "amkit", *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("size", choices=["S", "M", "L"])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = OUT / args.size
    if not (data / "amkit.db").exists():
        generate(args.size)
    db = data / "amkit.db"
    env = {**os.environ, "AMKIT_DB": str(db), "AMKIT_TODAY": str(TODAY), "AMKIT_LANG": "en"}
    base = [sys.executable, str(HERE / "baselines.py")]
    r = args.repeat
    results = []

    def compare(name: str, ours: float, theirs: float, limit: float, absolute: float | None = None) -> None:
        ratio = ours / theirs
        ok = ratio <= limit and (absolute is None or ours < absolute)
        target = f"<= {limit}x" + (f" and < {absolute:g} s" if absolute else "")
        results.append({"operation": name, "amkit_s": round(ours, 4), "baseline_s": round(theirs, 4),
                        "ratio": round(ratio, 2), "target": target, "pass": ok})

    compare("amkit --help (process)", median_time(amkit("--help"), env, r),
            median_time([sys.executable, str(HERE / "bare_typer.py"), "--help"], env, r), 1.5)
    compare("remind -f json", median_time(amkit("remind", "-f", "json", "--as-of", str(TODAY)), env, r),
            median_time(base + ["remind", str(db)], env, r), 3, 1.0)
    compare("tier run --dry-run", median_time(amkit("tier", "run", "--dry-run", "-f", "json"), env, r),
            median_time(base + ["tier", str(db)], env, r), 3, 1.0)
    compare("score card --period 2026Q4", median_time(amkit("score", "card", "--period", "2026Q4", "-f", "json"),
                                                       env, r),
            median_time(base + ["score", str(db)], env, r), 3, 1.0)
    for word, how in (("年度预算", "FTS5"), ("续约", "2 chars: LIKE scan")):
        compare(f"followup search {word} ({how})",
                median_time(amkit("followup", "search", word, "--limit", "50", "-f", "json"), env, r),
                median_time(base + ["search", str(db), word], env, r), 3)
    results.extend(import_results(data, max(1, r // 2)))
    print_table(results)
    out = HERE / "out" / f"results-{args.size}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\nwritten {out}", file=sys.stderr)


def import_results(data: Path, repeat: int) -> list[dict]:
    """amkit import customers vs `sqlite-utils insert --csv` (rows/s), and peak memory vs 1k rows."""
    csv_file = data / "customers.csv"
    rows = sum(1 for _ in open(csv_file, encoding="utf-8")) - 1
    small = Path(tempfile.mkdtemp()) / "customers-1k.csv"
    with open(csv_file, encoding="utf-8") as src, open(small, "w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if i > 1000:
                break
            dst.write(line)
    tmp = Path(tempfile.mkdtemp())
    managers = data / "managers.csv"

    def fresh(name: str) -> dict:
        path = tmp / name
        for p in tmp.glob(name + "*"):
            p.unlink()
        env = {**os.environ, "AMKIT_DB": str(path), "AMKIT_TODAY": str(TODAY)}
        subprocess.run(amkit("import", "managers", str(managers)), env=env, check=True, capture_output=True)
        return env

    ours, peak_big = [], 0
    for _ in range(repeat):
        env = fresh("imp.db")
        seconds, rss = run_once(amkit("import", "customers", str(csv_file)), env)
        ours.append(seconds)
        peak_big = max(peak_big, rss)
    env = fresh("small.db")
    _, peak_small = run_once(amkit("import", "customers", str(small)), env)
    utils = shutil.which("sqlite-utils") or "sqlite-utils"
    theirs = []
    for _ in range(repeat):
        target = tmp / "su.db"
        target.unlink(missing_ok=True)
        theirs.append(run_once([utils, "insert", str(target), "customers", str(csv_file), "--csv"], None)[0])
    ours_rate, their_rate = rows / statistics.median(ours), rows / statistics.median(theirs)
    mem_ratio = peak_big / peak_small
    return [
        {"operation": f"import customers ({rows} rows) rows/s", "amkit_s": round(statistics.median(ours), 3),
         "baseline_s": round(statistics.median(theirs), 3), "ratio": round(ours_rate / their_rate, 2),
         "target": ">= 1x rows/s (sqlite-utils insert --csv)", "pass": ours_rate >= their_rate},
        {"operation": "import peak memory vs 1k rows", "amkit_s": peak_big, "baseline_s": peak_small,
         "ratio": round(mem_ratio, 2), "target": "<= 1.5x (KiB)", "pass": mem_ratio <= 1.5},
    ]


def print_table(results: list[dict]) -> None:
    head = ("operation", "amkit", "baseline", "ratio", "target", "result")
    rows = [(r["operation"], str(r["amkit_s"]), str(r["baseline_s"]), f"{r['ratio']}", r["target"],
             "pass" if r["pass"] else "FAIL") for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)))


if __name__ == "__main__":
    main()
