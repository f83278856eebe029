#!/usr/bin/env bash
# Mlops.Tracking against issue 4's performance targets, through the public API:
#   1. log 1,000,000 metric points (100 runs x 10,000 steps) to a fresh SQLite file: StartRunAsync -> LogMetric -> CompleteAsync
#      (target <= 10 s end to end);
#   2. the history of one 10,000-step metric from that file (target <= 50 ms);
#   3. a search with a two-clause filter and an order over 100,000 runs of 10 params and 10 metrics, first 100 results
#      (target <= 200 ms on SQLite; PostgreSQL reported too).
#
# Timing: a Stopwatch inside the runner (benchmarks/Mlops.Benchmarks --tracking-*), opening the store included, process
# start-up not. Logging: one fresh process and file per round, "wall-seconds cpu-seconds points". History and search:
# one process, one untimed warm-up call, then ROUNDS calls; each call's milliseconds. Medians against the targets.
#
# Usage: benchmarks/tracking.sh       (ROUNDS=5 RUNS=100000 WORK=dir to change; needs ~0.5 GB in WORK)
# The seeded search store is kept in WORK (default $TMPDIR/mlops-tracking-bench) and reused by later invocations, as
# seeding 100,000 runs one transaction at a time takes minutes on a busy machine; FRESH=1 seeds again.
# PostgreSQL: set MLOPS_TEST_POSTGRES to a server's connection string (as eng/test.sh does); the script seeds a database
# mlops_bench_RUNS on it once (psql creates it).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-5}
runs=${RUNS:-100000}
work=${WORK:-${TMPDIR:-/tmp}/mlops-tracking-bench}
mkdir -p "$work"
[[ "${FRESH:-0}" == 1 ]] && rm -f "$work"/search-*.db*

echo "Building the runner (Release)…"
dotnet build benchmarks/Mlops.Benchmarks -c Release -nologo -v quiet >/dev/null
runner=(dotnet "$PWD/benchmarks/Mlops.Benchmarks/bin/Release/net10.0/Mlops.Benchmarks.dll")

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t) ? "met" : "NOT met" }'; }
# Runs a timed-rounds mode; prints the rounds' milliseconds (the last field, the result count, dropped).
rounds_of() { "${runner[@]}" "$@" | awk '{ NF--; print }'; }

echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), .NET SDK $(dotnet --version)"
echo "Load average at the start: $(load)"

# ---- 1. logging ----
walls=() cpus=()
for ((i = 1; i <= rounds; i++)); do
  rm -rf "$work/log" && mkdir -p "$work/log"
  read -r wall cpu count < <("${runner[@]}" --tracking-log "$work/log/mlruns.db" 100 10000)
  [[ "$count" == 1000000 ]] || { echo "logged $count points, expected 1000000" >&2; exit 1; }
  echo "  log round $i: ${wall} s wall, ${cpu} s CPU (load $(load))"
  walls+=("$wall") cpus+=("$cpu")
done
log_wall=$(printf '%s ' "${walls[@]}" | median)
log_cpu=$(printf '%s ' "${cpus[@]}" | median)

# ---- 2. history (from the last logging round's file) ----
history=$(rounds_of --tracking-history "$work/log/mlruns.db" "$rounds")
echo "  history rounds (ms): $history"
history_ms=$(echo "$history" | median)

# ---- 3. search on SQLite ----
db="$work/search-$runs.db"
if [[ ! -f "$db" ]]; then
  echo "Seeding $runs runs into $db (once; reused later)…"
  read -r seed_wall seed_cpu _ < <("${runner[@]}" --tracking-seed "$db" "$runs")
  echo "  seeded in ${seed_wall} s wall, ${seed_cpu} s CPU"
fi
if command -v sqlite3 >/dev/null; then
  echo "  query plan (sqlite3 $(sqlite3 --version | cut -d' ' -f1), the same SQL with the values inlined):"
  sqlite3 -readonly "$db" "EXPLAIN QUERY PLAN SELECT r.run_id FROM runs r LEFT JOIN latest_metrics o0 ON o0.run_id = r.run_id AND o0.key = 'm1'
    WHERE r.lifecycle_stage = 'active' AND r.experiment_id IN (1)
      AND r.run_id IN (SELECT f.run_id FROM latest_metrics f WHERE f.key = 'm0' AND f.value < 0.1)
      AND r.run_id IN (SELECT f.run_id FROM params f WHERE f.key = 'p0' AND f.value = 'v3')
    ORDER BY CASE WHEN o0.value IS NULL THEN 1 ELSE 0 END, o0.value DESC, r.start_time DESC, r.run_id ASC LIMIT 101 OFFSET 0" | sed 's/^/    /'
fi
search=$(rounds_of --tracking-search "$db" "$rounds")
echo "  SQLite search rounds (ms): $search"
search_ms=$(echo "$search" | median)

# ---- 3b. search on PostgreSQL ----
pg_ms=""
if [[ -n "${MLOPS_TEST_POSTGRES:-}" ]]; then
  pg="$(echo "${MLOPS_TEST_POSTGRES%;}" | sed -E 's/(^|;)Database=[^;]*//');Database=mlops_bench_$runs"
  libpq=$(echo "$MLOPS_TEST_POSTGRES" | tr ';' '\n' | sed -nE 's/^Host=(.*)/host=\1/p; s/^Port=(.*)/port=\1/p; s/^Username=(.*)/user=\1/p' | tr '\n' ' ')
  if ! psql "$libpq dbname=postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = 'mlops_bench_$runs'" | grep -q 1; then
    psql "$libpq dbname=postgres" -qc "CREATE DATABASE mlops_bench_$runs"
    echo "Seeding $runs runs into PostgreSQL database mlops_bench_$runs (once; reused later)…"
    read -r seed_wall seed_cpu _ < <("${runner[@]}" --tracking-seed "$pg" "$runs")
    echo "  seeded in ${seed_wall} s wall, ${seed_cpu} s CPU"
    psql "$libpq dbname=mlops_bench_$runs" -qc "ANALYZE"
  fi
  pg_search=$(rounds_of --tracking-search "$pg" "$rounds")
  echo "  PostgreSQL search rounds (ms): $pg_search"
  pg_ms=$(echo "$pg_search" | median)
fi

echo "Load average at the end: $(load)"
echo
echo "| measure | median | target | |"
echo "|---|---|---|---|"
echo "| log 1,000,000 points (SQLite) | ${log_wall} s wall (${log_cpu} s CPU) | <= 10 s | $(verdict "$log_wall" 10) |"
echo "| metric history, 10,000 steps (SQLite) | ${history_ms} ms | <= 50 ms | $(verdict "$history_ms" 50) |"
echo "| search, 2 clauses + order, first 100 of $runs runs (SQLite) | ${search_ms} ms | <= 200 ms | $(verdict "$search_ms" 200) |"
[[ -n "$pg_ms" ]] && echo "| the same search (PostgreSQL) | ${pg_ms} ms | (reported) | |"
exit 0
