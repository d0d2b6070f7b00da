#!/usr/bin/env bash
# Hostile inputs that must finish with bounded memory (issue 19): `check` of a site
# polygon of a million vertices, and of a 1 GB file that is one line with no end.
# Prints wall seconds and peak resident memory of each; docs/performance.md keeps a run.
#
#   benches/hostile.sh            # VERTICES=1000000 LINE_MB=1024
#
# Needs python3 (to write the polygon) and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
VERTICES=${VERTICES:-1000000}
LINE_MB=${LINE_MB:-1024}

cargo build --release --quiet
BIN=$PWD/target/release/prospect
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# A star of VERTICES vertices around Mount Weld, simple (no edge crosses another).
python3 - "$VERTICES" > "$WORK/polygon.geojson" <<'PY'
import math, sys
n = int(sys.argv[1])
pts = []
for k in range(n):
    t = 2 * math.pi * k / n
    r = 0.05 if k % 2 == 0 else 0.045
    pts.append(f"[{122.55 + r * math.cos(t):.9f},{-28.86 + r * math.sin(t):.9f}]")
pts.append(pts[0])
print('{"type":"FeatureCollection","features":[{"type":"Feature","id":"STAR","geometry":'
      '{"type":"Polygon","coordinates":[[' + ",".join(pts) + ']]},"properties":'
      '{"name":"Star","country":"AU","deposit_type":"carbonatite","stage":"exploration"}}]}')
PY
# One line of LINE_MB MiB with no line end, as an endless CSV looks.
head -c "$((LINE_MB << 20))" /dev/zero | tr '\0' 'x' > "$WORK/line.csv"

run() {
  local label=$1
  shift
  /usr/bin/time -f "%e %M" "$@" > /dev/null 2> "$WORK/time" || true
  read -r secs kb < <(tail -1 "$WORK/time")
  printf '%-48s %8.2f s %8.0f MB\n' "$label" "$secs" "$((kb / 1024))"
}

echo "machine: $(nproc) cores, $(uname -sm)"
run "check: one polygon of $VERTICES vertices" "$BIN" check "$WORK/polygon.geojson"
run "check: one line of $LINE_MB MiB (limit 256 MiB)" "$BIN" check "$WORK/line.csv"
run "check: /dev/zero (limit 256 MiB)" "$BIN" check /dev/zero
