#!/usr/bin/env bash
# Measures `ironward scan` throughput on text records, pinned to one core, in a release build.
# Usage: bash scripts/scan-throughput.sh [RECORDS]   (default 200000)
# Records are drawn from ../shared/datasets/train (benign, SQLi, XSS) when present, otherwise
# generated; the mix is fixed by a seed so runs compare.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-200000}"
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT

python3 - "$n" "$data/records.jsonl" <<'PY'
import json, random, sys, pathlib
n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(1234)
pool = []
train = pathlib.Path("../shared/datasets/train")
for name in ("benign", "sqli", "xss"):
    f = train / f"{name}.jsonl"
    if f.exists():
        with f.open(encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i % 7 == 0:
                    pool.append(json.loads(line)["text"])
if not pool:
    words = "select a plan from the menu order by date running shoes O'Brien 50% off today".split()
    pool = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 8))) for _ in range(5000)]
with open(out, "w", encoding="utf-8") as fh:
    for _ in range(n):
        fh.write(json.dumps({"text": rng.choice(pool)}) + "\n")
PY

cargo build --release -p ironward-cli --locked -q
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"
$pin ./target/release/ironward scan "$data/records.jsonl" -o /dev/null
