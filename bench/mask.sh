#!/usr/bin/env bash
# Masking throughput and memory, per method family, on one large CSV:
#
#   bash bench/mask.sh                     # 1 GB CSV, every family
#   BENCH_MASK_SIZE=100M bash bench/mask.sh
#   BENCH_MASK_FAMILIES="keep substitute" bash bench/mask.sh
#
# The table (id, name, mobile, id_number, email, address, amount, memo; bench/gen_corpus.py
# --csv) has five personal columns and a free-text memo with phones and addresses in 8 % of
# rows. Each family is a policy whose fallback applies that method to every detected column
# (a value the method cannot take is redacted and counted as a fallback); `keep` masks nothing
# and measures the pipeline itself: the planning read, the copy, and the verification re-scan.
# Figures: wall time, MB/s and rows/s of input, peak RSS (GNU time), user CPU seconds.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DATA=${BENCH_DATA:-$ROOT/bench-data}
SIZE=${BENCH_MASK_SIZE:-1G}
FAMILIES=${BENCH_MASK_FAMILIES:-keep partial redact hash-sm3 hash-sha256 token fpe-aes fpe-sm4 substitute generalise default}
mkdir -p "$DATA"
CSV=$DATA/mask-$SIZE.csv
WORK=$DATA/mask-work
RESULTS=$DATA/mask-results.txt

[ -x /usr/bin/time ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
[ -s "$CSV" ] || python3 bench/gen_corpus.py --csv --size "$SIZE" --out "$CSV"
cargo build --release -q -p anshu
ANSHU=${CARGO_TARGET_DIR:-$ROOT/target}/release/anshu
BYTES=$(stat -c %s "$CSV")
ROWS=$(($(wc -l < "$CSV") - 1))
rm -rf "$WORK"
mkdir -p "$WORK/policies"
"$ANSHU" key new -o "$WORK/bench.key" > /dev/null
cat "$CSV" > /dev/null # page cache

policy() {
    local f=$WORK/policies/$1.toml
    printf 'name = "bench-%s"\n' "$1" > "$f"
    case $1 in
        keep) printf '[fallback]\nmethod = "keep"\n' ;;
        partial) printf '[fallback]\nmethod = "partial"\n' ;;
        redact) printf '[fallback]\nmethod = "redact"\n' ;;
        hash-sm3) printf '[fallback]\nmethod = "hash"\nalgorithm = "hmac-sm3"\n' ;;
        hash-sha256) printf '[fallback]\nmethod = "hash"\nalgorithm = "hmac-sha256"\n' ;;
        token) printf '[fallback]\nmethod = "token"\n' ;;
        fpe-aes) printf '[fallback]\nmethod = "fpe"\ncipher = "aes"\n' ;;
        fpe-sm4) printf '[fallback]\nmethod = "fpe"\ncipher = "sm4"\n' ;;
        substitute) printf '[fallback]\nmethod = "substitute"\n' ;;
        generalise) printf '[[rule]]\ntypes = ["address"]\nmethod = "generalise"\nto = "district"\n[fallback]\nmethod = "keep"\n' ;;
    esac >> "$f"
    echo "$f"
}

{
    echo "source: $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
    echo "cores: $(nproc)  cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "input: $CSV, $BYTES bytes, $ROWS rows"
    printf '%-12s %8s %8s %10s %9s %8s %10s %9s\n' family wall_s MB/s rows/s rss_MB user_s values fallbacks
} | tee "$RESULTS"
for fam in $FAMILIES; do
    out=$WORK/out-$fam
    rm -rf "$out"
    if [ "$fam" = default ]; then args=(--preset default); else args=(--policy "$(policy "$fam")"); fi
    set +e
    /usr/bin/time -f '%e %M %U' -o "$WORK/time-$fam" "$ANSHU" mask "$CSV" -o "$out" \
        --key-file "$WORK/bench.key" --record "$WORK/record-$fam.json" --format json "${args[@]}" \
        > /dev/null 2> "$WORK/stderr-$fam"
    status=$?
    set -e
    # 0: verified; 3: verification found survivors (expected for keep, which masks nothing).
    if [ "$status" != 0 ] && [ "$status" != 3 ]; then
        echo "$fam: exit $status"; cat "$WORK/stderr-$fam"; continue
    fi
    read -r wall rss user < "$WORK/time-$fam"
    read -r values fallbacks < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(sum(f.get("values_masked", 0) + f.get("spans_masked", 0) for f in r["files"]), sum(f.get("fallbacks", 0) for f in r["files"]))
' "$WORK/record-$fam.json")
    awk -v f="$fam" -v w="$wall" -v b="$BYTES" -v r="$ROWS" -v m="$rss" -v u="$user" -v v="$values" -v fb="$fallbacks" \
        'BEGIN { printf "%-12s %8.1f %8.1f %10.0f %9.1f %8.1f %10d %9s\n", f, w, b / 1e6 / w, r / w, m / 1024, u, v, fb }' \
        | tee -a "$RESULTS"
    rm -rf "$out"
done
# Files are masked in parallel (one per core): the same rows split into two files.
SPLIT=$WORK/split
mkdir -p "$SPLIT"
half=$(((ROWS + 1) / 2))
awk -v h="$half" -v a="$SPLIT/part1.csv" -v b="$SPLIT/part2.csv" \
    'NR == 1 { print > a; print > b; next } { print > (NR - 1 <= h ? a : b) }' "$CSV"
cat "$SPLIT"/*.csv > /dev/null
/usr/bin/time -f '%e %M %U' -o "$WORK/time-split" "$ANSHU" mask "$SPLIT" -o "$WORK/out-split" \
    --key-file "$WORK/bench.key" --record "$WORK/record-split.json" --format json --preset default \
    > /dev/null 2> "$WORK/stderr-split" || { cat "$WORK/stderr-split"; exit 1; }
read -r wall rss user < "$WORK/time-split"
awk -v f="default/2f" -v w="$wall" -v b="$BYTES" -v r="$ROWS" -v m="$rss" -v u="$user" \
    'BEGIN { printf "%-12s %8.1f %8.1f %10.0f %9.1f %8.1f   (the same rows as two files, masked in parallel)\n", f, w, b / 1e6 / w, r / w, m / 1024, u }' \
    | tee -a "$RESULTS"
rm -rf "$WORK/out-split" "$SPLIT"
echo "results kept in $RESULTS"
