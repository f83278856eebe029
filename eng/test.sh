#!/usr/bin/env bash
# Runs every test of the suite against real services, on a fresh machine too:
#   1. installs what is missing (Debian's postgresql, python3-pandas, python3-scipy and chromium; azurite and s3rver into eng/services),
#   2. starts each on 127.0.0.1 with a fresh data folder and waits until it answers,
#   3. runs `dotnet test Mlops.Libraries.sln -c Release`,
#   4. stops the services and prints `tests: N passed, N failed, N skipped`.
# A service whose variable is already set (MLOPS_TEST_POSTGRES, MLOPS_TEST_AZURE_BLOB,
# MLOPS_TEST_S3_URL) is not started: the tests use the one it points at.
# A first argument that is a path (a test project or folder) runs only that; the other arguments
# go to `dotnet test` (for example --filter).
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
target="Mlops.Libraries.sln"
if [ $# -gt 0 ] && [ -e "$1" ]; then target="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; shift; fi
work="$(mktemp -d "${TMPDIR:-/tmp}/mlops-test.XXXXXX")"
results="$work/results"
pids=()
pg_data=""
pg_ctl=""

log() { printf '[test.sh] %s\n' "$*" >&2; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  if [ -n "$pg_data" ]; then as_postgres "$pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1; fi
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

fail() { log "error: $*"; echo "tests: 0 passed, 0 failed"; exit 1; }

# Waits up to $2 seconds for a TCP port on 127.0.0.1 to accept connections.
wait_for_port() {
  local port=$1 seconds=$2 name=$3
  for _ in $(seq 1 $((seconds * 4))); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.25
  done
  fail "$name did not answer on 127.0.0.1:$port within ${seconds}s (log: $work/$name.log)"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- install -----------------------------------------------------------------
# Debian packages: PostgreSQL for the tracking store, pandas and scipy for the differential data and
# statistics tests, Chromium for the HTML report screenshot.
apt_packages=()
if [ -z "${MLOPS_TEST_POSTGRES:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then apt_packages+=(postgresql); fi
if [ -z "${MLOPS_TEST_PYTHON:-}" ] && ! /usr/bin/python3 -c "import pandas" >/dev/null 2>&1; then apt_packages+=(python3-pandas); fi
if [ -z "${MLOPS_TEST_PYTHON:-}" ] && ! /usr/bin/python3 -c "import scipy" >/dev/null 2>&1; then apt_packages+=(python3-scipy); fi
if [ -z "${MLOPS_TEST_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then apt_packages+=(chromium); fi
if [ ${#apt_packages[@]} -gt 0 ]; then
  log "installing Debian's ${apt_packages[*]}"
  if [ "$(id -u)" = 0 ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}"; } >"$work/apt.log" 2>&1 \
      || { cat "$work/apt.log" >&2; fail "could not install ${apt_packages[*]}"; }
  else
    fail "missing Debian packages: run 'sudo apt-get install ${apt_packages[*]}' (or point MLOPS_TEST_POSTGRES / MLOPS_TEST_PYTHON at your own)"
  fi
fi
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
export MLOPS_TEST_PYTHON="${MLOPS_TEST_PYTHON:-/usr/bin/python3}"
export MLOPS_TEST_CHROMIUM="${MLOPS_TEST_CHROMIUM:-/usr/bin/chromium}"

if [ -z "${MLOPS_TEST_AZURE_BLOB:-}" ] || [ -z "${MLOPS_TEST_S3_URL:-}" ]; then
  if [ ! -x "$root/eng/services/node_modules/.bin/azurite-blob" ] || [ ! -x "$root/eng/services/node_modules/.bin/s3rver" ]; then
    log "installing azurite and s3rver into eng/services"
    (cd "$root/eng/services" && npm install --no-audit --no-fund --loglevel=error) >"$work/npm.log" 2>&1 \
      || { cat "$work/npm.log" >&2; fail "npm install of azurite and s3rver failed"; }
  fi
fi

# --- start -------------------------------------------------------------------
if [ -z "${MLOPS_TEST_POSTGRES:-}" ]; then
  port="${MLOPS_TEST_POSTGRES_PORT:-55432}"
  port_in_use "$port" && fail "port $port is taken; set MLOPS_TEST_POSTGRES_PORT to a free one"
  pg_ctl="$pg_bin/pg_ctl"
  pg_data="$work/postgres"
  mkdir -p "$pg_data"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$work" "$pg_data" && chmod 755 "$work"
  as_postgres "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 >"$work/postgres-init.log" 2>&1 \
    || { cat "$work/postgres-init.log" >&2; fail "initdb failed"; }
  as_postgres "$pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$pg_data -c fsync=off" start >/dev/null \
    || { cat "$pg_data/server.log" >&2; pg_data=""; fail "PostgreSQL did not start"; }
  export MLOPS_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  log "PostgreSQL on 127.0.0.1:$port"
fi

if [ -z "${MLOPS_TEST_AZURE_BLOB:-}" ]; then
  port="${MLOPS_TEST_AZURITE_PORT:-10000}"
  port_in_use "$port" && fail "port $port is taken; set MLOPS_TEST_AZURITE_PORT to a free one"
  mkdir -p "$work/azurite"
  "$root/eng/services/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$port" \
    --location "$work/azurite" --skipApiVersionCheck --loose --silent >"$work/azurite.log" 2>&1 &
  pids+=($!)
  wait_for_port "$port" 60 azurite
  # Azurite's well-known development account (public, documented; not a secret).
  export MLOPS_TEST_AZURE_BLOB="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$port/devstoreaccount1;"
  log "Azurite on 127.0.0.1:$port"
fi

if [ -z "${MLOPS_TEST_S3_URL:-}" ]; then
  port="${MLOPS_TEST_S3RVER_PORT:-4569}"
  port_in_use "$port" && fail "port $port is taken; set MLOPS_TEST_S3RVER_PORT to a free one"
  mkdir -p "$work/s3rver"
  # s3rver encrypts its listing continuation tokens with DES, which Node 17+ only allows with
  # the legacy OpenSSL provider: without it, listings past 1000 objects fail with a 500.
  # Started through eng/services/s3rver-atomic.js, which makes each PUT of a key whole before the next, as S3 does.
  NODE_OPTIONS=--openssl-legacy-provider node "$root/eng/services/s3rver-atomic.js" --directory "$work/s3rver" --address 127.0.0.1 --port "$port" \
    --silent >"$work/s3rver.log" 2>&1 &
  pids+=($!)
  wait_for_port "$port" 60 s3rver
  # s3rver's fixed development credentials.
  export MLOPS_TEST_S3_URL="http://127.0.0.1:$port" MLOPS_TEST_S3_ACCESS_KEY="S3RVER" MLOPS_TEST_S3_SECRET_KEY="S3RVER"
  log "s3rver on 127.0.0.1:$port"
fi

# --- test --------------------------------------------------------------------
cd "$root"
dotnet test "$target" -c Release --logger "trx" --results-directory "$results" "$@"
status=$?

passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx")"
  get() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
  log "dotnet test failed (exit $status) without a failed test: a build error or a crashed test host"
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
