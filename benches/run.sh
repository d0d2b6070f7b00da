#!/usr/bin/env bash
# Whole-command benchmarks of prospect on this machine, beside its peers: every figure of
# issue 9 on one line, with the command that made it. docs/performance.md keeps a run.
#
#   benches/run.sh                      # default sizes (about 20 minutes on 2 cores with RUNS=1)
#   EXPORT_RECORDS=100000 benches/run.sh                 # a quicker export comparison
#   SIM_RECORDS=1000000 benches/run.sh  # the 1M x 1,000-draw memory run (+10 minutes)
#   ONLY=simulation benches/run.sh      # the simulation beside numpy alone (about 2 minutes)
#   ONLY=memory benches/run.sh          # peak memory of every ranking command at 1M alone
#                                       # (about 10 minutes; MEM_RECORDS sets the size, and
#                                       # MEM_LIMIT_S the seconds each may run, 1,800)
#
# Needs bash, coreutils, bc and GNU time (/usr/bin/time); the peers need python3 with
# numpy (and numpy-financial for the IRR cross-check) and GDAL's ogr2ogr. A missing peer
# is reported and skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}                 # runs per timing (the median is printed)
REPEAT=${REPEAT:-20}            # copies of the 28 sample projects for the simulation
DRAWS=${DRAWS:-10000}           # draws per project for the simulation
RECORDS=${RECORDS:-1000000}     # synthetic records for check and the deterministic run
EXPORT_RECORDS=${EXPORT_RECORDS:-1000000} # synthetic features for export vs ogr2ogr
SIM_RECORDS=${SIM_RECORDS:-100000}        # synthetic records x SIM_DRAWS for peak memory
SIM_DRAWS=${SIM_DRAWS:-1000}
MEM_RECORDS=${MEM_RECORDS:-1000000}       # synthetic records for each command's peak memory
MEM_LIMIT_S=${MEM_LIMIT_S:-1800}          # seconds each of those commands may run (plan at 1M finishes in about 2 minutes)

cargo build --release --quiet
BIN=$PWD/target/release/prospect
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Median wall seconds of RUNS runs of a command (output discarded).
median() {
  local times=()
  for _ in $(seq 1 "$RUNS"); do
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR] = $1} END {printf "%.3f\n", a[int((NR + 1) / 2)]}'
}

# Peak resident memory of one run, MB.
peak_mb() {
  /usr/bin/time -f "%M" "$@" 2>&1 > /dev/null | tail -1 | awk '{printf "%.0f\n", $1 / 1024}'
}

rate() { echo "$1 / $2" | bc; }

# "met" or "short N.Nx" of a figure against its target (higher is better).
verdict() { echo "$1 $2" | awk '{ if ($1 >= $2) print "met"; else printf "short %.1fx\n", $2 / $1 }'; }

# The load others put on the machine (1-minute load average), said beside the figures.
load() { awk '{print $1}' /proc/loadavg; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sm); load average $(load) at the start"

# 6. Peak memory of every command that ranks or decides across projects at MEM_RECORDS
#    synthetic sites (issue 21: each under 1,024 MB at 1,000,000), one run each.
memory() {
  "$BIN" synth --count "$MEM_RECORDS" --seed 2 --output "$WORK/mem.csv"
  local cmd
  for cmd in rank export timeline plan report; do
    local args=("$BIN" "$cmd" "$WORK/mem.csv" --draws 0 --as-of 2026 --quiet)
    case $cmd in
      rank | timeline) args+=(--format csv -o "$WORK/mem.out") ;;
      export) args+=(--format geojson -o "$WORK/mem.geojson") ;;
      plan) args+=(--target ndpr=40000t@2034 --budget 2000 --format json -o "$WORK/mem.out") ;;
      report) args+=(-o "$WORK/mem.html") ;;
    esac
    local status=0
    /usr/bin/time -o "$WORK/mem.time" -f "%e %M" timeout "$MEM_LIMIT_S" "${args[@]}" > /dev/null 2> "$WORK/mem.err" || status=$?
    read -r t mb < <(tail -1 "$WORK/mem.time" | awk '{printf "%s %.0f\n", $1, $2 / 1024}')
    if [ "$status" = 124 ]; then
      echo "memory $cmd: $MEM_RECORDS sites, did not finish in $MEM_LIMIT_S s (MEM_LIMIT_S), peak $mb MB when stopped (target under 1,024 MB at 1,000,000: short)"
      echo "  command: prospect $cmd mem.csv ${args[*]:3}" | sed "s|$WORK/||g"
      continue
    elif [ "$status" != 0 ]; then
      echo "memory $cmd: FAILED ($(tail -1 "$WORK/mem.err"))"
      continue
    fi
    echo "memory $cmd: $MEM_RECORDS sites, peak $mb MB in ${t} s (target under 1,024 MB at 1,000,000: $(verdict 1024 "$mb"))"
    echo "  command: prospect $cmd mem.csv ${args[*]:3}" | sed "s|$WORK/||g"
    rm -f "$WORK/mem.out" "$WORK/mem.geojson" "$WORK/mem.html"
  done
}
if [ "${ONLY:-all}" = memory ]; then
  memory
  echo "load average at the end: $(load)"
  exit 0
