#!/usr/bin/env bash
# Side-by-side: Mlops.DataVersioning against its peers on the same data, in one run.
#   1. `add` of one large file (default link type reflink,copy) vs GNU md5sum of it (md5 is the format's hash: the floor).
#   2. `add` of 10,000 files of 1-20 KB in 100 folders vs `git add` of the same tree with git-lfs tracking *.bin, and vs
#      the floor on this machine: benchmarks/floor/add-floor.c, the same reads, md5s and file creations in C (when cc
#      and OpenSSL's headers are here).
#   3. `status` of that unchanged tree (nothing may be rehashed).
#   4. `push` then `pull` of that tree to a local-folder remote and to Azurite: files/s.
#
# Timing method (each number says what it includes):
#   lib     Stopwatch inside the runner (benchmarks/Mlops.Benchmarks --dv-*) around DataRepository.Open + the call:
#           no process start-up, but a fresh process each round (ReadyToRun code; what it lacks is JIT-compiled), with
#           the runtime settings of the mlops tool (see `runner=` below).
#   cli     the whole `mlops` process (src/Mlops.Cli published ReadyToRun, `dotnet mlops.dll`) under bash's `time`:
#           .NET start-up, argument parsing, the work, and the summary line.
#   peers   the whole process under bash's `time` (md5sum; git add with the git-lfs filter).
# Every round uses a fresh repository (a fresh copy of the tree, made before the clock starts) and runs `sync` before
# timing, so earlier rounds' dirty pages are not written back during this one; data is read from the page cache.
# Rounds alternate the order of the tools; the medians are compared.
#
# Usage: benchmarks/data-versioning.sh      (ROUNDS=5 SIZE_MIB=1024 FILES=10000 AZURE_ROUNDS=1 TMPDIR=… to change;
#        needs ~1.5 GiB plus ~0.6 GiB per round in $TMPDIR; NO_BUILD=1 reuses the last published builds in artifacts/benchmarks)
# Azurite: uses MLOPS_TEST_AZURE_BLOB when set (as under eng/test.sh), else starts eng/services' azurite-blob on 127.0.0.1:10010.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-5}
size_mib=${SIZE_MIB:-1024}
files=${FILES:-10000}
azure_rounds=${AZURE_ROUNDS:-1} # Azurite is one Node.js process: slow, and CPU-bound on a busy machine

# Both are published for this machine's runtime with ReadyToRun code, as the mlops tool ships and as an application
# that cares about start-up publishes: a fresh process then runs precompiled code instead of JIT-compiling it.
published="$PWD/artifacts/benchmarks"
if [[ -z "${NO_BUILD:-}" ]]; then
  echo "Publishing the runner and the CLI (Release, ReadyToRun)…"
  rid=$(dotnet --info | sed -n 's/^ *RID: *//p' | head -1)
  dotnet publish benchmarks/Mlops.Benchmarks -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -o "$published/runner" -nologo -v quiet >/dev/null
  dotnet publish src/Mlops.Cli -c Release -r "$rid" --self-contained false -o "$published/mlops" -nologo -v quiet >/dev/null
fi
# The floor of a tree add on this machine (benchmarks/floor/add-floor.c): built when a C compiler and OpenSSL's headers are here.
floor_bin=""
if command -v cc >/dev/null && cc -O2 -pthread -o "$published/add-floor" benchmarks/floor/add-floor.c -lcrypto 2>/dev/null; then
  floor_bin="$published/add-floor"
fi
# The runner runs the library with the runtime settings the mlops tool ships with (src/Mlops.Cli/Mlops.Cli.csproj): no
# tiered PGO, and hot methods recompiled only after 5 s without new ones. Set here, not in the runner's project, so
# that its BenchmarkDotNet runs keep the defaults.
runner=(env DOTNET_TieredPGO=0 DOTNET_TC_CallCountingDelayMs=5000 dotnet "$published/runner/Mlops.Benchmarks.dll")
mlops=(dotnet "$published/mlops/mlops.dll")

