#!/usr/bin/env bash
# Adds every public symbol the PublicApiAnalyzers report as undeclared (RS0016) to the project's
# PublicAPI.Unshipped.txt, and drops the ones reported as removed (RS0017). Run it after a
# deliberate public API change, then review the diff of the PublicAPI files.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-Mlops.Libraries.sln}"
log=$(mktemp)
dotnet build "$target" --no-incremental -p:TreatWarningsAsErrors=false >"$log" 2>&1 || true
python3 - "$log" <<'PY'
import re, sys, collections, os
added, removed = collections.defaultdict(set), collections.defaultdict(set)
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.search(r"(RS0016|RS0017): Symbol '(.*)' is (?:not part of the declared public API|part of the declared API, but is either not public or could not be found).*\[(.*\.csproj)", line)
    if m:
        (added if m.group(1) == "RS0016" else removed)[os.path.dirname(m.group(3))].add(m.group(2))
for project in set(added) | set(removed):
    path = os.path.join(project, "PublicAPI.Unshipped.txt")
    lines = [l.rstrip("\n") for l in open(path, encoding="utf-8")] if os.path.exists(path) else ["#nullable enable"]
    body = sorted((set(lines[1:]) | added[project]) - removed[project] - {""})
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join([lines[0]] + body) + "\n")
    print(f"{path}: +{len(added[project])} -{len(removed[project])}")
PY
rm -f "$log"