fi

# 1. Simulation: the samples repeated with new ids, DRAWS draws each.
head -1 samples/projects.csv > "$WORK/many.csv"
for i in $(seq 1 "$REPEAT"); do
  tail -n +2 samples/projects.csv | sed "s/^\([^,]*\),/\1-$i,/" >> "$WORK/many.csv"
done
MANY=$(($(wc -l < "$WORK/many.csv") - 1))
sim=("$BIN" appraise "$WORK/many.csv" --draws "$DRAWS" --seed 1 --quiet --as-of 2026 --format json -o "$WORK/sim.json")
t=$(median "${sim[@]}")
"${sim[@]}"
VALUED=$(grep -c '"model": {' "$WORK/sim.json" || true)
SIM_RATE=$(rate "$VALUED * $DRAWS" "$t")
echo "simulation: $VALUED valued projects x $DRAWS draws in ${t} s = $SIM_RATE project-draws/s (target 1,000,000: $(verdict "$SIM_RATE" 1000000); load $(load))"
echo "  command: prospect appraise <$MANY records> --draws $DRAWS --quiet --format json"
if python3 -c 'import numpy' 2>/dev/null; then
  peer=$(python3 benches/peer_numpy.py "$WORK/sim.json" assumptions/default.toml)
  echo "$peer" | grep -v '^rate'
  PEER_RATE=$(echo "$peer" | awk '/^rate/ {print $2}')
  RATIO=$(echo "scale=1; $SIM_RATE / $PEER_RATE" | bc)
  echo "simulation ratio: prospect (whole process, 2 cores) / numpy (kernel only) = ${RATIO}x (target 10x: $(verdict "$RATIO" 10); load $(load))"
  echo "  command: python3 benches/peer_numpy.py sim.json assumptions/default.toml"
else
  echo "numpy peer: skipped (python3 with numpy not found)"
fi

# ONLY=simulation stops here: the simulation and its numpy peer alone.
if [ "${ONLY:-all}" = simulation ]; then
  echo "load average at the end: $(load)"
  exit 0
fi

# 2. Check and the deterministic appraisal of RECORDS synthetic records.
"$BIN" synth --count "$RECORDS" --seed 1 --output "$WORK/synth.csv"
t=$(median "$BIN" check "$WORK/synth.csv")
r=$(rate "$RECORDS" "$t")
echo "check: $RECORDS records in ${t} s = $r records/s, peak $(peak_mb "$BIN" check "$WORK/synth.csv") MB (target 1,000,000 records/s: $(verdict "$r" 1000000); load $(load))"
echo "  command: prospect synth --count $RECORDS --seed 1 --output synth.csv && prospect check synth.csv"
det=("$BIN" appraise "$WORK/synth.csv" --draws 0 --quiet --as-of 2026 --format csv -o "$WORK/det.csv")
t=$(median "${det[@]}")
r=$(rate "$RECORDS" "$t")
echo "deterministic appraisal with context layers: $RECORDS records in ${t} s = $r records/s, peak $(peak_mb "${det[@]}") MB (target 200,000 records/s: $(verdict "$r" 200000); load $(load))"
echo "  command: prospect appraise synth.csv --draws 0 --format csv -o det.csv"

