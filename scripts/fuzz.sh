#!/usr/bin/env bash
# Runs every Go fuzz target in the repository for a short while: each
# `func FuzzX(f *testing.F)` in a _test.go file, so new targets are picked up
# without editing anything. Each target gets FUZZ_SECONDS (default 5), less
# when there are so many that the total would pass FUZZ_BUDGET_SECONDS
# (default 40), but never less than 2 seconds. Building and replaying the
# corpus add about 2 seconds a target, so the default stays near a minute.
set -euo pipefail
cd "$(dirname "$0")/.."

per_target=${FUZZ_SECONDS:-5}
budget=${FUZZ_BUDGET_SECONDS:-40}

# "dir FuzzName" for every fuzz target, outside node_modules and hidden folders.
mapfile -t targets < <(
  find . \( -name node_modules -o -name '.?*' \) -prune -o -name '*_test.go' -print0 |
    xargs -0 -r grep -o -H '^func Fuzz[A-Za-z0-9_]*(' |
    sed -E 's|^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($|\1 \2|' |
    sort -u
)

if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets found"
  exit 0
fi
if (( ${#targets[@]} * per_target > budget )); then
  per_target=$(( budget / ${#targets[@]} ))
  (( per_target < 2 )) && per_target=2
fi

echo "fuzz: ${#targets[@]} target(s), ${per_target}s each"
for target in "${targets[@]}"; do
  read -r dir name <<<"$target"
  echo "fuzz: $name in $dir"
  go test -run='^$' -fuzz="^${name}\$" -fuzztime="${per_target}s" "$dir"
done