work=$(mktemp -d "${TMPDIR:-/tmp}/mlops-data-versioning.XXXXXX")
azurite_pid=""
cleanup() {
  if [[ -n "$azurite_pid" ]]; then kill "$azurite_pid" 2>/dev/null || true; fi
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TIMEFORMAT='%R %U %S' # bash `time`: wall-clock, user and sys seconds
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
med() { printf '%s\n' "$@" | median; }
wall() { local t; t=$({ time "$@" >/dev/null 2>"$work/stderr"; } 2>&1) || { cat "$work/stderr" >&2; return 1; }; echo "${t%% *}"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# A fresh Git + data repository in $1 (not timed).
new_repo() {
  rm -rf "$1"
  mkdir -p "$1"
  git -C "$1" init -q
  (cd "$1" && "${mlops[@]}" init >/dev/null)
}

echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), .NET SDK $(dotnet --version), $(git --version), $(git lfs version | cut -d' ' -f1)"
touch "$work/r"
reflink=$(cp --reflink=always "$work/r" "$work/r2" 2>/dev/null && echo supported || echo "not supported, so add copies")
echo "File system of $work: $(df -T "$work" | awk 'NR == 2 { print $2 }'), reflink $reflink"
echo "Load average at the start: $(load)"

# ---- 1. one large file ----
big="$work/big"
new_repo "$big"
echo "Writing ${size_mib} MiB of random bytes…"
head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$big/large.bin"
cat "$big/large.bin" >/dev/null
expected=$(md5sum "$big/large.bin" | cut -d' ' -f1)
reset_big() { chmod -R u+w "$big/.dvc/cache" 2>/dev/null || true; rm -rf "$big/.dvc/cache" "$big/.dvc/tmp" "$big/large.bin.dvc" "$big/.gitignore"; sync; }
check_big() { grep -q "md5: $expected" "$big/large.bin.dvc" && [[ -f "$big/.dvc/cache/files/md5/${expected:0:2}/${expected:2}" ]] || { echo "add did not record $expected" >&2; exit 1; }; }

md5s=() libs=() libs_cpu=() libs_proc=() clis=()
run_md5sum() { sync; md5s+=("$(wall md5sum "$big/large.bin")"); }
run_lib() {
  reset_big
  local t; t=$({ time "${runner[@]}" --dv-add "$big" large.bin >"$work/out"; } 2>&1)
  read -r s c _ <"$work/out"; libs+=("$s"); libs_cpu+=("$c"); libs_proc+=("${t%% *}")
  check_big
}
run_cli() { reset_big; clis+=("$(cd "$big" && wall "${mlops[@]}" add large.bin)"); check_big; }
for ((round = 1; round <= rounds; round++)); do
  if ((round % 2)); then run_md5sum; run_lib; run_cli; else run_cli; run_lib; run_md5sum; fi
  printf 'round %d: md5sum %.3f s, lib %.3f s (cpu %.3f s; process %.3f s), cli %.3f s   load %s\n' \
    "$round" "${md5s[-1]}" "${libs[-1]}" "${libs_cpu[-1]}" "${libs_proc[-1]}" "${clis[-1]}" "$(load)"
done
m_md5=$(med "${md5s[@]}"); m_lib=$(med "${libs[@]}"); m_proc=$(med "${libs_proc[@]}"); m_cli=$(med "${clis[@]}"); m_cpu=$(med "${libs_cpu[@]}")
reset_big
rm -rf "$big"

# ---- 2-4. a tree of small files ----
echo
echo "Writing $files files of 1-20 KB…"
"${runner[@]}" --make-tree "$work/tree" "$files"
tree_mib=$(du -sm --apparent-size "$work/tree" | cut -f1)

lfs_add=() floor_add=() lib_add=() cli_add=() lib_status=() cli_status=()
push_local=() pull_local=() push_azure=() pull_azure=()
# Nothing is deleted until the end: this ext4 has no journal, and there it scans past every inode freed in the last
# minutes when it allocates a new one, so deleting one round's 10,000 files would slow the next round's creations.
run_lfs() {
  local repo="$round_dir/lfs"
  mkdir -p "$repo"; git -C "$repo" init -q; cp -r "$work/tree" "$repo/data"
  (cd "$repo" && git lfs install --local >/dev/null && git lfs track '*.bin' >/dev/null && git add .gitattributes)
  sync
  lfs_add+=("$(cd "$repo" && wall git add data)")
}
run_floor() {
  [[ -n "$floor_bin" ]] || return 0
  mkdir -p "$round_dir/floor"; cp -r "$work/tree" "$round_dir/floor/data"; sync
  floor_add+=("$("$floor_bin" "$round_dir/floor/data" "$round_dir/floor/cache" | cut -d' ' -f1)")
}
run_lib_add() {
  new_repo "$round_dir/lib"; cp -r "$work/tree" "$round_dir/lib/data"; sync
  "${runner[@]}" --dv-add "$round_dir/lib" data >"$work/out"; read -r s _ n <"$work/out"; lib_add+=("$s")
  [[ "$n" == "$files" ]] || { echo "lib add recorded $n files, not $files" >&2; exit 1; }
}
run_cli_add() {
  new_repo "$round_dir/cli"; cp -r "$work/tree" "$round_dir/cli/data"; sync
  cli_add+=("$(cd "$round_dir/cli" && wall "${mlops[@]}" add data)")
}
run_status() {
  cmp -s "$round_dir/lib/data.dvc" "$round_dir/cli/data.dvc" || { echo "lib and cli pointers differ" >&2; exit 1; }
  "${runner[@]}" --dv-status "$round_dir/lib" >"$work/out"; read -r s _ <"$work/out"; lib_status+=("$s")
  cli_status+=("$(cd "$round_dir/cli" && wall "${mlops[@]}" status)")
}
# Push from the lib repository to an empty remote, then pull into a fresh clone (its pointer only): every object
# crosses both ways, and pull includes the checkout of the 10,000 files.
run_transfer() {
  local kind=$1 target=$2 clone="$round_dir/pull-$1" s n
  "${runner[@]}" --dv-push "$round_dir/lib" "$kind" "$target" >"$work/out"; read -r s _ n <"$work/out"
  [[ "$n" -gt "$files" ]] || { echo "$kind push moved $n objects" >&2; exit 1; }
  eval "push_$kind+=(\"\$(awk -v n=$n -v s=$s 'BEGIN { printf \"%.0f\", n / s }')\")"
  new_repo "$clone"; cp "$round_dir/lib/data.dvc" "$clone/"; sync
  "${runner[@]}" --dv-pull "$clone" "$kind" "$target" >"$work/out"; read -r s _ n <"$work/out"
  [[ "$n" -gt "$files" ]] || { echo "$kind pull moved $n objects" >&2; exit 1; }
  eval "pull_$kind+=(\"\$(awk -v n=$n -v s=$s 'BEGIN { printf \"%.0f\", n / s }')\")"
  diff -r -q "$work/tree" "$clone/data" >/dev/null || { echo "the pulled tree differs from the original" >&2; exit 1; }
}

if [[ -z "${MLOPS_TEST_AZURE_BLOB:-}" && -x eng/services/node_modules/.bin/azurite-blob ]]; then
  mkdir -p "$work/azurite"
  eng/services/node_modules/.bin/azurite-blob --blobHost 127.0.0.1 --blobPort 10010 --location "$work/azurite" \
    --skipApiVersionCheck --loose --silent --disableTelemetry >"$work/azurite.log" 2>&1 &
  azurite_pid=$!
  for ((i = 0; i < 50; i++)); do (exec 3<>/dev/tcp/127.0.0.1/10010) 2>/dev/null && break; sleep 0.2; done
  # Azurite's well-known development account (public, documented; not a secret).
  export MLOPS_TEST_AZURE_BLOB="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10010/devstoreaccount1;"
fi

for ((round = 1; round <= rounds; round++)); do
  round_dir="$work/round-$round"
  mkdir -p "$round_dir"
  if ((round % 2)); then run_lfs; run_floor; run_lib_add; run_cli_add; else run_cli_add; run_lib_add; run_floor; run_lfs; fi
  run_status
  run_transfer local "$round_dir/remote"
  if [[ -n "${MLOPS_TEST_AZURE_BLOB:-}" ]] && ((round <= azure_rounds)); then run_transfer azure "bench-$round-$RANDOM"; fi
  printf 'round %d: git-lfs add %.3f s, C floor %s s, lib add %.3f s, cli add %.3f s, lib status %.3f s, cli status %.3f s, local push/pull %s/%s files/s, azurite push/pull %s/%s files/s   load %s\n' \
    "$round" "${lfs_add[-1]}" "${floor_add[*]: -1}" "${lib_add[-1]}" "${cli_add[-1]}" "${lib_status[-1]}" "${cli_status[-1]}" \
    "${push_local[-1]}" "${pull_local[-1]}" "${push_azure[*]: -1}" "${pull_azure[*]: -1}" "$(load)"
done

echo
echo "== ${size_mib} MiB file, add with cache.type reflink,copy, median of $rounds rounds (md5 $expected) =="
awk -v t="$m_md5" -v l="$m_lib" -v p="$m_proc" -v c="$m_cli" -v cpu="$m_cpu" 'BEGIN {
  printf "md5sum (whole process)             %8.3f s\n", t
  printf "lib: DataRepository.AddAsync       %8.3f s   ratio %.3f (target <= 1.15; cpu %.3f s)\n", l, l / t, cpu
  printf "  runner whole process             %8.3f s   ratio %.3f\n", p, p / t
  printf "cli: mlops add (whole process)     %8.3f s   ratio %.3f\n", c, c / t
}'
echo
echo "== $files files of 1-20 KB ($tree_mib MiB), median of $rounds rounds =="
awk -v g="$(med "${lfs_add[@]}")" -v f="$( ((${#floor_add[@]})) && med "${floor_add[@]}" || echo 0)" -v l="$(med "${lib_add[@]}")" -v c="$(med "${cli_add[@]}")" \
  -v ls="$(med "${lib_status[@]}")" -v cs="$(med "${cli_status[@]}")" -v n="$files" 'BEGIN {
  printf "git add with git-lfs (whole process) %7.3f s\n", g
  printf "lib: DataRepository.AddAsync         %7.3f s   %6.0f files/s   git-lfs/ours %.2fx (target: <= 1.0 s, >= 3x)\n", l, n / l, g / l
  printf "cli: mlops add (whole process)       %7.3f s   %6.0f files/s   git-lfs/ours %.2fx\n", c, n / c, g / c
  if (f > 0) printf "C floor (benchmarks/floor/add-floor.c) %5.3f s   lib/floor %.2fx (the same reads, md5s and creations, no bookkeeping)\n", f, l / f
  printf "lib: StatusAsync, unchanged          %7.3f s   (target <= 0.3 s)\n", ls
  printf "cli: mlops status (whole process)    %7.3f s\n", cs
}'
printf 'local-folder remote: push %s files/s, pull %s files/s (lib; target >= 5000)\n' "$(med "${push_local[@]}")" "$(med "${pull_local[@]}")"
if ((${#push_azure[@]})); then
  printf 'Azurite remote:      push %s files/s, pull %s files/s (lib; %d round(s))\n' "$(med "${push_azure[@]}")" "$(med "${pull_azure[@]}")" "${#push_azure[@]}"
fi
echo "(files/s of push and pull count objects moved, the .dir manifest included; pull = fetch + checkout)"
echo
echo "Load average at the end: $(load)"
