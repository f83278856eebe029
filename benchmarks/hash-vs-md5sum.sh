#!/usr/bin/env bash
# Side-by-side: Mlops.Core's FileHasher against GNU md5sum on the same 1 GiB file, then parallel
# hashing of a tree of 10,000 small files with one thread and with every core.
#
# Timing method:
#   ours    Stopwatch inside the runner process around FileHasher.HashFile (process start-up and
#           JIT of Main excluded), and the process's CPU time (user+sys, all threads) over the same
#           call; the runner's whole-process wall-clock (bash `time`) is printed too.
#   md5sum  the whole md5sum process under bash's `time` keyword: wall-clock ("real") and user+sys.
# CPU time is printed because wall-clock on a busy machine mostly measures the other processes.
# The file is read once before timing, so both read from the page cache. Rounds alternate which
# tool goes first; the medians are compared.
#
# Usage: benchmarks/hash-vs-md5sum.sh        (ROUNDS=5 SIZE_MIB=1024 FILES=10000 TMPDIR=… to change)
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-5}
size_mib=${SIZE_MIB:-1024}
files=${FILES:-10000}

echo "Building the runner (Release)…"
dotnet build benchmarks/Mlops.Benchmarks -c Release -nologo -v quiet >/dev/null
runner=(dotnet benchmarks/Mlops.Benchmarks/bin/Release/net10.0/Mlops.Benchmarks.dll)

work=$(mktemp -d "${TMPDIR:-/tmp}/mlops-hash-vs-md5sum.XXXXXX")
trap 'rm -rf "$work"' EXIT

TIMEFORMAT='%R %U %S' # bash `time`: wall-clock, user and sys seconds
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), .NET SDK $(dotnet --version), load average $(cut -d' ' -f1-3 /proc/loadavg)"

file="$work/large.bin"
echo "Writing ${size_mib} MiB of random bytes to $file…"
head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$file"
cat "$file" >/dev/null # into the page cache

ours=() ours_cpu=() ours_wall=() theirs=() theirs_cpu=()
run_md5sum() {
  local timing
  timing=$({ time md5sum "$file" >"$work/md5sum.out"; } 2>&1)
  md5_theirs=$(cut -d' ' -f1 "$work/md5sum.out")
  read -r real user sys <<<"$timing"
  theirs+=("$real")
  theirs_cpu+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')")
}
run_ours() {
  local timing
  timing=$({ time "${runner[@]}" --hash "$file" >"$work/ours.out"; } 2>&1)
  read -r md5_ours elapsed cpu <"$work/ours.out"
  ours+=("$elapsed")
  ours_cpu+=("$cpu")
  ours_wall+=("${timing%% *}")
}

for ((round = 1; round <= rounds; round++)); do
  if ((round % 2)); then run_md5sum; run_ours; else run_ours; run_md5sum; fi
  if [[ "$md5_ours" != "$md5_theirs" ]]; then
    echo "MISMATCH in round $round: ours $md5_ours, md5sum $md5_theirs" >&2
    exit 1
  fi
  printf 'round %d: md5sum %.3f s (cpu %.3f s), ours %.3f s in process (cpu %.3f s; %.3f s whole process)\n' \
    "$round" "${theirs[-1]}" "${theirs_cpu[-1]}" "${ours[-1]}" "${ours_cpu[-1]}" "${ours_wall[-1]}"
done

m_theirs=$(printf '%s\n' "${theirs[@]}" | median)
m_ours=$(printf '%s\n' "${ours[@]}" | median)
m_ours_wall=$(printf '%s\n' "${ours_wall[@]}" | median)
c_theirs=$(printf '%s\n' "${theirs_cpu[@]}" | median)
c_ours=$(printf '%s\n' "${ours_cpu[@]}" | median)
echo
echo "== ${size_mib} MiB file, median of $rounds rounds (md5 $md5_ours, equal in every round) =="
awk -v t="$m_theirs" -v o="$m_ours" -v w="$m_ours_wall" -v ct="$c_theirs" -v co="$c_ours" -v mib="$size_mib" 'BEGIN {
  printf "                               wall-clock     MiB/s   cpu (user+sys)\n"
  printf "md5sum (whole process)         %8.3f s  %8.0f   %8.3f s\n", t, mib / t, ct
  printf "FileHasher.HashFile (in proc)  %8.3f s  %8.0f   %8.3f s\n", o, mib / o, co
  printf "  runner whole process         %8.3f s\n", w
  printf "ratio ours/md5sum              %8.3f     (target <= 1.10; incl. .NET start-up %.3f; cpu %.3f)\n", o / t, w / t, co / ct
}'
rm -f "$file"

echo
echo "Writing $files files of 1-20 KB…"
tree="$work/tree"
"${runner[@]}" --make-tree "$tree" "$files"
result=$("${runner[@]}" --hash-tree "$tree" "$rounds")
expected=$(cd "$tree" && find . -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum | md5sum | cut -d' ' -f1)
actual=$(sed -n 's/^listing_md5 //p' <<<"$result")
if [[ "$expected" != "$actual" ]]; then
  echo "MISMATCH: the tree's md5s differ from md5sum's" >&2
  exit 1
fi
get() { sed -n "s/^$1 //p" <<<"$result"; }
echo "== $(get files) files of 1-20 KB, FileHasher.HashFilesAsync, median of $rounds rounds (in process; md5s equal md5sum's) =="
echo "one thread      $(get one_thread_files_per_s) files/s   (seconds: $(get one_thread_seconds))"
echo "all $(get cores) cores     $(get all_cores_files_per_s) files/s   (seconds: $(get all_cores_seconds))"
echo "speed-up        $(get speedup)x"
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
