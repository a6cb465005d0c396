#!/usr/bin/env bash
# Anshu throughput and memory benchmark. Run from anywhere:
#
#   bash bench/run.sh                 # (a) anshu in-process, (a2) the binary, (b) ripgrep, (c) presidio
#   BENCH_BIG=1 bash bench/run.sh     # also (d) peak RSS on a 2 GB CSV
#
# Environment:
#   BENCH_SIZE     corpus size (default 200M; binary units)
#   BENCH_DATA     where corpora go (default bench-data/ at the repo root, which is gitignored)
#   BENCH_RUNS     timed runs of ripgrep and of the anshu binary (default 3; best and median)
#   BENCH_BIG=1    generate a 2 GB CSV (BENCH_BIG_SIZE, default 2G) and measure peak RSS
#   BENCH_SKIP_RG=1 / BENCH_SKIP_PRESIDIO=1   skip a comparison
#
# Everything is measured on one machine in one run; a summary is printed at the end and kept in
# $BENCH_DATA/results.txt. Installs ripgrep, GNU time and presidio-analyzer if missing.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DATA=${BENCH_DATA:-$ROOT/bench-data}
SIZE=${BENCH_SIZE:-200M}
RUNS=${BENCH_RUNS:-3}
BIG_SIZE=${BENCH_BIG_SIZE:-2G}
mkdir -p "$DATA"
CORPUS=$DATA/corpus-$SIZE.txt
SLICE=$DATA/slice-1M.txt
BIG=$DATA/big-$BIG_SIZE.csv
RESULTS=$DATA/results.txt
: > "$RESULTS"

