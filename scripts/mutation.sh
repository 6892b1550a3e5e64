#!/bin/sh
# mutation.sh runs mutation testing with gremlins on chosen files of one
# package and reports the efficacy once reviewed equivalent mutants are
# set aside.
#
# Usage: scripts/mutation.sh PACKAGE FILE...
#   scripts/mutation.sh policy evaluate.go match.go condition.go
#   scripts/mutation.sh execution retry.go params.go status.go start.go signal.go
#
# Only the named files are mutated; the package's whole test suite judges
# each mutant. A survivor listed in scripts/mutation-equivalent.txt (one
# "PACKAGE/FILE:LINE:COLUMN MUTATOR reason" a line) cannot change behaviour
# and is not counted. The settings suit a small shared machine: one worker,
# one CPU per test run, and a timeout coefficient of 30 so that a run slowed
# by a busy machine is not reported as TIMED OUT. GREMLINS_WORKERS and
# GREMLINS_TIMEOUT_COEFFICIENT override them.
#
# Install: go install github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 PACKAGE FILE..." >&2
	exit 2
fi
pkg=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
gremlins=${GREMLINS:-$(command -v gremlins || echo "$(go env GOPATH)/bin/gremlins")}
equivalent=scripts/mutation-equivalent.txt

# Exclude every file of the package but the named ones, and every file of
# its subpackages, whose paths are the only ones with a slash.
exclude="-E /"
for f in "$pkg"/*.go; do
	base=$(basename "$f")
	keep=no
	for want in "$@"; do
		[ "$base" = "$want" ] && keep=yes
	done
	if [ $keep = no ]; then
		exclude="$exclude -E (^|/)$(echo "$base" | sed 's/\./\\./g')\$"
	fi
done

out=$(mktemp)
trap 'rm -f "$out"' EXIT
# One CPU per test run goes through GOFLAGS: gremlins v0.6.0 passes its
# --test-cpu as the single argument "-cpu 1", which the test binary
# refuses, so every mutant would be reported KILLED.
# go test's vet pass is skipped too: it judges no mutant and costs seconds
# each. -count=1 keeps the coverage run out of the test cache: gremlins
# derives each mutant's timeout from how long that run took, and a cached
# result (under a second) would time out every mutant on a busy machine.
GOFLAGS="${GOFLAGS:+$GOFLAGS }-cpu=1 -vet=off -count=1"
export GOFLAGS
# shellcheck disable=SC2086 # the exclusions are separate arguments
"$gremlins" unleash --workers "${GREMLINS_WORKERS:-1}" \
	--timeout-coefficient "${GREMLINS_TIMEOUT_COEFFICIENT:-30}" $exclude "./$pkg" | tee "$out"

killed=$(grep -c '^ *KILLED' "$out" || true)
lived=$(grep '^ *LIVED' "$out" | awk -v pkg="$pkg" '{print pkg "/" $4, $2}' | sort -u || true)
set_aside=0
counted=0
if [ -n "$lived" ]; then
	echo
	echo "Survivors:"
	while read -r pos mutator; do
		if grep -q "^$pos $mutator " "$equivalent" 2>/dev/null; then
			set_aside=$((set_aside + 1))
			echo "  equivalent $pos $mutator"
		else
			counted=$((counted + 1))
			echo "  LIVED      $pos $mutator"
		fi
	done <<LIVED
$lived
LIVED
fi
total=$((killed + counted))
if [ $total -gt 0 ]; then
	efficacy=$(awk -v k="$killed" -v t="$total" 'BEGIN { printf "%.2f", 100 * k / t }')
else
	efficacy=100.00
fi
echo
echo "$pkg ($*): killed $killed, lived $counted, equivalent $set_aside, efficacy $efficacy%"
