"""Deterministic synthetic data for benchmarks (seeded): CSV files plus a database built
through amkit's own bulk path (`amkit import`).

    python benchmarks/generate.py S        # 1k customers  (CI smoke size)
    python benchmarks/generate.py M        # 10k customers
    python benchmarks/generate.py L        # 100k customers, 1M follow-ups, 300k deals, 50 managers

Output: benchmarks/out/<SIZE>/{managers,customers,followups,deals}.csv and amkit.db.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import subprocess
import sys
import time
from pathlib import Path

SIZES = {
    "S": {"customers": 1_000, "followups": 10_000, "deals": 3_000, "managers": 10},
    "M": {"customers": 10_000, "followups": 100_000, "deals": 30_000, "managers": 20},
    "L": {"customers": 100_000, "followups": 1_000_000, "deals": 300_000, "managers": 50},
}
TODAY = dt.date(2026, 11, 23)
OUT = Path(__file__).resolve().parent / "out"

CITIES = ["上海", "北京", "深圳", "杭州", "广州", "南京", "苏州", "成都", "武汉", "天津", "重庆", "厦门"]
REGIONS = ["华东", "华北", "华南", "西南", "华中"]
INDUSTRIES = ["金融", "制造", "零售", "科技", "医疗", "物流", "教育", "能源"]
WORDS = ["华信", "恒通", "远航", "瑞丰", "金桥", "东方", "星辰", "博远", "中科", "海纳", "天成", "鼎盛", "汇智",
         "长江", "青云", "万邦", "启明", "宏图", "嘉禾", "新纪元"]
KINDS = ["科技", "贸易", "实业", "电子", "银行", "证券", "物流", "医药", "软件", "制造"]
CHANNELS = ["visit", "call", "wechat", "email", "video", "meeting", "other"]
TOPICS = ["报价", "续约", "付款", "合同", "需求调研", "产品演示", "投诉处理", "年度预算", "招标", "技术交流",
          "CRM upgrade", "API 对接", "发票", "培训", "验收"]
STAGES = ["contact", "needs", "quote", "negotiation", "won", "won", "lost"]


def managers(n: int) -> list[dict]:
    return [{"name": f"经理{i:03d}", "team": REGIONS[i % len(REGIONS)], "lead": f"主管{i % 5}"} for i in range(n)]


def customers(rng: random.Random, n: int, owners: list[str]):  # noqa: ANN201
    for i in range(n):
        created = TODAY - dt.timedelta(days=rng.randint(1, 1500))
        yield {
            "name": f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.choice(KINDS)}有限公司{i:06d}",
            "industry": rng.choice(INDUSTRIES), "region": rng.choice(REGIONS), "source": "bench",
            "owner": rng.choice(owners), "tier": rng.choice("ABCCC"), "lifecycle": "active",
            "tags": rng.choice(["", "vip", "国企", "vip,国企"]), "created_at": f"{created}T09:00:00",
        }


def followups(rng: random.Random, n: int, names: list[str]):  # noqa: ANN201
    seen: set[tuple[str, dt.datetime]] = set()  # (customer, at) identifies a follow-up in imports
    while len(seen) < n:
        at = dt.datetime.combine(TODAY - dt.timedelta(days=rng.randint(0, 400)),
                                 dt.time(rng.randint(8, 19), rng.randint(0, 59), rng.randint(0, 59)))
        customer = rng.choice(names)
        if (customer, at) in seen:
            continue
        seen.add((customer, at))
        topic = rng.choice(TOPICS)
        pending = rng.random() < 0.05
        yield {
            "customer": customer, "channel": rng.choice(CHANNELS), "at": at.isoformat(),
            "summary": f"沟通{topic}事宜，客户反馈{rng.choice(TOPICS)}", "outcome": rng.choice(["积极", "待定", ""]),
            "next_action": f"跟进{topic}" if pending else "",
            "next_date": str(TODAY + dt.timedelta(days=rng.randint(-20, 20))) if pending else "",
        }


def deals(rng: random.Random, n: int, names: list[str], owners: list[str]):  # noqa: ANN201
    for i in range(n):
        created = TODAY - dt.timedelta(days=rng.randint(0, 700))
        stage = rng.choice(STAGES)
        closed = created + dt.timedelta(days=rng.randint(5, 90)) if stage in ("won", "lost") else None
        if closed and closed > TODAY:
            closed = TODAY
        yield {
            "external_id": f"B{i:07d}", "customer": rng.choice(names), "owner": rng.choice(owners),
            "title": rng.choice(TOPICS), "amount": f"{rng.randint(1_000, 2_000_000)}.{rng.randint(0, 99):02d}",
            "stage": stage, "created": str(created), "closed_at": str(closed) if closed else "",
        }


def write(path: Path, rows) -> int:  # noqa: ANN001
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = None
        for row in rows:
            if writer is None:
                writer = csv.DictWriter(fh, fieldnames=list(row), lineterminator="\n")
                writer.writeheader()
            writer.writerow(row)
            count += 1
    return count


def generate(size: str, seed: int = 42, build_db: bool = True) -> Path:
    spec = SIZES[size]
    out = OUT / size
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    owner_rows = managers(spec["managers"])
    owners = [m["name"] for m in owner_rows]
    write(out / "managers.csv", owner_rows)
    cust = list(customers(rng, spec["customers"], owners))
    write(out / "customers.csv", cust)
    names = [c["name"] for c in cust]
    write(out / "followups.csv", followups(rng, spec["followups"], names))
    write(out / "deals.csv", deals(rng, spec["deals"], names, owners))
    if build_db:
        db = out / "amkit.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        env = {**os.environ, "AMKIT_DB": str(db), "AMKIT_TODAY": str(TODAY)}
        for table in ("managers", "customers", "followups", "deals"):
            began = time.perf_counter()
            subprocess.run([sys.executable, "-m", "amkit", "import", table, str(out / f"{table}.csv")],
                           env=env, check=True)
            print(f"imported {table} in {time.perf_counter() - began:.1f}s", file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--csv-only", action="store_true", help="Write the CSV files, build no database.")
    args = parser.parse_args()
    print(generate(args.size, args.seed, not args.csv_only))


if __name__ == "__main__":
    main()
