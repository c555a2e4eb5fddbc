#!/usr/bin/env bash
# The benchmark of issue 6 in one command (BENCHMARKS.md says what it measures):
#
#   daemon/src/bench/run.sh [--quick] [--rounds N] [--seconds S] [--placement none|split]
#                           [--only ID,...] [--no-write]
#
# It installs what is missing (Debian: gcc, make, bpftool, s6, libs6-dev, skalibs-dev), builds
# the project with -Pbench and the C peers, then runs every workload against every peer,
# alternating peers round by round, prints medians and ratios, and rewrites the results section
# of BENCHMARKS.md (unless --no-write). --quick is a smoke run: tiny rounds, not results.
# Workload ids for --only: get-1 get-2 get-8 connect pinunlink list cli coldstart restore-10k
# restore-100k heap scale jmh (a prefix selects several: --only get,jmh). Needs root: it mounts
# a private bpffs and creates BPF maps.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"

if [ "$(id -u)" -ne 0 ]; then
  echo "bench: needs root (it mounts a private bpffs and creates BPF maps)" >&2
  exit 2
fi

missing=()
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v bpftool >/dev/null 2>&1 || missing+=(bpftool)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
command -v s6-fdholder-daemon >/dev/null 2>&1 || missing+=(s6)
compgen -G '/usr/include/*/s6/fdholder.h' >/dev/null || compgen -G '/usr/include/s6/fdholder.h' \
  >/dev/null || missing+=(libs6-dev)
compgen -G '/usr/include/*/skalibs/skalibs.h' >/dev/null ||
  compgen -G '/usr/include/skalibs/skalibs.h' >/dev/null || missing+=(skalibs-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

echo "bench: building (mvn -Pbench -DskipTests package, C peers)"
mvn -B -q -Pbench -DskipTests package
cbuild=daemon/target/bench-c
make -s -C libclient/c BUILD="$root/$cbuild"
make -s -C libclient/c/bench BUILD="$root/$cbuild"

# The JDK 25 the launchers use.
. daemon/target/pinbroker/lib/find-java.sh

out=(--out BENCHMARKS.md)
args=()
for a in "$@"; do
  if [ "$a" = "--no-write" ]; then out=(); else args+=("$a"); fi
done
exec "$java" --enable-native-access=ALL-UNNAMED \
  -cp "daemon/target/test-classes:daemon/target/classes:daemon/target/bench-lib/*" \
  io.pinbroker.bench.Bench --cbuild "$cbuild" --dist daemon/target/pinbroker "${out[@]}" \
  --command "daemon/src/bench/run.sh${*:+ $*}" "${args[@]}"
