#!/bin/bash
# Run by the build (daemon/pom.xml, package phase) on the assembled distribution DIST: trains and
# writes the AOT caches the launchers use (DIST/lib/aot.sh), with the JDK the launchers find here.
#   lib/pinbrokerd.aot  pinbrokerd started on a temporary socket, serving the CLI calls below,
#                       then stopped with SIGTERM; --bpf-store=off, so that it never touches
#                       /sys/fs/bpf/pinbroker, where a broker of this machine may keep its pins
#   lib/pinbroker.aot   one `pinbroker get` of a memfd (a JVM runs one training, so one call)
#   lib/aot.jdk         the java they were made with and its JDK's release file
# Usage: train.sh DIST
set -euo pipefail
dist=$(readlink -f "$1")
lib=$dist/lib
rm -f "$lib"/*.aot "$lib/aot.jdk"
# Nothing of the build's environment reaches the training: no JVM options, no service manager.
unset PINBROKER_JAVA_OPTS JDK_JAVA_OPTIONS JAVA_TOOL_OPTIONS _JAVA_OPTIONS \
  NOTIFY_SOCKET LISTEN_PID LISTEN_FDS LISTEN_FDNAMES WATCHDOG_PID WATCHDOG_USEC
. "$lib/find-java.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pinbroker-aot.XXXXXX")
daemon=
cleanup() {
  if [ -n "$daemon" ]; then kill -KILL "$daemon" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "aot: $*" >&2
  for log in "$tmp"/*.log; do
    [ -f "$log" ] && { echo "--- $log" >&2; tail -n 30 "$log" >&2; }
  done
  exit 1
}

# The caches' own logs (classes left out and why) go to the log files, not the build output.
export PINBROKER_SOCKET=$tmp/pinbroker.sock
PINBROKER_JAVA_OPTS="-XX:AOTCacheOutput=$lib/pinbrokerd.aot" \
  "$dist/bin/pinbrokerd" --socket "$PINBROKER_SOCKET" --bpf-store=off >"$tmp/pinbrokerd.log" 2>&1 &
daemon=$!
listening() { [[ $(<"$tmp/pinbrokerd.log") == *"pinbrokerd listening on"* ]]; }
for _ in $(seq 300); do
  listening && break
  kill -0 "$daemon" 2>/dev/null || fail "pinbrokerd exited"
  sleep 0.1
done
listening || fail "pinbrokerd did not listen in 30 s"

cli() {
  "$dist/bin/pinbroker" "$@" >>"$tmp/pinbroker.log" 2>&1 || fail "pinbroker $* failed"
}
cli mkdir -m 0755 /aot
cli pin --memfd 4K --mode 0640 /aot/m
PINBROKER_JAVA_OPTS="-XX:AOTCacheOutput=$lib/pinbroker.aot" cli get /aot/m
cli ls -l /aot
cli stat /aot/m
cli rm /aot/m

kill -TERM "$daemon"
wait "$daemon" || true
daemon=
for cache in pinbroker pinbrokerd; do
  [ -s "$lib/$cache.aot" ] || fail "no $lib/$cache.aot"
done
{ printf '%s\n' "$java"; cat "$java_home/release"; } >"$lib/aot.jdk"
chmod 0644 "$lib"/*.aot "$lib/aot.jdk"
echo "aot: $(cd "$lib" && ls -s --block-size=M -- *.aot | tr '\n' ' ')made with $java"
