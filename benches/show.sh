#!/usr/bin/env bash
# Benchmark: `xconn show` on a 100,000-record response (target: under 2 s on 2 cores).
#
# Generates a response whose records have four scalar columns and a 2×2 nested table, a warning
# on every 10th record and an error on every 50th, then times (release build, output to a file):
#   1. --format table            (no width: nothing cut)
#   2. --format table --width 120
#   3. --format table --expand --width 120, markdown, csv, json
# Each figure is the best of three runs.
# Usage: benches/show.sh [RECORDS]   (default 100000)
set -euo pipefail

cd "$(dirname "$0")/.."
records="${1:-100000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet
bin=target/release/xconn

awk -v n="$records" 'BEGIN {
  printf "{\n  \"outputs\": [\n    [\"id\", \"customer\", \"amount\", \"approved\", \"lines\"]"
  for (i = 1; i <= n; i++)
    printf ",\n    [%d, \"Customer number %d of the benchmark\", %d.%02d, %s, [[\"item\", \"qty\"], [\"widget\", %d], [\"gadget\", %d]]]", i, i, i % 9973, i % 100, (i % 3 ? "true" : "false"), i % 7, i % 11
  printf "\n  ],\n  \"warnings\": ["
  for (i = 1; i <= n; i++) {
    if (i > 1) printf ", "
    if (i % 10 == 0) printf "[{\"source_path\": \"amount\", \"message\": \"amount rounded\"}]"
    else printf "null"
  }
  printf "],\n  \"errors\": ["
  for (i = 1; i <= n; i++) {
    if (i > 1) printf ", "
    if (i % 50 == 0) printf "[{\"error_category\": \"validation_error\", \"error_type\": \"422\", \"additional_details\": \"bad qty\", \"source_path\": \"lines\", \"message\": \"qty out of range\"}]"
    else printf "null"
  }
  printf "],\n  \"process_time\": ["
  for (i = 1; i <= n; i++) { if (i > 1) printf ", "; printf "%d", i % 5 + 1 }
  printf "]\n}\n"
}' > "$work/big.json"

echo "input: $records records, $(du -h "$work/big.json" | cut -f1)"
# Best of three wall-clock runs (the machine is shared; the best run is the least disturbed).
run() {
  local label="$1"; shift
  local start end took best=""
  for _ in 1 2 3; do
    start=$(date +%s.%N)
    "$bin" show "$work/big.json" "$@" > "$work/out" || true
    end=$(date +%s.%N)
    took=$(echo "$end - $start" | bc)
    if [ -z "$best" ] || [ "$(echo "$took < $best" | bc)" = 1 ]; then best=$took; fi
  done
  printf '%-34s %6.2f s  (%s of output)\n' "$label" "$best" "$(du -h "$work/out" | cut -f1)"
}
run "table"                    --format table
run "table --width 120"        --format table --width 120
run "table --expand --width 120" --format table --expand --width 120
run "markdown"                 --format markdown
run "csv"                      --format csv
run "json"                     --format json
