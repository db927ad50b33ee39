#!/usr/bin/env bash
# A fuzzing campaign: every fuzz target in turn, for SECONDS_PER_TARGET each, one fuzzing
# process at a time (-jobs=1). Corpora are kept (and grown) in fuzz/corpus/<target>/; crashes
# go to fuzz/artifacts/<target>/. Stops at the first crash and prints the reproducer's path.
#
# Prints, per target, the executions, the exec/s, the corpus size and whether it crashed, then
# a markdown table for docs/benchmarks.md and, from the measured exec/s, the time per target a
# run needs to reach TARGET_EXECS (10 million) executions.
#
# Usage: bash scripts/fuzz-campaign.sh                   # every target, 600 s each
#        SECONDS_PER_TARGET=60 bash scripts/fuzz-campaign.sh cookies form
# Environment: SECONDS_PER_TARGET (600), TARGET_EXECS (10000000), MAX_LEN (8192),
#              RSS_LIMIT_MB (2048), UNIT_TIMEOUT (10 s per input), FUZZ_LOG_DIR (kept; by
#              default a temp dir, removed at exit unless a target crashed),
#              SANITIZER (address; none runs faster: the engine and model crates forbid unsafe
#              code, so AddressSanitizer only watches their dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

seconds="${SECONDS_PER_TARGET:-600}"
target_execs="${TARGET_EXECS:-10000000}"
max_len="${MAX_LEN:-8192}"
rss_limit="${RSS_LIMIT_MB:-2048}"
unit_timeout="${UNIT_TIMEOUT:-10}"
sanitizer="${SANITIZER:-address}"
all_targets=(extract decode analyze multipart form cookies xml protobuf charset config request sink_sql sink_path sink_shell sink_ssrf sink_nosql)
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --version 0.13.2
fi
# cargo-fuzz needs nightly-only flags; RUSTC_BOOTSTRAP lets the stable toolchain accept them.
echo "==> building the fuzz targets" >&2
(cd fuzz && RUSTC_BOOTSTRAP=1 cargo +stable fuzz build --sanitizer "$sanitizer" 1>&2)
triple="$(rustc +stable -vV | sed -n 's/^host: //p')"
bin_dir="$root/fuzz/target/$triple/release"

if [ -n "${FUZZ_LOG_DIR:-}" ]; then
  log_dir="$FUZZ_LOG_DIR"
else
  # A temp log directory goes at exit, unless a target crashed (its log is named below).
  log_dir="$(mktemp -d -t ironward-fuzz.XXXXXX)"
  trap '[ "${crashed:-no}" = yes ] || rm -rf "$log_dir"' EXIT
fi
mkdir -p "$log_dir"
date_utc="$(date -u +%Y-%m-%d)"
rows=()
estimates=()
stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }

for t in "${targets[@]}"; do
  corpus="$root/fuzz/corpus/$t"
  artifacts="$root/fuzz/artifacts/$t"
  mkdir -p "$corpus" "$artifacts" "$log_dir/$t"
  echo "==> $t: ${seconds}s" >&2
  status=0
  # -jobs=1: one fuzzing process (libFuzzer runs it as a child and logs to fuzz-0.log).
  (cd "$log_dir/$t" && rm -f fuzz-0.log &&
    "$bin_dir/$t" -jobs=1 -max_total_time="$seconds" -max_len="$max_len" \
      -rss_limit_mb="$rss_limit" -timeout="$unit_timeout" -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$corpus" >"$log_dir/$t/driver.log" 2>&1) || status=$?
  log="$log_dir/$t/fuzz-0.log"
  [ -f "$log" ] || log="$log_dir/$t/driver.log"
  execs="$(stat number_of_executed_units "$log")"
  rate="$(stat average_exec_per_sec "$log")"
  files="$(find "$corpus" -type f | wc -l | tr -d ' ')"
  kib="$(du -sk --apparent-size "$corpus" | cut -f1)"
  reproducer="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)"
  crashed=no
  if [ "$status" -ne 0 ] || [ -n "$reproducer" ]; then crashed=yes; fi
  execs="${execs:-0}"
  rate="${rate:-0}"
  need="n/a"
  if [ "$rate" -gt 0 ]; then need=$(((target_execs + rate - 1) / rate)); fi
  printf '%-10s %12s execs  %6s exec/s  corpus %6s files (%s KiB)  crashed: %s\n' \
    "$t" "$execs" "$rate" "$files" "$kib" "$crashed"
  rows+=("| \`$t\` | $execs | $seconds s | $rate | $files | $crashed | $date_utc |")
  estimates+=("$t:$need")
  if [ "$crashed" = yes ]; then
    echo "CRASH in $t; log: $log" >&2
    grep -E "panicked at|ERROR: |SUMMARY|deadly signal" "$log" | head -n 8 >&2 || true
    echo "reproducer: ${reproducer:-see $log}" >&2
    echo "replay: fuzz/target/$triple/release/$t ${reproducer:-<file>}" >&2
    break
  fi
done

echo
echo "| target | executions without a crash | time | exec/s | corpus files | crashed | date |"
echo "|---|---:|---:|---:|---:|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "Command: SECONDS_PER_TARGET=$seconds bash scripts/fuzz-campaign.sh${*:+ $*}"
echo
echo "Time per target to reach $target_execs executions at the measured exec/s:"
total=0
for e in "${estimates[@]}"; do
  t="${e%%:*}"
  s="${e#*:}"
  if [ "$s" = n/a ]; then
    echo "  $t: n/a"
    continue
  fi
  printf '  SECONDS_PER_TARGET=%-7s bash scripts/fuzz-campaign.sh %-10s # %s min\n' \
    "$s" "$t" "$(((s + 59) / 60))"
  total=$((total + s))
done
if [ "$total" -gt 0 ]; then
  echo "  all of them: about $(((total + 3599) / 3600)) h of one core"
fi
[ "${crashed:-no}" = no ]
