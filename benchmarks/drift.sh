#!/usr/bin/env bash
# Drift of 12 columns between two 1,000,000-row CSV files (the same generator as validate-vs-pandas.sh; the current
# set shifted), with Evidently's default test per column (here, with more than 1,000 reference values: normalised
# Wasserstein for the 7 numerical columns, Jensen–Shannon for the 5 categorical ones, dates read as text).
#
# Timing method: Stopwatch and process CPU time inside the runner, median of ROUNDS fresh processes each:
#   end to end   both CSV files read (in parallel) and parsed, every column collected, sorted and tested;
#   in memory    both files loaded into memory first (not timed), then the drift computation alone (first call in
#                the process, and a second, warm one).
#   10 columns   end to end again without `code` and `email`, the two identifier-like text columns (about 1,000,000 and
#                200,000 distinct values: counting them is most of the categorical work; Evidently users usually leave
#                such columns out of drift).
# The target (issue 5) is at most 2 s.
#
# Usage: benchmarks/drift.sh   (ROUNDS=5 ROWS=1000000 TMPDIR=… RUNNER=… to change)
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-5}
rows=${ROWS:-1000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/mlops-drift.XXXXXX")
trap 'rm -rf "$work"' EXIT
# A private copy of the runner, so that a concurrent build of the solution cannot replace it mid-run; RUNNER=DIR takes
# a runner built before instead (an earlier version's output folder, to compare two versions in the same conditions).
if [[ -n ${RUNNER:-} ]]; then
  cp -r "$RUNNER" "$work/runner"
else
  echo "Building the runner (Release)…"
  dotnet build benchmarks/Mlops.Benchmarks -c Release -nologo -v quiet >/dev/null
  cp -r benchmarks/Mlops.Benchmarks/bin/Release/net10.0 "$work/runner"
fi
runner=(dotnet "$work/runner/Mlops.Benchmarks.dll")
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), .NET SDK $(dotnet --version), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"${runner[@]}" --make-csv "$work/reference.csv" "$rows" 20260501
"${runner[@]}" --make-csv "$work/current.csv" "$rows" 7 0.3
cat "$work"/*.csv >/dev/null
sync # the new files' write-back would otherwise run during the first timed rounds
echo "Wrote two files of $rows rows × 12 columns ($(($(stat -c %s "$work/reference.csv") / 1000000)) MB each)"

e2e=() e2e_cpu=() mem=() mem_cpu=() warm=() rss=() ten=() ten_cpu=()
ten_columns=id,customer_id,age,amount,score,category,country,created,quantity,price
for ((round = 1; round <= rounds; round++)); do
  /usr/bin/time -f '%M' -o "$work/rss" "${runner[@]}" --drift "$work/reference.csv" "$work/current.csv" >"$work/e2e.out"
  read -r seconds _ cpu _ <<<"$(head -1 "$work/e2e.out" | tr -d '(')"
  e2e+=("$seconds"); e2e_cpu+=("$cpu"); rss+=("$(awk '{ printf "%.0f", $1 / 1024 }' "$work/rss")")
  "${runner[@]}" --drift-memory "$work/reference.csv" "$work/current.csv" >"$work/mem.out"
  mem+=("$(sed -n '1s/.*: \([0-9.]*\) s (\([0-9.]*\) s cpu).*/\1/p' "$work/mem.out")")
  mem_cpu+=("$(sed -n '1s/.*: \([0-9.]*\) s (\([0-9.]*\) s cpu).*/\2/p' "$work/mem.out")")
  warm+=("$(sed -n '2s/.*: \([0-9.]*\) s (.*/\1/p' "$work/mem.out")")
  read -r seconds _ cpu _ <<<"$("${runner[@]}" --drift "$work/reference.csv" "$work/current.csv" "$ten_columns" | head -1 | tr -d '(')"
  ten+=("$seconds"); ten_cpu+=("$cpu")
  printf 'round %d: end to end %.3f s (cpu %.3f s, peak RSS %d MB); in memory %.3f s (cpu %.3f s), warm %.3f s; 10 columns end to end %.3f s (cpu %.3f s)\n' \
    "$round" "${e2e[-1]}" "${e2e_cpu[-1]}" "${rss[-1]}" "${mem[-1]}" "${mem_cpu[-1]}" "${warm[-1]}" "${ten[-1]}" "${ten_cpu[-1]}"
done
echo
cat "$work/e2e.out"
echo
m() { printf '%s\n' "$@" | median; }
printf '== median of %d rounds: end to end %.3f s (cpu %.3f s, peak RSS %d MB); drift alone %.3f s (cpu %.3f s), warm %.3f s; 10 columns end to end %.3f s (cpu %.3f s); target <= 2 s ==\n' \
  "$rounds" "$(m "${e2e[@]}")" "$(m "${e2e_cpu[@]}")" "$(m "${rss[@]}")" "$(m "${mem[@]}")" "$(m "${mem_cpu[@]}")" "$(m "${warm[@]}")" "$(m "${ten[@]}")" "$(m "${ten_cpu[@]}")"
