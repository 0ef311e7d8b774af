#!/usr/bin/env bash
# Benchmark `xconn validate` (release build) on generated responses:
#   - 100,000 records (~11 MB), every record with a small nested table: compared with ajv-cli
#     validating the same file against the same schema (`xconn schema response`), when `ajv` is
#     installed (npm install -g ajv-cli). Target: xconn at least 10x faster.
#   - 1,000,000 records (~112 MB): compared with `jq length` (when jq is installed). Target: xconn
#     faster than jq, peak RSS at most 1 GB.
# Each command runs RUNS times (default 3); the best wall time and the highest peak RSS are shown.
# Usage: benches/validate.sh [WORKDIR]   (files are generated into WORKDIR, default a temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
work=${1:-$(mktemp -d)}
mkdir -p "$work"

cargo build --release --quiet
xconn=$PWD/target/release/xconn

# One response with N records: id, summary, amount, active and a 2-row nested table of grades;
# warnings/errors null and process_time 1..9 per record.
generate() {
  awk -v n="$1" 'BEGIN {
    print "{"
    print "  \"outputs\": ["
    printf "    [\"id\", \"summary\", \"amount\", \"active\", \"grades\"]"
    for (i = 1; i <= n; i++)
      printf ",\n    [\"R%07d\", \"Spider webs\", %d.%02d, %s, [[\"SID\", \"Grade\"], [%d, %d], [%d, %d]]]",
        i, i % 100000, i % 100, (i % 2 ? "true" : "false"), i, i % 100, i + 1, (i * 7) % 100
    print "\n  ],"
    printf "  \"warnings\": ["
    for (i = 1; i <= n; i++) printf "%snull", (i > 1 ? ", " : "")
    print "],"
    printf "  \"errors\": ["
    for (i = 1; i <= n; i++) printf "%snull", (i > 1 ? ", " : "")
    print "],"
    printf "  \"process_time\": ["
    for (i = 1; i <= n; i++) printf "%s%d", (i > 1 ? ", " : ""), 1 + i % 9
    print "]"
    print "}"
  }'
}

small=$work/response-100k.json
large=$work/response-1m.json
[ -s "$small" ] || generate 100000 > "$small"
[ -s "$large" ] || generate 1000000 > "$large"
"$xconn" schema response > "$work/response.schema.json"

size() { awk -v b="$(wc -c < "$1")" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

# measure NAME CMD…: prints "NAME: best S s, peak RSS M MB" and sets BEST (seconds) and RSS (MB).
measure() {
  local name=$1; shift
  BEST=""; RSS=0
  for _ in $(seq "$RUNS"); do
    local start end t rss
    start=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$work/rss" "$@" > /dev/null 2>&1 || true
    end=$(date +%s.%N)
    t=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    rss=$(awk '{ printf "%d", $1 / 1024 }' "$work/rss")
    if [ -z "$BEST" ] || awk -v t="$t" -v b="$BEST" 'BEGIN { exit !(t < b) }'; then BEST=$t; fi
    if [ "$rss" -gt "$RSS" ]; then RSS=$rss; fi
  done
  printf '%-34s best %7.3f s   peak RSS %5d MB\n' "$name:" "$BEST" "$RSS"
}

echo "xconn validate benchmark ($(nproc) cores, best of $RUNS)"
echo "small: $(size "$small") (100,000 records); large: $(size "$large") (1,000,000 records)"
"$xconn" validate "$small" > /dev/null 2>&1 || { echo "generated file is not valid" >&2; exit 1; }

measure "xconn validate (small)" "$xconn" validate "$small"; xs=$BEST
if command -v ajv > /dev/null; then
  measure "ajv validate (small)" ajv validate --spec=draft2020 --strict=false \
    -s "$work/response.schema.json" -d "$small"; as=$BEST
  awk -v a="$as" -v x="$xs" 'BEGIN { printf "ajv / xconn on the small file: %.1fx (target >= 10x)\n", a / x }'
else
  echo "ajv not installed (npm install -g ajv-cli): no comparison on the small file"
fi

measure "xconn validate (large)" "$xconn" validate "$large"; xl=$BEST; xr=$RSS
if command -v jq > /dev/null; then
  measure "jq length (large)" jq length "$large"; jl=$BEST
  awk -v j="$jl" -v x="$xl" 'BEGIN { printf "jq length / xconn on the large file: %.1fx (target > 1x)\n", j / x }'
else
  echo "jq not installed: no comparison on the large file"
fi
echo "xconn peak RSS on the large file: $xr MB (target <= 1024 MB)"
