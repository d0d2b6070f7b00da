#!/usr/bin/env bash
# Whole-command benchmarks of prospect on this machine. Prints one line per figure with
# the command that made it; docs/performance.md keeps a run of it.
#
#   benches/run.sh            # default sizes
#   REPEAT=40 DRAWS=10000 benches/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

REPEAT=${REPEAT:-20}      # copies of the 28 sample projects
DRAWS=${DRAWS:-10000}
RUNS=${RUNS:-3}

cargo build --release --quiet
BIN=target/release/prospect
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Synthetic but real: the samples repeated with new ids.
head -1 samples/projects.csv > "$WORK/many.csv"
for i in $(seq 1 "$REPEAT"); do
  tail -n +2 samples/projects.csv | sed "s/^\([^,]*\),/\1-$i,/" >> "$WORK/many.csv"
done
RECORDS=$(($(wc -l < "$WORK/many.csv") - 1))
VALUED=$("$BIN" appraise "$WORK/many.csv" --draws 0 --format csv --as-of 2026 | awk -F, 'NR > 1 && $8 == "true"' | wc -l)

# Median wall seconds of RUNS runs of a command.
median() {
  local times=()
  for _ in $(seq 1 "$RUNS"); do
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}

echo "machine: $(nproc) cores, $(uname -sm)"
t=$(median "$BIN" appraise "$WORK/many.csv" --draws "$DRAWS" --quiet --as-of 2026 --format json)
echo "simulation: $VALUED valued projects x $DRAWS draws in ${t}s = $(echo "$VALUED * $DRAWS / $t" | bc) project-draws/s"
echo "  command: prospect appraise <$RECORDS records> --draws $DRAWS --quiet --format json"
t=$(median "$BIN" appraise "$WORK/many.csv" --draws 0 --as-of 2026 --format json)
echo "deterministic appraisal: $RECORDS records in ${t}s"
echo "  command: prospect appraise <$RECORDS records> --draws 0 --format json"
t=$(median "$BIN" check "$WORK/many.csv")
echo "check: $RECORDS records in ${t}s"
echo "  command: prospect check <$RECORDS records>"

# A million synthetic records (real samples moved and rescaled): check's throughput and
# peak memory.
"$BIN" synth --count "${MILLION:-1000000}" --seed 1 --output "$WORK/million.csv"
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "check: ${MILLION:-1000000} synthetic records in %e s, peak memory %M KB" "$BIN" check "$WORK/million.csv" 2>&1 | tail -1
else
  t=$(median "$BIN" check "$WORK/million.csv")
  echo "check: ${MILLION:-1000000} synthetic records in ${t}s"
fi
echo "  command: prospect synth --count ${MILLION:-1000000} --seed 1 --output million.csv && prospect check million.csv"
