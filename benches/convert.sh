#!/usr/bin/env bash
# Benchmark `xconn convert` on a generated 1,000,000-row CSV (8 mixed columns with quoted commas,
# embedded newlines and non-ASCII text): prints MB/s and peak RSS, and, when `mlr` is installed,
# the time of `mlr --icsv --ojson cat` on the same file and the ratio. Then the same rows as
# NDJSON (one object per line), to show its peak RSS stays flat too.
# Usage: benches/convert.sh [ROWS]   (targets: >= 10x faster than mlr, peak RSS <= 64 MB)
set -euo pipefail

cd "$(dirname "$0")/.."
rows="${1:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "generating $rows rows..."
python3 benches/gen_convert_csv.py "$rows" "$work/bench.csv"
size=$(stat -c %s "$work/bench.csv")
echo "input: $(awk -v s="$size" 'BEGIN { printf "%.1f MB", s / 1e6 }')"

cargo build --release --quiet
bin=target/release/xconn

# Run a command, print wall seconds and peak RSS (kB) as "SECONDS KB".
measure() {
    local out="$1"
    shift
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$out"
        cat "$work/time"
    else
        local start end
        start=$(date +%s.%N)
        "$@" > "$out" &
        local pid=$! hwm=0
        while kill -0 "$pid" 2> /dev/null; do
            local v
            v=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status" 2> /dev/null || true)
            [ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
            sleep 0.01
        done
        wait "$pid"
        end=$(date +%s.%N)
        echo "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }') $hwm"
    fi
}

# Warm the page cache, then measure.
cat "$work/bench.csv" > /dev/null
read -r secs kb < <(measure "$work/out.json" "$bin" convert "$work/bench.csv")
mbps=$(awk -v s="$size" -v t="$secs" 'BEGIN { printf "%.0f", s / 1e6 / t }')
echo "xconn convert:      ${secs} s, ${mbps} MB/s, peak RSS $((kb / 1024)) MB"

read -r csecs ckb < <(measure "$work/out.json" "$bin" convert "$work/bench.csv" --compact)
cmbps=$(awk -v s="$size" -v t="$csecs" 'BEGIN { printf "%.0f", s / 1e6 / t }')
echo "xconn --compact:    ${csecs} s, ${cmbps} MB/s, peak RSS $((ckb / 1024)) MB"

if command -v mlr > /dev/null; then
    read -r msecs mkb < <(measure "$work/mlr.json" mlr --icsv --ojson cat "$work/bench.csv")
    ratio=$(awk -v a="$msecs" -v b="$secs" 'BEGIN { printf "%.1f", a / b }')
    echo "mlr --icsv --ojson: ${msecs} s, peak RSS $((mkb / 1024)) MB  ->  xconn is ${ratio}x faster"
else
    echo "mlr not installed: skipping the comparison"
fi

# The same rows as NDJSON: its two streaming passes should keep peak RSS flat as well.
python3 -c '
import csv, json, sys
with open(sys.argv[1], newline="", encoding="utf-8") as src, open(sys.argv[2], "w", encoding="utf-8") as dst:
    for row in csv.DictReader(src):
        dst.write(json.dumps(row, ensure_ascii=False) + "\n")
' "$work/bench.csv" "$work/bench.ndjson"
nsize=$(stat -c %s "$work/bench.ndjson")
read -r nsecs nkb < <(measure "$work/out.json" "$bin" convert "$work/bench.ndjson")
nmbps=$(awk -v s="$nsize" -v t="$nsecs" 'BEGIN { printf "%.0f", s / 1e6 / t }')
echo "xconn NDJSON:       $(awk -v s="$nsize" 'BEGIN { printf "%.1f MB", s / 1e6 }'), ${nsecs} s, ${nmbps} MB/s, peak RSS $((nkb / 1024)) MB"
