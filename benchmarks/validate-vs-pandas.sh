#!/usr/bin/env bash
# Side-by-side: Mlops.Testing (CsvDataSource + a 10-expectation suite) against pandas doing the same 10 checks on the
# same 1,000,000-row, 12-column CSV (~95 MB): not null, between ×2, in set, unique, regex, mean between, quantile
# between, row count, column set. Load included on both sides. Every count must be identical.
#
# Timing method (each round runs both tools once, alternating which goes first; medians are compared):
#   ours    Stopwatch inside the runner from opening the file to the result (process start-up and JIT of Main
#           excluded), and the whole process under /usr/bin/time -v (wall-clock and max RSS).
#   pandas  time.perf_counter from before read_csv to the last check, and the whole python process under
#           /usr/bin/time -v (wall-clock, including importing pandas, and max RSS).
# pandas is timed twice: plain read_csv (what a pandas user writes; the target compares with this) and read_csv with
# usecols= the checked columns (what CsvDataSource does: it parses only the columns the suite names).
#
# Usage: benchmarks/validate-vs-pandas.sh   (ROUNDS=5 ROWS=1000000 PYTHON=/usr/bin/python3 TMPDIR=… to change)
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-5}
rows=${ROWS:-1000000}
python=${PYTHON:-${MLOPS_TEST_PYTHON:-/usr/bin/python3}}
"$python" -c "import pandas" 2>/dev/null || { echo "pandas is missing: apt-get install python3-pandas (or set PYTHON)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing: apt-get install time" >&2; exit 1; }

echo "Building the runner (Release)…"
dotnet build benchmarks/Mlops.Benchmarks -c Release -nologo -v quiet >/dev/null
runner=(dotnet benchmarks/Mlops.Benchmarks/bin/Release/net10.0/Mlops.Benchmarks.dll)

work=$(mktemp -d "${TMPDIR:-/tmp}/mlops-validate-vs-pandas.XXXXXX")
trap 'rm -rf "$work"' EXIT
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
field() { "$python" -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
# /usr/bin/time -v: "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:01.23" and "Maximum resident set size (kbytes): 123"
wall() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$1"; }
rss() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }

echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), .NET SDK $(dotnet --version), $("$python" -c 'import pandas; print("pandas", pandas.__version__)'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
file="$work/data.csv"
"${runner[@]}" --make-csv "$file" "$rows" 20260501
echo "Wrote $rows rows, $(head -1 "$file" | tr ',' '\n' | wc -l) columns, $(($(stat -c %s "$file") / 1000000)) MB to $file"
cat "$file" >/dev/null # into the page cache

ours=() ours_wall=() ours_rss=() pandas=() pandas_wall=() pandas_rss=() usecols=() usecols_wall=() usecols_rss=()
run_ours() {
  /usr/bin/time -v "${runner[@]}" --validate-csv "$file" >"$work/ours.json" 2>"$work/ours.time"
  ours+=("$(field "$work/ours.json" seconds)"); ours_wall+=("$(wall "$work/ours.time")"); ours_rss+=("$(rss "$work/ours.time")")
}
run_pandas() {
  /usr/bin/time -v "$python" benchmarks/validate_pandas.py "$file" >"$work/pandas.json" 2>"$work/pandas.time"
  pandas+=("$(field "$work/pandas.json" seconds)"); pandas_wall+=("$(wall "$work/pandas.time")"); pandas_rss+=("$(rss "$work/pandas.time")")
  /usr/bin/time -v "$python" benchmarks/validate_pandas.py "$file" --usecols >"$work/usecols.json" 2>"$work/usecols.time"
  usecols+=("$(field "$work/usecols.json" seconds)"); usecols_wall+=("$(wall "$work/usecols.time")"); usecols_rss+=("$(rss "$work/usecols.time")")
}

for ((round = 1; round <= rounds; round++)); do
  if ((round % 2)); then run_pandas; run_ours; else run_ours; run_pandas; fi
  # Every count identical (the mean and quantiles to 1e-9 relative).
  "$python" - "$work/ours.json" "$work/pandas.json" "$work/usecols.json" <<'PY'
import json, math, sys
ours, pandas, usecols = (json.load(open(p)) for p in sys.argv[1:4])
for other in (pandas, usecols):
    for key, theirs in other.items():
        if key == "seconds":
            continue
        mine = ours[key]
        same = all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(mine, theirs)) if key == "score_quantiles" else \
            math.isclose(mine, theirs, rel_tol=1e-9) if key == "amount_mean" else \
            sorted(mine) == sorted(theirs) if key == "columns" else mine == theirs
        if not same:
            sys.exit(f"MISMATCH {key}: ours {mine}, pandas {theirs}")
PY
  printf 'round %d: pandas %.3f s (usecols %.3f s), ours %.3f s in process (%.3f s whole process)\n' \
    "$round" "${pandas[-1]}" "${usecols[-1]}" "${ours[-1]}" "${ours_wall[-1]}"
done

echo
echo "== $rows rows × 12 columns, 10 checks, median of $rounds rounds; every count identical in every round =="
"$python" - "$work/ours.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("counts:", {k: v for k, v in r.items() if k not in ("seconds", "columns", "score_quantiles")})
PY
m() { printf '%s\n' "$@" | median; }
awk -v o="$(m "${ours[@]}")" -v ow="$(m "${ours_wall[@]}")" -v orss="$(m "${ours_rss[@]}")" \
    -v p="$(m "${pandas[@]}")" -v pw="$(m "${pandas_wall[@]}")" -v prss="$(m "${pandas_rss[@]}")" \
    -v u="$(m "${usecols[@]}")" -v uw="$(m "${usecols_wall[@]}")" -v urss="$(m "${usecols_rss[@]}")" 'BEGIN {
  printf "                                   load+checks   whole process   peak RSS\n"
  printf "pandas read_csv (all columns)      %8.3f s      %8.3f s     %5d MB\n", p, pw, prss
  printf "pandas read_csv(usecols=checked)   %8.3f s      %8.3f s     %5d MB\n", u, uw, urss
  printf "Mlops.Testing CsvDataSource        %8.3f s      %8.3f s     %5d MB\n", o, ow, orss
  printf "speed-up over pandas               %8.2f×       %8.2f×      (target >= 2× load+checks)\n", p / o, pw / ow
  printf "speed-up over pandas usecols       %8.2f×       %8.2f×\n", u / o, uw / ow
}'
