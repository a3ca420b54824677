"""Just the import rows of run.py, measured the same way: `amkit import customers FILE` (a fresh
database with the managers imported first, each import its own process) against
`sqlite-utils insert DB customers FILE --csv` in the same run, and the peak RSS of the big
import against a 1k-row import.

    python benchmarks/import_only.py [DATA_DIR] [--repeat 3]     # DATA_DIR: benchmarks/out/L
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-11-23"


def run_once(cmd: list[str], env: dict | None = None) -> tuple[float, int]:
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-500:]}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", default=str(ROOT / "benchmarks" / "out" / "L"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = Path(args.data)
    csv_file, managers = data / "customers.csv", data / "managers.csv"
    rows = sum(1 for _ in open(csv_file, encoding="utf-8")) - 1
    tmp = Path(tempfile.mkdtemp())
    small = tmp / "customers-1k.csv"
    with open(csv_file, encoding="utf-8") as src, open(small, "w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if i > 1000:
                break
            dst.write(line)
    amkit = [sys.executable, "-m", "amkit", "import"]

    def fresh(name: str) -> dict:
        for p in tmp.glob(name + "*"):
            p.unlink()
        env = {**os.environ, "AMKIT_DB": str(tmp / name), "AMKIT_TODAY": TODAY}
        subprocess.run(amkit + ["managers", str(managers)], env=env, cwd=ROOT, check=True, capture_output=True)
        return env

    ours, theirs, peak_big = [], [], 0
    for _ in range(args.repeat):
        seconds, rss = run_once(amkit + ["customers", str(csv_file)], fresh("imp.db"))
        ours.append(seconds)
        peak_big = max(peak_big, rss)
        target = tmp / "su.db"
        target.unlink(missing_ok=True)
        utils = shutil.which("sqlite-utils") or "sqlite-utils"
        theirs.append(run_once([utils, "insert", str(target), "customers", str(csv_file), "--csv"])[0])
    _, peak_small = run_once(amkit + ["customers", str(small)], fresh("small.db"))
    mine, base = statistics.median(ours), statistics.median(theirs)
    print(f"import {rows} rows: amkit {mine:.2f} s = {rows / mine:,.0f} rows/s; sqlite-utils {base:.2f} s = "
          f"{rows / base:,.0f} rows/s; ratio {base / mine:.2f} (target >= 1)")
    print(f"peak RSS: {peak_big} KiB vs {peak_small} KiB for 1k rows; ratio {peak_big / peak_small:.2f} "
          "(target <= 1.5)")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
