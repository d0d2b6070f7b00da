#!/usr/bin/env bash
# Fuzz every target until it stops finding new coverage, then minimise its corpus into
# tests/fixtures/fuzz/corpus/<target>/, where `cargo test` replays it (tests/hostile.rs).
#
#   fuzz/run.sh                       # all targets, stop after 5 min without new coverage
#   PLATEAU=600 MAX=7200 fuzz/run.sh read_csv
#   MAX=0 fuzz/run.sh            # no fuzzing: only minimise the corpora again
#
# A target stops when its edge coverage (libFuzzer's `cov:`) has not grown for PLATEAU
# seconds, or after MAX seconds in all. Each run's log is kept in fuzz/logs/<target>.log; the last lines of the
# log give the executions and coverage that docs/reliability.md quotes. Needs a nightly
# toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
set -euo pipefail
cd "$(dirname "$0")"

PLATEAU=${PLATEAU:-300}
MAX=${MAX:-3600}
MAX_LEN=${MAX_LEN:-16384}  # bytes per input while fuzzing
KEEP_LEN=${KEEP_LEN:-2048} # bytes per input of the committed corpus (see docs/reliability.md)
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(read_geojson read_csv assumptions cli_parsers)

cargo +nightly fuzz build --release
BIN=target/x86_64-unknown-linux-gnu/release
mkdir -p logs

# Seeds: the committed minimised corpus, plus the inputs each target reads in real use.
seeds() {
  local keep=../tests/fixtures/fuzz/corpus/$1
  mkdir -p "$keep"
  echo "$keep"
  case $1 in
    read_geojson) echo ../samples ../tests/fixtures/check ../tests/fixtures/hostile ;;
    read_csv) echo ../samples ../tests/fixtures/check ../tests/fixtures/hostile ;;
    assumptions) echo ../assumptions ;;
  esac
}

# Fuzzes target $1 until its edge coverage stops growing (or MAX seconds), logging to $2.
fuzz() {
  local t=$1 log=$2
  # shellcheck disable=SC2046
  "$BIN/$t" "corpus/$t" $(seeds "$t") -artifact_prefix="artifacts/$t/" \
    -print_final_stats=1 -max_total_time="$MAX" -max_len="$MAX_LEN" > "$log" 2>&1 &
  local pid=$! start now cov last_new seen=0 status=0
  start=$(date +%s)
  last_new=$start
  while kill -0 "$pid" 2>/dev/null; do
    sleep 10
    now=$(date +%s)
    cov=$(grep -oP '^#\d+\s+\w+\s+cov: \K\d+' "$log" | tail -1 || true)
    if [ -n "$cov" ] && [ "$cov" -gt "$seen" ]; then
      seen=$cov
      last_new=$now
    elif [ $((now - last_new)) -ge "$PLATEAU" ]; then
      kill -INT "$pid" 2>/dev/null || true
    fi
  done
  wait "$pid" || status=$?
  echo "$t: $(($(date +%s) - start)) s, edge coverage $seen, last grown at $((last_new - start)) s, exit $status"
  grep -E '^#[0-9]+' "$log" | tail -1
  grep -E 'stat::number_of_executed_units' "$log" || true
}

for t in "${TARGETS[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  log=logs/$t.log
  if [ "$MAX" -gt 0 ]; then
    fuzz "$t" "$log"
  fi
  if ls "artifacts/$t"/crash-* >/dev/null 2>&1; then
    echo "$t: CRASH inputs in fuzz/artifacts/$t/" >&2
  fi
  # Minimise: the inputs that reach every feature reachable within KEEP_LEN bytes replace
  # the committed corpus (the full corpus stays in fuzz/corpus/, ignored by git).
  keep=../tests/fixtures/fuzz/corpus/$t
  fresh=$(mktemp -d)
  "$BIN/$t" -merge=1 -max_len="$KEEP_LEN" "$fresh" "$keep" "corpus/$t" >> "$log" 2>&1
  rm -rf "$keep"
  mv "$fresh" "$keep"
  echo "$t: minimised corpus of $(find "$keep" -type f | wc -l) files, $(du -sh "$keep" | cut -f1)"
done