say() { printf '%s\n' "$*" | tee -a "$RESULTS"; }
hdr() { printf '\n== %s\n' "$*"; }
now() { date +%s.%N; }
# seconds since $1 (a `now` reading), with $2 decimals (default 3)
elapsed() { awk -v a="$1" -v b="$(now)" -v d="${2:-3}" 'BEGIN { printf "%.*f", d, b - a }'; }
# median and best (minimum) of seconds given as arguments
stats() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "%.3f %.3f\n", a[1], a[int((NR+1)/2)]}'; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / 1e6 / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# ---- tools ------------------------------------------------------------------------------------
hdr "tools"
apt_pkgs=()
command -v rg >/dev/null || apt_pkgs+=(ripgrep)
[ -x /usr/bin/time ] || apt_pkgs+=(time)
if ((${#apt_pkgs[@]})); then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
fi
if [ "${BENCH_SKIP_PRESIDIO:-0}" != 1 ] && ! python3 -c 'import presidio_analyzer' 2>/dev/null; then
    python3 -m pip install -q presidio-analyzer
fi
rg --version | sed -n 1p
python3 -c 'import importlib.metadata as m; print("presidio-analyzer", m.version("presidio-analyzer"), "phonenumbers", m.version("phonenumbers"))' 2>/dev/null || true
echo "cores: $(nproc)  cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
REV=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)
echo "source: $REV"

# ---- corpora ----------------------------------------------------------------------------------
hdr "corpora"
[ -s "$CORPUS" ] || python3 bench/gen_corpus.py --size "$SIZE" --out "$CORPUS"
[ -s "$SLICE" ] || python3 bench/gen_corpus.py --slice --size 1M --from "$CORPUS" --out "$SLICE"
BYTES=$(stat -c %s "$CORPUS")
SLICE_BYTES=$(stat -c %s "$SLICE")
echo "$CORPUS: $BYTES bytes; $SLICE: $SLICE_BYTES bytes"

# ---- build ------------------------------------------------------------------------------------
hdr "build (release)"
cargo build --release -p anshu
cargo bench -p anshu-detect --bench throughput --no-run
ANSHU=${CARGO_TARGET_DIR:-$ROOT/target}/release/anshu
"$ANSHU" rules patterns > "$DATA/patterns.txt"
# ripgrep joins -f patterns into one regex, where a capture name may appear only once; the
# named group only marks the value for anshu and does not change what matches.
sed 's/(?P<v>/(?:/g' "$DATA/patterns.txt" > "$DATA/patterns-rg.txt"
echo "$(wc -l < "$DATA/patterns.txt") text patterns in $DATA/patterns.txt"
cat "$CORPUS" > /dev/null  # page cache

# ---- (a) anshu in-process, one thread ---------------------------------------------------------
hdr "(a) anshu scan_text, one thread, all built-in types: cargo bench -p anshu-detect --bench throughput"
ANSHU_BENCH_CORPUS=$CORPUS cargo bench -q -p anshu-detect --bench throughput 2>/dev/null | tee "$DATA/bench-a.txt"
A_BEST=$(sed -n 's/^RESULT mbps_best=\([0-9.]*\).*/\1/p' "$DATA/bench-a.txt")
A_MED=$(sed -n 's/^RESULT .*mbps_median=\([0-9.]*\).*/\1/p' "$DATA/bench-a.txt")

# ---- (a2) the anshu binary end to end on the same corpus ---------------------------------------
hdr "(a2) anshu binary, whole run: anshu scan corpus --format json -o /dev/null -q [-j 1]"
for j in 1 all; do
    extra=()
    [ "$j" = 1 ] && extra=(-j 1)
    times=()
    for i in $(seq "$RUNS"); do
        t0=$(now)
        "$ANSHU" scan "$CORPUS" --format json -o /dev/null -q --no-catalog "${extra[@]}"
        t=$(elapsed "$t0")
        times+=("$t")
        echo "  threads $j, run $i: ${t} s  $(mbps "$BYTES" "$t") MB/s"
    done
    read -r best med < <(stats "${times[@]}")
    eval "A2_${j}_MED=$(mbps "$BYTES" "$med")"
done

# ---- (b) ripgrep, same regexes, same bytes ----------------------------------------------------
if [ "${BENCH_SKIP_RG:-0}" != 1 ]; then
    hdr "(b) ripgrep: rg --count-matches -f patterns-rg.txt corpus  (one file: one search thread)"
    times=()
    for i in $(seq "$RUNS"); do
        t0=$(now)
        n=$(rg --count-matches -f "$DATA/patterns-rg.txt" "$CORPUS" || true)
        t=$(elapsed "$t0")
        times+=("$t")
        echo "  run $i: ${t} s  $(mbps "$BYTES" "$t") MB/s  ($n matches)"
    done
    read -r RG_BEST_S RG_MED_S < <(stats "${times[@]}")
    RG_BEST=$(mbps "$BYTES" "$RG_BEST_S")
    RG_MED=$(mbps "$BYTES" "$RG_MED_S")
    t0=$(now)
    nl=$(rg -c -f "$DATA/patterns-rg.txt" "$CORPUS" || true)
    RG_C_S=$(elapsed "$t0")
    echo "  rg -c (matching lines only, stops at the first match of a line): ${RG_C_S} s  $(mbps "$BYTES" "$RG_C_S") MB/s  ($nl lines)"
fi

# ---- (c) presidio pattern recognizers vs anshu on a 1 MB slice --------------------------------
if [ "${BENCH_SKIP_PRESIDIO:-0}" != 1 ]; then
    hdr "(c) presidio-analyzer pattern recognizers (email, IP, credit card, phone) on $SLICE_BYTES bytes"
    cat > "$DATA/presidio_bench.py" <<'PY'
import logging, sys, time
logging.disable(logging.CRITICAL)
import tldextract
import tldextract.tldextract as tx
# EmailRecognizer validates domains with tldextract, which would try to download the public
# suffix list; use the snapshot shipped with the package instead (no network here).
tx.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer, EmailRecognizer, IpRecognizer, PhoneRecognizer)

text = open(sys.argv[1], encoding="utf-8").read()
runs = int(sys.argv[2])
recs = [EmailRecognizer(), IpRecognizer(), CreditCardRecognizer(),
        PhoneRecognizer(supported_regions=("CN",))]
best, counts = None, {}
for _ in range(runs):
    per = {}
    t0 = time.perf_counter()
    for r in recs:
        t = time.perf_counter()
        res = r.analyze(text, r.supported_entities, nlp_artifacts=None)
        per[type(r).__name__] = time.perf_counter() - t
        counts[r.supported_entities[0]] = sum(1 for x in res if x.score >= 0.1)
    total = time.perf_counter() - t0
    if best is None or total < best[0]:
        best = (total, per)
mb = len(text.encode()) / 1e6
for k, v in best[1].items():
    print("  %-22s %.3f s" % (k, v))
print("  findings: " + " ".join("%s=%d" % kv for kv in sorted(counts.items())))
print("PRESIDIO seconds=%.4f mbps=%.3f" % (best[0], mb / best[0]))
PY
    python3 "$DATA/presidio_bench.py" "$SLICE" "$RUNS" | tee "$DATA/bench-c-presidio.txt"
    P_S=$(sed -n 's/^PRESIDIO seconds=\([0-9.]*\).*/\1/p' "$DATA/bench-c-presidio.txt")
    P_MBPS=$(sed -n 's/^PRESIDIO .*mbps=\([0-9.]*\).*/\1/p' "$DATA/bench-c-presidio.txt")

    echo "  anshu binary, all types: anshu scan $SLICE --format json -o /dev/null -q"
    times=()
    for i in $(seq "$RUNS"); do
        t0=$(now)
        "$ANSHU" scan "$SLICE" --format json -o /dev/null -q
        times+=("$(elapsed "$t0" 4)")
    done
    read -r C_BIN_S _ < <(stats "${times[@]}")
    echo "    best of $RUNS: ${C_BIN_S} s (process start, rule compile, read, scan, report)"
    C_TYPES=email,ipv4,ipv6,bank_card,cn_mobile,cn_landline
    echo "  anshu in-process, one thread, types $C_TYPES:"
    ANSHU_BENCH_CORPUS=$SLICE ANSHU_BENCH_TYPES=$C_TYPES ANSHU_BENCH_ITERS=5 \
        cargo bench -q -p anshu-detect --bench throughput 2>/dev/null | sed 's/^/    /' | tee "$DATA/bench-c-anshu.txt"
    C_IN_MBPS=$(sed -n 's/^ *RESULT .*mbps_median=\([0-9.]*\).*/\1/p' "$DATA/bench-c-anshu.txt")
    echo "  anshu in-process, one thread, all types:"
    ANSHU_BENCH_CORPUS=$SLICE ANSHU_BENCH_ITERS=5 \
        cargo bench -q -p anshu-detect --bench throughput 2>/dev/null | sed 's/^/    /' | tee "$DATA/bench-c-anshu-all.txt"
    C_ALL_MBPS=$(sed -n 's/^ *RESULT .*mbps_median=\([0-9.]*\).*/\1/p' "$DATA/bench-c-anshu-all.txt")
fi

# ---- (d) peak RSS on a large CSV --------------------------------------------------------------
if [ "${BENCH_BIG:-0}" = 1 ]; then
    hdr "(d) peak RSS: anshu scan big.csv --format json -o /dev/null -q"
    [ -s "$BIG" ] || python3 bench/gen_corpus.py --csv --size "$BIG_SIZE" --out "$BIG"
    BIG_BYTES=$(stat -c %s "$BIG")
    echo "  $BIG: $BIG_BYTES bytes"
    for mode in sampled full; do
        extra=()
        [ "$mode" = full ] && extra=(--full)
        /usr/bin/time -v "$ANSHU" scan "$BIG" --format json -o /dev/null -q "${extra[@]}" 2> "$DATA/time-$mode.txt"
        rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$DATA/time-$mode.txt")
        el=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$DATA/time-$mode.txt")
        echo "  $mode${extra:+ (--full)}: max RSS $((rss / 1024)) MB, wall $el"
        eval "D_${mode}_RSS=$((rss / 1024)); D_${mode}_EL=$el"
    done
fi

# ---- summary ----------------------------------------------------------------------------------
hdr "summary"
say "source $REV; corpus: $BYTES bytes (gen_corpus.py --size $SIZE), $(nproc) cores"
say "(a) anshu scan_text, 1 thread, all types: best $A_BEST MB/s, median $A_MED MB/s (goal >= 150)"
say "(a2) anshu binary, whole run (start-up, read, decode, scan, report): median $A2_1_MED MB/s on 1 thread, $A2_all_MED MB/s on $(nproc)"
if [ -n "${RG_MED:-}" ]; then
    say "(b) ripgrep --count-matches, same $(wc -l < "$DATA/patterns.txt") regexes: best $RG_BEST MB/s, median $RG_MED MB/s"
    say "    ratio anshu/rg (median/median): $(ratio "$A_MED" "$RG_MED") (goal >= 0.5)"
fi
if [ -n "${P_S:-}" ]; then
    say "(c) presidio (Email, Ip, CreditCard, Phone[CN]) on $SLICE_BYTES bytes: ${P_S} s = $P_MBPS MB/s"
    say "    anshu binary, whole run, all types: ${C_BIN_S} s = $(mbps "$SLICE_BYTES" "$C_BIN_S") MB/s; presidio/anshu time: $(ratio "$P_S" "$C_BIN_S")x"
    say "    anshu in-process, 1 thread, same 4 kinds: $C_IN_MBPS MB/s = $(ratio "$C_IN_MBPS" "$P_MBPS")x presidio; all types: $C_ALL_MBPS MB/s = $(ratio "$C_ALL_MBPS" "$P_MBPS")x"
fi
if [ -n "${D_sampled_RSS:-}" ]; then
    say "(d) $BIG_BYTES-byte CSV: max RSS sampled $D_sampled_RSS MB (wall $D_sampled_EL), --full $D_full_RSS MB (wall $D_full_EL) (goal < 200 MB)"
fi
echo "(kept in $RESULTS)"