# 3. Export against ogr2ogr converting the same records from CSV, GeoJSON and FlatGeobuf
#    (issues 20 and 21): wall seconds (median of RUNS) and peak resident memory (GNU time's
#    maximum RSS) of each, side by side. The target: prospect, which appraises, ranks and
#    writes, in less time than ogr2ogr, which only converts; and under 1 GB at 1,000,000.
"$BIN" synth --count "$EXPORT_RECORDS" --seed 2 --output "$WORK/export.csv"
# Wall seconds and peak MB of one run, the output file removed before it.
export_once() {
  local out=$1
  shift
  rm -f "$out"
  /usr/bin/time -f "%e %M" "$@" 2>&1 > /dev/null | tail -1 | awk '{printf "%s %.0f\n", $1, $2 / 1024}'
}
# Median wall seconds of RUNS runs and the largest peak MB.
export_runs() {
  local all=()
  for _ in $(seq 1 "$RUNS"); do all+=("$(export_once "$@")"); done
  printf '%s\n' "${all[@]}" | sort -g | awk '{t[NR] = $1; if ($2 > m) m = $2} END {printf "%s %s\n", t[int((NR + 1) / 2)], m}'
}
for fmt in geojson fgb; do
  case $fmt in
    geojson) ogr_fmt=(-f GeoJSON -lco RFC7946=YES) ;;
    fgb) ogr_fmt=(-f FlatGeobuf) ;;
  esac
  read -r t mb < <(export_runs "$WORK/prospect.$fmt" "$BIN" export "$WORK/export.csv" --draws 0 --as-of 2026 --quiet --format "$fmt" -o "$WORK/prospect.$fmt")
  echo "export $fmt: $EXPORT_RECORDS features in ${t} s, peak $mb MB (appraises twice, ranks and writes; target under 1,024 MB at 1,000,000)"
  echo "  command: prospect export export.csv --draws 0 --format $fmt -o prospect.$fmt"
  if command -v ogr2ogr > /dev/null; then
    read -r o omb < <(export_runs "$WORK/ogr.$fmt" ogr2ogr "${ogr_fmt[@]}" "$WORK/ogr.$fmt" "$WORK/export.csv" -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat)
    rm -f "$WORK/ogr.$fmt"
    echo "ogr2ogr $fmt: $EXPORT_RECORDS features in ${o} s, peak $omb MB (converts only)"
    echo "export $fmt ratio: prospect / ogr2ogr wall time = $(echo "scale=2; $t / $o" | bc)x (target below 1)"
    echo "  command: ogr2ogr ${ogr_fmt[*]} ogr.$fmt export.csv -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat"
  else
    echo "ogr2ogr $fmt peer: skipped (GDAL's ogr2ogr not found)"
  fi
  rm -f "$WORK/prospect.$fmt"
done

# 4. Peak memory of a simulation over many records (streamed: flat in the record count).
"$BIN" synth --count "$SIM_RECORDS" --seed 3 --output "$WORK/simmem.csv"
mem=("$BIN" appraise "$WORK/simmem.csv" --draws "$SIM_DRAWS" --quiet --as-of 2026 --format csv -o "$WORK/simmem.out.csv")
start=$(date +%s.%N)
mb=$(peak_mb "${mem[@]}")
end=$(date +%s.%N)
echo "simulation memory: $SIM_RECORDS records x $SIM_DRAWS draws, peak $mb MB in $(echo "$end - $start" | bc -l | xargs printf '%.1f') s (target under 1,024 MB at 1,000,000 records)"
echo "  command: prospect synth --count $SIM_RECORDS --seed 3 --output simmem.csv && prospect appraise simmem.csv --draws $SIM_DRAWS --format csv -o out.csv"

# 5. How time and memory grow: the deterministic appraisal at a tenth of RECORDS and the
# simulation at a tenth of DRAWS (one run each), beside the runs above.
head -n $((RECORDS / 10 + 1)) "$WORK/synth.csv" > "$WORK/tenth.csv"
tenth=("$BIN" appraise "$WORK/tenth.csv" --draws 0 --quiet --as-of 2026 --format csv -o "$WORK/tenth.out.csv")
start=$(date +%s.%N)
mb=$(peak_mb "${tenth[@]}")
end=$(date +%s.%N)
echo "growth with records: deterministic appraisal of $((RECORDS / 10)) records in $(echo "$end - $start" | bc -l | xargs printf '%.2f') s, peak $mb MB (one run; compare the $RECORDS-record run above)"
few=("$BIN" appraise "$WORK/many.csv" --draws $((DRAWS / 10)) --seed 1 --quiet --as-of 2026 --format json -o "$WORK/few.json")
start=$(date +%s.%N)
mb=$(peak_mb "${few[@]}")
end=$(date +%s.%N)
echo "growth with draws: simulation of $MANY records x $((DRAWS / 10)) draws in $(echo "$end - $start" | bc -l | xargs printf '%.2f') s, peak $mb MB (one run; compare the $DRAWS-draw run above)"
memory
echo "load average at the end: $(load) (other work on the machine slows every figure; the ratios are measured in the same run)"
