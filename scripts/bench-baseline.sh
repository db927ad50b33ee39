#!/usr/bin/env bash
# The pipeline benchmark of a baseline commit and of the working tree, run in alternation on the
# same machine in the same run, with each reference request's median and the ratio new / base.
# Figures from different days or machines do not compare; a ratio from one run does.
#
#   scripts/bench-baseline.sh [BASE_COMMIT] [ROUNDS]
#
# BASE_COMMIT defaults to 02dccc2 (the tree issue 12's speed targets were set against), ROUNDS
# to 3 (each round runs base then new; the medians of the rounds are reported). Set
# BASE_TARGET_DIR / NEW_TARGET_DIR to reuse build directories (never the same one for both: the
# sources differ). Needs a quiet machine: close other builds first.
set -euo pipefail

base=${1:-02dccc2}
rounds=${2:-3}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
git -C "$root" worktree add -f --detach "$work/base" "$base" >/dev/null
cleanup() {
  git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The base tree finds the shared datasets beside it, as the repository does.
if [ -e "$root/../shared" ] && [ ! -e "$work/shared" ]; then
  ln -s "$(cd "$root/../shared" && pwd)" "$work/shared"
fi

filter='inspect_request/(plain_get|get_10_params|json_post_2kb|attack_get)$'
export CRITERION_HOME="$work/criterion"
for r in $(seq "$rounds"); do
  for side in base new; do
    if [ "$side" = base ]; then
      dir="$work/base"
      target=${BASE_TARGET_DIR:-$work/target-base}
    else
      dir="$root"
      target=${NEW_TARGET_DIR:-$work/target-new}
    fi
    echo "round $r/$rounds: $side" >&2
    (cd "$dir" && CARGO_TARGET_DIR="$target" cargo bench -q -p ironward-core --bench pipeline \
      -- --save-baseline "$side-$r" "$filter" >/dev/null)
  done
done

python3 - "$CRITERION_HOME" "$rounds" "$base" "$(git -C "$root" rev-parse --short HEAD)" <<'EOF'
import json, statistics, sys
home, rounds, base, head = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def median(bench, side):
    xs = []
    for r in range(1, rounds + 1):
        path = f"{home}/inspect_request/{bench}/{side}-{r}/estimates.json"
        with open(path) as f:
            xs.append(json.load(f)["median"]["point_estimate"] / 1000)
    return statistics.median(xs)
print(f"inspect_request, median of {rounds} rounds (µs): base {base} vs working tree ({head})")
print(f"{'request':<16}{'base':>10}{'new':>10}{'new/base':>10}")
for bench in ["plain_get", "get_10_params", "json_post_2kb", "attack_get"]:
    b, n = median(bench, "base"), median(bench, "new")
    print(f"{bench:<16}{b:>10.2f}{n:>10.2f}{n / b:>10.2f}")
EOF
