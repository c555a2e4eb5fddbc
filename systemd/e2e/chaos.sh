#!/bin/sh
# chaos.sh CLIENTS SECONDS SHARED MEAN_KILL_MS DIR: step 9's clients, run inside the container.
# Starts CLIENTS chaos clients (/e2e/chaos, daemon/src/test/c/chaos.c built statically on the
# host) on the broker's socket, each logging to DIR/ID.log (errors to DIR/ID.err). Every 0 to
# 2 x MEAN_KILL_MS ms it SIGKILLs one at random and starts a replacement in its slot under a new
# id (SLOT.GENERATION); after SECONDS it sends each SIGTERM, waits for them, and prints
# "kills=N".
set -u
clients=$1 seconds=$2 shared=$3 mean=$4 dir=$5
socket=/run/pinbroker/pinbroker.sock
mkdir -p "$dir"

random() { od -An -N4 -tu4 /dev/urandom | tr -d ' '; }

launch() {  # launch SLOT GENERATION
  /e2e/chaos "$socket" "$1.$2" "$dir/$1.$2.log" "$shared" $((seconds + 120)) 2>"$dir/$1.$2.err" &
  eval "pid_$1=$! gen_$1=$2"
}

i=0
while [ "$i" -lt "$clients" ]; do launch "$i" 0; i=$((i + 1)); done
end=$(( $(date +%s) + seconds ))
kills=0
while [ "$(date +%s)" -lt "$end" ]; do
  ms=$(( $(random) % (2 * mean + 1) ))
  sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
  slot=$(( $(random) % clients ))
  eval "pid=\$pid_$slot gen=\$gen_$slot"
  if kill -KILL "$pid" 2>/dev/null; then
    kills=$((kills + 1))
  fi
  wait "$pid" 2>/dev/null
  launch "$slot" $((gen + 1))
done
i=0
while [ "$i" -lt "$clients" ]; do eval "kill -TERM \$pid_$i 2>/dev/null"; i=$((i + 1)); done
wait
echo "kills=$kills"
