#!/bin/bash
# End-to-end test of pinbroker under a real systemd: boots systemd as PID 1 of a systemd-nspawn
# container (a cached Debian bookworm rootfs), installs systemd/pinbroker.{socket,service} there,
# and drives the broker with its own CLI and systemctl. See systemd/e2e/README.md.
#
# Usage (root, from anywhere):  systemd/e2e/run.sh
# Env:   ROOTFS_CACHE=dir            cached debootstrap rootfs (default /var/tmp/pinbroker-e2e/rootfs)
#        E2E_WORKDIR=dir             where per-run temp dirs go (default /var/tmp/pinbroker-e2e)
#        E2E_JOURNAL=1               print the container's pinbroker journal at the end
#        E2E_JDK=dir                 JDK 25 bind-mounted at the same path (default Temurin 25)
#        MIRROR=url                  Debian mirror for debootstrap (default: the host's apt mirror)
# Exit:  0 no step failed, 1 a step failed, 2 the harness itself could not run.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
UNITS=$REPO/systemd
DIST=$REPO/daemon/target/pinbroker
JDK=${E2E_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
BASE=${E2E_WORKDIR:-/var/tmp/pinbroker-e2e}
ROOTFS=${ROOTFS_CACHE:-/var/tmp/pinbroker-e2e/rootfs}
PACKAGES=systemd,systemd-sysv,dbus,bpftool
MAX_EXPOSURE=3.0
WATCHDOG_LIMIT=25      # seconds from SIGSTOP to a new, active broker
LOAD_SECONDS=12        # step 5: how long the load processes run
KILL_AFTER_ACKS=200    # step 5: SIGKILL once this many pins are acknowledged (and 1 s more)
TAKEOVER_NAMES=1000    # step 7: names pinned before the takeover (about four batches of 253)
CHAOS_CLIENTS=20       # step 9: chaos client processes (daemon/src/test/c/chaos.c)
CHAOS_SECONDS=20       # step 9: how long they run; the broker is SIGKILLed at 40 % of it
CHAOS_KILL_MS=500      # step 9: a client is SIGKILLed every 0 to 2 x this many ms

WORK=""          # per-run temp dir: payload/, overlay upper/ and work/, merged root/, logs
CG=pinbroker-e2e-$$
MACHINE=pinbroker-e2e-$$
NSPAWN_LEFTOVERS=()  # what nspawn removes on a clean exit only (/run/systemd/nspawn/...)
NSPID=""         # systemd-nspawn
INIT=""          # the container's PID 1 (host pid)
BG_PIDS=()       # background load loops
FAILED=0
SUMMARY=()

# ------------------------------------------------------------------------- output and timing
now() { echo $(( $(date +%s%N) / 1000000 )); }            # milliseconds
since() { local d=$(( $(now) - $1 )); printf '%d.%d' $((d / 1000)) $((d % 1000 / 100)); }  # seconds
T_START=$(now)
say() { printf '%s\n' "$*"; }
note() { printf '        %s\n' "$*"; }
indent() { sed 's/^/        | /'; }
die() { say "harness error: $*" >&2; exit 2; }

# begin: marks where the next step's journal starts (what result shows if the step fails).
JOURNAL_MARK=0
begin() {
  [ -n "$INIT" ] && JOURNAL_MARK=$(journal -q | wc -l)
}

# result STEP STATUS TEXT: one summary line per step; a FAIL also shows what the broker's
# journal got during the step.
result() {
  local line
  line=$(printf 'step %s  %-7s %s' "$1" "$2" "$3")
  SUMMARY+=("$line")
  say "$line"
  if [ "$2" = FAIL ]; then
    FAILED=1
    [ -n "$INIT" ] && [ -z "${NO_JOURNAL:-}" ] && journal -q | tail -n "+$((JOURNAL_MARK + 1))" | tail -n 30 | indent
  fi
}

# check STEP OK TEXT: PASS if OK is 1, else FAIL.
check() {
  if [ "$2" = 1 ]; then result "$1" PASS "$3"; else result "$1" FAIL "$3"; fi
}

# ------------------------------------------------------------------------- cleanup
cg_dirs() {  # the cgroup hierarchies nspawn and systemd use for the "name=systemd" controller
  if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
    echo /sys/fs/cgroup
  else
    local h
    for h in unified systemd; do [ -d "/sys/fs/cgroup/$h" ] && echo "/sys/fs/cgroup/$h"; done
  fi
}

# in_our_cgroup PID: PID is (still) one of the container's processes, not a reused pid.
in_our_cgroup() { grep -qs "/$CG/" "/proc/$1/cgroup"; }

# cgroup_pids: every process left in this run's cgroups.
cgroup_pids() {
  local d
  for d in $(cg_dirs); do
    [ -d "$d/$CG" ] && find "$d/$CG" -name cgroup.procs -exec cat {} +
  done | sort -u
}

stop_container() {
  local _ left
  if [ -n "$NSPID" ] && kill -0 "$NSPID" 2>/dev/null; then
    kill -TERM "$NSPID"          # nspawn turns this into SIGRTMIN+3: a clean poweroff
    for _ in $(seq 150); do kill -0 "$NSPID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$NSPID" 2>/dev/null; then
      say "[teardown] no clean poweroff within 15 s: killing systemd-nspawn" >&2
      kill -KILL "$NSPID"
    fi
    wait "$NSPID" 2>/dev/null
  fi
  NSPID=""
  # An nspawn that died early leaves the container's systemd running: kill the container's
  # PID 1 (which takes its PID namespace with it), then anything else left in our cgroups.
  if [ -n "$INIT" ] && in_our_cgroup "$INIT"; then
    say "[teardown] the container outlived systemd-nspawn: killing its PID 1" >&2
    kill -KILL "$INIT"
  fi
  for _ in $(seq 50); do
    left=$(cgroup_pids)
    [ -z "$left" ] && return 0
    kill -KILL $left 2>/dev/null
    sleep 0.1
  done
  say "[teardown] processes left in cgroup $CG: $left" >&2
  return 1
}

cleanup() {
  set +e
  local p d alive=0
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  stop_container || alive=1
  for d in $(cg_dirs); do
    [ -d "$d/$CG" ] && find "$d/$CG" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  if [ "$alive" = 0 ]; then
    for p in "${NSPAWN_LEFTOVERS[@]}"; do
      if [ -d "$p" ]; then rmdir "$p" 2>/dev/null; else rm -f "$p"; fi
    done
  fi
  [ -n "$WORK" ] || return
  mountpoint -q "$WORK/merged" && umount "$WORK/merged"
  # The overlay's upper layer must outlive every process that still uses it, and rm -rf must
  # never run through a mounted root.
  if [ "$alive" = 1 ] || mountpoint -q "$WORK/merged"; then
    say "cleanup: left $WORK in place (still in use)" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'say "interrupted" >&2; exit 130' INT
trap 'say "terminated" >&2; exit 143' TERM

# ------------------------------------------------------------------------- in the container
# ct CMD...: run CMD inside the container (all its namespaces), with a clean environment.
ct() {
  timeout "${CT_TIMEOUT:-60}" nsenter -t "$INIT" -a \
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    "$@"
}
pb() { ct /opt/pinbroker/bin/pinbroker "$@"; }
prop() { ct systemctl show -P "$2" "$1"; }             # prop UNIT PROPERTY
journal() { ct journalctl -u pinbroker.service -u pinbroker.socket --no-pager -o short-monotonic "$@"; }

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_for() {
  local deadline=$(( $(now) + $1 * 1000 ))
  shift
  until "$@"; do
    [ "$(now)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

# service_back OLD_PID: the broker is active again under a new MainPID.
service_back() {
  local pid
  pid=$(prop pinbroker.service MainPID) || return 1
  [ "$pid" != 0 ] && [ "$pid" != "$1" ] && [ "$(prop pinbroker.service ActiveState)" = active ]
}

lines() { [ -z "$1" ] || printf '%s\n' "$1"; }

# snapshot: the broker's namespace root as "mode owner group kind gen name details", one per line
# (the ls -l columns without the size and the date).
snapshot() {
  pb ls -l / | awk '{ $5 = ""; $8 = $9 = $10 = ""; print }' | tr -s ' '
}

# ------------------------------------------------------------------------- setup
need_tools() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  local missing=()
  command -v systemd-nspawn >/dev/null || missing+=(systemd-container)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v systemd-analyze >/dev/null || missing+=(systemd)
  if [ ${#missing[@]} -gt 0 ]; then
    say "[setup] installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
      || die "apt-get install ${missing[*]} failed"
  fi
  [ -x "$JDK/bin/java" ] || die "no JDK at $JDK (set E2E_JDK)"
}

build_dist() {
  if [ -x "$DIST/bin/pinbrokerd" ] && [ -x "$DIST/bin/pinbroker" ]; then
    say "[setup] distribution daemon/target/pinbroker (already built)"
    return
  fi
  local t
  t=$(now)
  (cd "$REPO" && mvn -B -q -DskipTests package) || die "mvn package failed"
  [ -x "$DIST/bin/pinbrokerd" ] || die "the build did not produce $DIST"
  say "[setup] built daemon/target/pinbroker in $(since "$t") s"
}

apt_mirror() {  # the first non-security Debian URI the host's apt uses (deb822 or sources.list)
  local f
  for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list; do
    [ -r "$f" ] || continue
    awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }
         /^deb / { for (i = 2; i <= NF; i++) if ($i !~ /^\[/) { if ($i !~ /security/) { print $i; exit } else break } }' "$f"
  done | head -n1
}

ensure_rootfs() {
  if [ -x "$ROOTFS/lib/systemd/systemd" ]; then
    say "[setup] rootfs cache $ROOTFS (warm)"
    return
  fi
  local t mirror
  t=$(now)
  mirror=${MIRROR:-$(apt_mirror)}
  [ -n "$mirror" ] || die "no Debian mirror found in the host's apt sources; set MIRROR"
  mkdir -p "$(dirname "$ROOTFS")"
  exec 9>"$ROOTFS.lock"
  flock 9
  if [ ! -x "$ROOTFS/lib/systemd/systemd" ]; then
    say "[setup] debootstrap bookworm ($PACKAGES) from $mirror into $ROOTFS"
    rm -rf "$ROOTFS.tmp"
    debootstrap --variant=minbase --include="$PACKAGES" bookworm "$ROOTFS.tmp" "$mirror" \
      >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log"; die "debootstrap failed"; }
    rm -rf "$ROOTFS.tmp"/var/cache/apt/archives/*.deb "$ROOTFS.tmp"/var/lib/apt/lists/*
    mv "$ROOTFS.tmp" "$ROOTFS"
  fi
  flock -u 9
  exec 9>&-
  say "[setup] rootfs built in $(since "$t") s ($(du -sh "$ROOTFS" | cut -f1))"
}

# The container's / is an overlay: the cached rootfs below (never written), this run's upper
# layer on top. The units go into the upper layer and are enabled there before boot, as a
# package would install them.
prepare_root() {
  mkdir -p "$WORK/upper" "$WORK/ovl" "$WORK/merged" "$WORK/payload/load"
  mount -t overlay pinbroker-e2e -o "lowerdir=$ROOTFS,upperdir=$WORK/upper,workdir=$WORK/ovl" "$WORK/merged" \
    || die "cannot mount the overlay root"
  # nspawn's lock on the root directory and its propagation directory stay behind if nspawn is
  # killed; on a host without a tmpfs /run they would pile up
  NSPAWN_LEFTOVERS=("/run/systemd/nspawn/locks/inode-$(stat -c %d:%i "$WORK/merged")"
    "/run/systemd/nspawn/propagate/$MACHINE")
  install -m 0644 "$UNITS/pinbroker.socket" "$UNITS/pinbroker.service" "$WORK/merged/etc/systemd/system/"
  systemctl --root="$WORK/merged" enable pinbroker.socket >/dev/null 2>&1 || die "systemctl --root enable failed"
  write_load_script "$WORK/payload/load.sh"
}

# The load processes of steps 5 and 7: systemd/e2e/Load.java on the broker's own client library,
# run by the bind-mounted JDK as a single-file program.
write_load_script() {
  cp "$REPO/systemd/e2e/Load.java" "$(dirname "$1")/Load.java"
  printf '%s\n' '#!/bin/sh' '# load.sh pin|get WORKER SECONDS DIR [NAME]: see Load.java' \
    "exec $JDK/bin/java --enable-native-access=ALL-UNNAMED -cp '/opt/pinbroker/lib/*' /e2e/Load.java \"\$@\"" >"$1"
  chmod 0755 "$1"
}

boot_container() {
  local t d st=""
  t=$(now)
  for d in $(cg_dirs); do mkdir -p "$d/$CG"; done
  (
    # a cgroup of our own, so that nspawn's payload/ and supervisor/ sub-cgroups are ours to remove
    for d in $(cg_dirs); do echo "$BASHPID" >"$d/$CG/cgroup.procs"; done
    # --register=no --keep-unit: no machined, no D-Bus, no systemd needed on the host.
    # CAP_BPF is not in nspawn's default capability set; the broker's unit asks for it.
    exec systemd-nspawn -q -D "$WORK/merged" --boot --register=no --keep-unit --private-network \
      --machine="$MACHINE" --capability=CAP_BPF --system-call-filter=bpf \
      --bind-ro="$JDK" --bind-ro="$DIST:/opt/pinbroker" --bind="$WORK/payload:/e2e" \
      </dev/null >"$WORK/console.log" 2>&1
  ) &
  NSPID=$!
  local _ c
  for _ in $(seq 200); do
    for c in $(pgrep -P "$NSPID" 2>/dev/null); do
      [ "$(cat "/proc/$c/comm" 2>/dev/null)" = systemd ] && INIT=$c
    done
    [ -n "$INIT" ] && break
    kill -0 "$NSPID" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$INIT" ] || { cat "$WORK/console.log"; die "the container did not start"; }
  for _ in $(seq 300); do
    st=$(ct systemctl is-system-running 2>/dev/null)
    case "$st" in running|degraded) break ;; esac
    sleep 0.1
  done
  case "$st" in
    running) ;;
    degraded) ct systemctl --failed --no-pager --plain | indent ;;
    *) cat "$WORK/console.log"; die "boot did not finish: '$st'" ;;
  esac
  say "[setup] container booted ($(ct systemctl --version | head -n1), $st) in $(since "$t") s"
}

# ------------------------------------------------------------------------- the scenario
step0_static() {
  local dir=$WORK/units out exposure
  mkdir -p "$dir"
  cp "$UNITS/pinbroker.socket" "$dir/"
  sed "s|/opt/pinbroker/bin/pinbrokerd|$DIST/bin/pinbrokerd|" "$UNITS/pinbroker.service" >"$dir/pinbroker.service"
  out=$(cd "$dir" && systemd-analyze verify "$dir/pinbroker.socket" "$dir/pinbroker.service" 2>&1)
  if [ $? -ne 0 ] || [ -n "$out" ]; then
    printf '%s\n' "$out" | indent
    result 0 FAIL "systemd-analyze verify is not silent"
    return
  fi
  exposure=$(systemd-analyze security --offline=true "$dir/pinbroker.service" 2>&1 |
    sed -n 's/.*Overall exposure level for pinbroker.service: \([0-9.]*\).*/\1/p')
  if [ -z "$exposure" ]; then
    result 0 FAIL "systemd-analyze security printed no exposure"
  elif awk -v e="$exposure" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e <= m) }'; then
    result 0 PASS "systemd-analyze verify silent; security --offline exposure $exposure (<= $MAX_EXPOSURE)"
  else
    result 0 FAIL "security --offline exposure $exposure > $MAX_EXPOSURE"
  fi
}

step1_socket() {
  local sock svc
  sock=$(prop pinbroker.socket ActiveState)/$(prop pinbroker.socket SubState)
  svc=$(prop pinbroker.service ActiveState)
  if [ "$sock" = active/listening ] && [ "$svc" = inactive ] && ct test -S /run/pinbroker/pinbroker.sock; then
    result 1 PASS "pinbroker.socket active/listening on /run/pinbroker/pinbroker.sock, pinbroker.service inactive"
  else
    result 1 FAIL "pinbroker.socket $sock, pinbroker.service $svc"
  fi
}

service_ready() {
  [ "$(prop pinbroker.service ActiveState)/$(prop pinbroker.service SubState)" = active/running ] &&
    case "$(prop pinbroker.service StatusText)" in serving*) true ;; *) false ;; esac
}

step2_activation() {
  local t out
  t=$(now)
  if ! out=$(pb ls / 2>&1); then
    printf '%s\n' "$out" | indent
    result 2 FAIL "the first 'pinbroker ls /' failed"
    return 1
  fi
  if ! wait_for 10 service_ready; then
    ct systemctl show -p ActiveState,SubState,StatusText pinbroker.service | indent
    result 2 FAIL "pinbroker.service did not reach active/running with StatusText 'serving...'"
    return 1
  fi
  result 2 PASS "first CLI call activated the broker in $(since "$t") s: active/running, pid $(prop pinbroker.service MainPID), StatusText '$(prop pinbroker.service StatusText)'"
}

# ok WHAT CMD...: run CMD, which should succeed quietly; otherwise show its output, count an error.
ok() {
  local what=$1 out
  shift
  out=$("$@" 2>&1) && return 0
  note "failed: $what"
  [ -n "$out" ] && printf '%s\n' "$out" | indent
  ERRORS=$((ERRORS + 1))
  return 1
}
bad() { note "$*"; ERRORS=$((ERRORS + 1)); }

expect_entry() {  # expect_entry LISTING MODE OWNER GROUP KIND NAME   (ls -l: name is field 11)
  awk -v m="$2" -v o="$3" -v g="$4" -v k="$5" -v n="$6" \
    '$1 == m && $2 == o && $3 == g && $4 == k && $11 == n { found = 1 } END { exit !found }' <<<"$1" ||
    bad "ls -l does not show '$2 $3 $4 ... $6'"
}

read_mem() { pb exec --ro --fd s=/mem -- sh -c 'head -c 5 <&3'; }

step3_pin() {
  ERRORS=0
  local listing content value id
  ok "map create /m" pb map create --type array --key-size 4 --value-size 8 --max-entries 4 --mode 0644 /m
  ok "map update /m" pb map update /m 01000000 2a00000000000000
  value=$(pb map lookup /m 01000000 2>&1)
  [ "$value" = 2a00000000000000 ] || bad "map lookup /m 01000000: '$value'"
  ok "pin --memfd 4K /mem" pb pin --memfd 4K --mode 0640 /mem
  ok "write 'hello' to /mem" pb exec --fd s=/mem -- sh -c 'printf hello >&3'
  ok "mkfifo" ct mkfifo -m 0600 /run/e2e.fifo
  ok "pin --fd 3 /pipe" ct sh -c 'exec /opt/pinbroker/bin/pinbroker pin --fd 3 --mode 0600 /pipe 3<>/run/e2e.fifo'
  ok "chown 65534 /mem" pb chown 65534 /mem
  content=$(read_mem 2>&1)
  [ "$content" = hello ] || bad "/mem holds '$content', not 'hello'"
  listing=$(pb ls -l / 2>&1) || bad "ls -l / failed"
  printf '%s\n' "$listing" | indent
  expect_entry "$listing" -rw-r--r-- root root bpf-map m
  expect_entry "$listing" -rw-r----- nobody root fd/memfd mem
  expect_entry "$listing" -rw------- root root fd/pipe pipe
  # the map is a kernel object: bpftool in the container finds it by the id the broker reports
  id=$(sed -n 's/.*\[array id=\([0-9]*\) .*/\1/p' <<<"$listing")
  if ! ct test -x /usr/sbin/bpftool; then
    note "no bpftool in the rootfs: the kernel-side check of the map is skipped"
  elif [ -n "$id" ] && ct bpftool map show id "$id" >/dev/null 2>&1; then
    note "bpftool map show id $id: $(ct bpftool map show id "$id" | head -n1)"
  else
    bad "bpftool does not see map id '$id'"
  fi
  if [ "$ERRORS" = 0 ]; then
    result 3 PASS "pinned a BPF array map (id $id, 0644), a memfd holding 'hello' (0640, chowned to 65534), a pipe (0600)"
  else
    result 3 FAIL "$ERRORS of the pin/ls checks failed"
  fi
}

# identities: stat --json of the pinned objects: owner, mode, generation, times, dev:ino, map id.
identities() {
  local n
  for n in /m /mem /pipe; do pb stat --json "$n" 2>&1; done
}

step4_restart() {
  local before after ids0 ids1 pid0 pid1 content n m failures
  before=$(snapshot)
  ids0=$(identities)
  n=$(grep -c . <<<"$before")
  pid0=$(prop pinbroker.service MainPID)
  failures=$(journal | grep -c "Failed with result")
  if ! ct systemctl restart pinbroker.service || ! service_back "$pid0"; then
    result 4 FAIL "systemctl restart pinbroker.service did not bring the broker back"
    return
  fi
  # the restart itself is checked for real: stopping the broker is not a failure
  if [ "$(journal | grep -c "Failed with result")" != "$failures" ]; then
    journal | grep "Failed with result" | tail -n 1 | indent
    result 4 FAIL "systemctl restart: systemd counted the broker's stop as a failure"
    return
  fi
  pid1=$(prop pinbroker.service MainPID)
  after=$(snapshot)
  ids1=$(identities)
  m=$(grep -c . <<<"$after")
  content=$(read_mem 2>/dev/null)
  note "restart: pid $pid0 -> $pid1; names before $n, after $m; /mem holds '${content}'"
  diff <(lines "$before") <(lines "$after") | indent
  diff <(lines "$ids0") <(lines "$ids1") | indent
  note "$(grep '"path":"/m"' <<<"$ids1" | grep -o '"id":[0-9]*' | head -n1) and /mem dev:ino $(grep '"path":"/mem"' <<<"$ids1" | grep -o '"dev":"[0-9]*","ino":"[0-9]*"')"
  journal | grep -E 'restored [0-9]+ names' | tail -n 1 | indent
  if [ "$before" = "$after" ] && [ "$ids0" = "$ids1" ] && [ "$content" = hello ]; then
    check 4 1 "systemctl restart: $n names, owners, modes, generations, times, map id and memfd dev:ino unchanged; /mem still 'hello'"
  else
    check 4 0 "state changed across systemctl restart: before $n names, after $m"
  fi
}

acks_at_least() { [ "$(cat "$1"/w*.ack 2>/dev/null | wc -l)" -ge "$2" ]; }

step5_kill_under_load() {
  local pid0 nr0 t_kill w acked before_kill present lost gets back=0 elapsed
  local dir=$WORK/payload/load
  pid0=$(prop pinbroker.service MainPID)
  nr0=$(prop pinbroker.service NRestarts)
  pb pin --memfd 4K /load-anchor >/dev/null 2>&1 || note "pin /load-anchor failed"
  for w in w1 w2 w3; do
    CT_TIMEOUT=$((LOAD_SECONDS + 40)) ct /e2e/load.sh pin "$w" "$LOAD_SECONDS" /e2e/load >/dev/null 2>"$dir/$w.err" &
    BG_PIDS+=($!)
  done
  CT_TIMEOUT=$((LOAD_SECONDS + 40)) ct /e2e/load.sh get g1 "$LOAD_SECONDS" /e2e/load /load-anchor >"$dir/g1.out" 2>"$dir/g1.err" &
  BG_PIDS+=($!)
  if ! wait_for 30 acks_at_least "$dir" "$KILL_AFTER_ACKS"; then
    result 5 FAIL "the load processes acknowledged fewer than $KILL_AFTER_ACKS pins in 30 s"
    return
  fi
  sleep 1
  t_kill=$(now)
  # by pid, not systemctl kill: that request would wait behind PID 1's backlog of FDSTORE=1
  ct sh -c 'kill -KILL "$1"' sh "$pid0"
  wait_for 30 service_back "$pid0" && back=1
  elapsed=$(since "$t_kill")
  for w in "${BG_PIDS[@]}"; do wait "$w" 2>/dev/null; done
  BG_PIDS=()
  acked=$(cat "$dir"/w*.ack 2>/dev/null | wc -l)
  before_kill=$(cat "$dir"/w*.ack 2>/dev/null | awk -v k="$t_kill" '$1 < k' | wc -l)
  present=$(pb ls / 2>/dev/null | sort | comm -12 - <(cat "$dir"/w*.ack 2>/dev/null | awk '{ sub("^/", "", $2); print $2 }' | sort) | wc -l)
  lost=$((acked - present))
  gets=$(cat "$dir/g1.out" 2>/dev/null)
  note "load: 3 pinning processes + 1 getting process for ${LOAD_SECONDS} s, SIGKILL 1 s after $KILL_AFTER_ACKS acknowledged pins"
  note "pins acknowledged $acked ($before_kill before the kill), unacknowledged $(cat "$dir"/w*.nack 2>/dev/null | wc -l); getter: ${gets:-no summary}"
  if [ "$back" = 1 ]; then
    note "broker back after SIGKILL in $elapsed s: pid $pid0 -> $(prop pinbroker.service MainPID), NRestarts $nr0 -> $(prop pinbroker.service NRestarts)"
  else
    result 5 FAIL "pinbroker.service did not come back within 15 s of SIGKILL ($(prop pinbroker.service ActiveState)/$(prop pinbroker.service SubState))"
    return
  fi
  journal | grep -E 'restored [0-9]+ names' | tail -n 1 | indent
  if [ "$before_kill" -gt 0 ] && [ "$lost" = 0 ]; then
    check 5 1 "SIGKILL under load: acknowledged $acked, present $present, lost $lost; back in $elapsed s"
  else
    cat "$dir"/*.err 2>/dev/null | tail -n 20 | indent
    check 5 0 "SIGKILL under load: acknowledged $acked ($before_kill before the kill), present $present, lost $lost"
  fi
}

step6_watchdog() {
  local pid0 nr0 nr1 t elapsed wd watchdog_mentioned=0 names0 names1 log
  names0=$(pb ls / 2>/dev/null | wc -l)
  pid0=$(prop pinbroker.service MainPID)
  nr0=$(prop pinbroker.service NRestarts)
  wd=$(prop pinbroker.service WatchdogUSec)
  t=$(now)
  ct sh -c 'kill -STOP "$1"' sh "$pid0"
  if ! wait_for "$WATCHDOG_LIMIT" service_back "$pid0"; then
    result 6 FAIL "frozen broker (pid $pid0) not restarted within $WATCHDOG_LIMIT s ($(prop pinbroker.service ActiveState)/$(prop pinbroker.service SubState))"
    return
  fi
  elapsed=$(since "$t")
  nr1=$(prop pinbroker.service NRestarts)
  # Read the journal once into a variable: 'journal | grep -q' under pipefail fails whenever grep
  # exits at the first match while journalctl still writes (SIGPIPE, status 141).
  log=$(journal | grep -E 'Watchdog timeout|Killing process|Main process exited|Scheduled restart')
  [[ $log == *'Watchdog timeout'* ]] && watchdog_mentioned=1
  [ "$(prop pinbroker.service Result)" = watchdog ] && watchdog_mentioned=1
  tail -n 4 <<<"$log" | indent
  names1=$(pb ls / 2>/dev/null | wc -l)
  if [ "$nr1" -gt "$nr0" ] && [ "$watchdog_mentioned" = 1 ] && [ "$names1" = "$names0" ]; then
    result 6 PASS "SIGSTOP'd broker killed by the watchdog (WatchdogSec=$wd) and restarted in $elapsed s with its $names1 names: pid $pid0 -> $(prop pinbroker.service MainPID), NRestarts $nr0 -> $nr1"
  else
    result 6 FAIL "restarted in $elapsed s, but NRestarts $nr0 -> $nr1, watchdog in journal/Result: $watchdog_mentioned, names $names0 -> $names1"
  fi
}

# Step 7: a broker started by hand in the container (no systemd around it) is taken over by a
# second one, pinbrokerd --takeover, while a client process keeps getting a name.
TK=/run/e2e-takeover
tk() { ct env PINBROKER_SOCKET=$TK/pb.sock /opt/pinbroker/bin/pinbroker "$@"; }
tk_daemon() {  # tk_daemon LOG ARGS...: start pinbrokerd in its own session; prints its pid
  local log=$1
  shift
  # as the unit's LimitNOFILE= does: a broker needs an fd per object, and a successor as many
  ct sh -c 'log=$1; shift; ulimit -n 20000; setsid "$@" >"$log" 2>&1 </dev/null & echo $!' sh "$log" \
    /opt/pinbroker/bin/pinbrokerd --socket $TK/pb.sock "$@"
}
tk_identities() {
  local n
  tk ls -l / | awk '{ $8 = $9 = $10 = ""; print }' | tr -s ' '
  for n in /m /mem; do tk stat --json "$n" 2>&1; done
}
gone() { ! ct test -d "/proc/$1"; }

step7_takeover() {
  ERRORS=0
  local old new before after names gets out dir=$WORK/payload/load
  ct mkdir -p $TK
  old=$(tk_daemon $TK/old.log)
  if ! wait_for 30 tk ls / >/dev/null 2>&1; then
    ct cat $TK/old.log | indent
    result 7 FAIL "the hand-started broker did not come up"
    return
  fi
  ok "map create /m" tk map create --type hash --key-size 4 --value-size 4 --max-entries 8 /m
  ok "pin --memfd 4K /mem" tk pin --memfd 4K --mode 0640 /mem
  ok "write 'hello' to /mem" ct env PINBROKER_SOCKET=$TK/pb.sock /opt/pinbroker/bin/pinbroker exec --fd s=/mem -- sh -c 'printf hello >&3'
  ct env PINBROKER_SOCKET=$TK/pb.sock /e2e/load.sh pin tk 30 /e2e/load "$TAKEOVER_NAMES" >/dev/null 2>&1
  names=$(tk ls / | wc -l)
  before=$(tk_identities)
  CT_TIMEOUT=60 ct env PINBROKER_SOCKET=$TK/pb.sock /e2e/load.sh get tg 8 /e2e/load /mem >"$dir/tg.out" 2>&1 &
  BG_PIDS+=($!)
  sleep 3
  new=$(tk_daemon $TK/new.log --takeover)
  if ! wait_for 30 gone "$old"; then
    ct cat $TK/new.log | indent
    result 7 FAIL "the old broker (pid $old) did not exit after the takeover"
    ct sh -c 'kill "$@"' sh "$old" "$new"
    return
  fi
  after=$(tk_identities)
  for w in "${BG_PIDS[@]}"; do wait "$w" 2>/dev/null; done
  BG_PIDS=()
  gets=$(cat "$dir/tg.out" 2>/dev/null)
  [ "$(read_tk_mem)" = hello ] || bad "/mem does not hold 'hello' after the takeover"
  ct grep -h -E 'handing over|handed over|took over' $TK/old.log $TK/new.log | indent
  note "getter during the takeover: ${gets:-no summary}"
  diff <(lines "$before") <(lines "$after") | indent
  [ "$before" = "$after" ] || bad "the tree or an object's identity changed"
  grep -q ' enoent=0 ' <<<"$gets" || bad "the getter did not finish with enoent=0"
  ct sh -c 'kill "$1"' sh "$new"
  if [ "$ERRORS" = 0 ]; then
    result 7 PASS "takeover by hand: $names names (fds in batches of 253) moved from pid $old to $new; owners, modes, generations, map id, memfd dev:ino unchanged; getter: $gets"
  else
    result 7 FAIL "$ERRORS takeover checks failed"
  fi
}
read_tk_mem() { ct env PINBROKER_SOCKET=$TK/pb.sock /opt/pinbroker/bin/pinbroker exec --ro --fd s=/mem -- sh -c 'head -c 5 <&3'; }

# Step 8: BPF objects kept by pins in a bpffs rather than by fds. nspawn's /sys has no fs/bpf to
# mount one on, so the container gets a bpffs on /run/bpf (as a host has one on /sys/fs/bpf at
# boot) and a drop-in points --bpf-store there; the units are otherwise as installed.
STORE=/run/bpf/pinbroker
store_pins() { ct sh -c 'ls "$1" | grep -vc "\.debug$"' sh "$STORE"; }
map_id() { pb stat --json "$1" | grep -o '"id":[0-9]*' | head -n1 | cut -d: -f2; }

step8_bpf_store() {
  ERRORS=0
  local pid0 id0 id1 id2 fdstore
  if ! ct sh -c "mkdir -p /run/bpf && mount -t bpf bpf /run/bpf && mkdir -m 0700 $STORE" 2>/dev/null; then
    result 8 FAIL "cannot mount a bpffs in the container"
    return
  fi
  ct mkdir -p /etc/systemd/system/pinbroker.service.d
  ct sh -c "printf '%s\n' '[Service]' 'ExecStart=' 'ExecStart=/opt/pinbroker/bin/pinbrokerd --bpf-store $STORE' 'ReadWritePaths=$STORE' >/etc/systemd/system/pinbroker.service.d/bpf-store.conf"
  ct systemctl daemon-reload
  pid0=$(prop pinbroker.service MainPID)
  ct systemctl restart pinbroker.service && wait_for 15 service_back "$pid0" || bad "restart with the drop-in failed"
  ok "map create /stored" pb map create --type hash --key-size 4 --value-size 4 --max-entries 8 /stored
  id0=$(map_id /stored)
  [ "$(store_pins)" = 1 ] || bad "the new map is not pinned in $STORE ($(store_pins) pins)"
  fdstore=$(pb stats --json | grep -o '"fd_store_used":[0-9]*')
  note "map /stored ($id0) kept by its pin in $STORE; fd store: $fdstore"
  pid0=$(prop pinbroker.service MainPID)
  ct systemctl restart pinbroker.service && wait_for 15 service_back "$pid0" || bad "restart failed"
  id1=$(map_id /stored)
  [ -n "$id0" ] && [ "$id0" = "$id1" ] || bad "after a restart /stored is $id1, not $id0"
  pid0=$(prop pinbroker.service MainPID)
  ct systemctl kill -s KILL pinbroker.service
  wait_for 15 service_back "$pid0" || bad "the broker did not come back after SIGKILL"
  id2=$(map_id /stored)
  [ "$id0" = "$id2" ] || bad "after SIGKILL /stored is $id2, not $id0"
  ok "rm /stored" pb rm /stored
  [ "$(store_pins)" = 0 ] || bad "rm left the pin in $STORE"
  if [ "$ERRORS" = 0 ]; then
    result 8 PASS "a map kept by its bpffs pin, not an fd: same map id $id0 after a restart and a SIGKILL; rm removes the pin"
  else
    result 8 FAIL "$ERRORS BPF store checks failed"
  fi
}

# Step 9: chaos under load with a SIGKILL of the broker. The chaos client (C, on libclient/c) is
# built statically on the host, since the rootfs has no gcc; systemd/e2e/chaos.sh runs 20 of
# them in the container, SIGKILLing one at random moments and replacing it, while the broker is
# SIGKILLed once. ChaosCheck (daemon/src/test/java/.../it, run by the bind-mounted JDK as a
# source program on the broker's own jars) then checks every name against the clients' logs,
# by the identity each object holds, and removes them.
CHAOS_SRC=io/pinbroker/daemon/it
prepare_chaos() {
  local csrc=$REPO/libclient/c d=$WORK/payload/chaos-src/$CHAOS_SRC f
  command -v gcc >/dev/null || return 1
  gcc -static -std=c11 -O2 -Wall -Wextra -Werror -I "$csrc" -o "$WORK/payload/chaos" \
    "$REPO/daemon/src/test/c/chaos.c" "$csrc/pinbroker.c" >"$WORK/chaos-build.log" 2>&1 || return 1
  install -m 0755 "$REPO/systemd/e2e/chaos.sh" "$WORK/payload/chaos.sh"
  mkdir -p "$d"
  for f in ChaosCheck ChaosLog ChaosAudit ChaosNames ChaosReport; do
    cp "$REPO/daemon/src/test/java/$CHAOS_SRC/$f.java" "$d/" || return 1
  done
}

pid1_ticks() { awk '{ print $14 + $15 }' "/proc/$INIT/stat"; }  # user + system, 1/100 s

step9_chaos() {
  local dir=$WORK/payload/chaos-logs pid0 pid1_cpu t_kill back=0 elapsed store0 store1 kills check bg
  if ! prepare_chaos; then
    [ -s "$WORK/chaos-build.log" ] && indent <"$WORK/chaos-build.log"
    result 9 SKIP "no static build of the chaos client (needs gcc and a static libc on the host)"
    return
  fi
  store0=$(pb stats --json | grep -o '"fd_store_used":[0-9]*' | cut -d: -f2)
  ok "mkdir /c /s" pb mkdir -m 0755 /c && ok "mkdir /s" pb mkdir -m 0755 /s || { result 9 FAIL "mkdir failed"; return; }
  pid0=$(prop pinbroker.service MainPID)
  pid1_cpu=$(pid1_ticks)
  CT_TIMEOUT=$((CHAOS_SECONDS + 90)) ct /e2e/chaos.sh "$CHAOS_CLIENTS" "$CHAOS_SECONDS" 64 "$CHAOS_KILL_MS" /e2e/chaos-logs \
    >"$WORK/chaos.out" 2>&1 &
  bg=$!
  BG_PIDS+=("$bg")
  sleep $((CHAOS_SECONDS * 4 / 10))
  if ! grep -q -m1 '^A ' "$dir"/*.log 2>/dev/null; then
    result 9 FAIL "no pin acknowledged after $((CHAOS_SECONDS * 4 / 10)) s of load"
    return
  fi
  t_kill=$(now)
  # by pid, not systemctl kill: that request would wait behind PID 1's backlog of FDSTORE=1
  ct sh -c 'kill -KILL "$1"' sh "$pid0"
  wait_for 30 service_back "$pid0" && back=1
  elapsed=$(since "$t_kill")
  wait "$bg"
  BG_PIDS=()
  kills=$(sed -n 's/^kills=//p' "$WORK/chaos.out")
  check=$(CT_TIMEOUT=120 ct "$JDK/bin/java" --enable-native-access=ALL-UNNAMED -cp '/opt/pinbroker/lib/*' \
    "/e2e/chaos-src/$CHAOS_SRC/ChaosCheck.java" /e2e/chaos-logs "${kills:-0}" 2>&1)
  local status=$?
  printf '%s\n' "$check" | fold -s -w 150 | indent
  store1=$(pb stats --json | grep -o '"fd_store_used":[0-9]*' | cut -d: -f2)
  note "the container's systemd (PID 1) used $(( ($(pid1_ticks) - pid1_cpu) / 100 )) CPU-seconds during the step, with $store0 fds in the store"
  journal -q | tail -n "+$((JOURNAL_MARK + 1))" | grep -E 'restored [0-9]+ names' | tail -n 1 | indent
  if [ "$back" != 1 ]; then
    result 9 FAIL "pinbroker.service did not come back within 30 s of SIGKILL"
  elif [ "$status" != 0 ]; then
    result 9 FAIL "chaos check failed (exit $status), broker back in $elapsed s"
  elif [ "$store0" != "$store1" ]; then
    result 9 FAIL "fd store held $store0 fds before the chaos and $store1 after its names were removed"
  else
    result 9 PASS "$CHAOS_CLIENTS chaos clients for $CHAOS_SECONDS s, $kills of them SIGKILLed, the broker SIGKILLed once (back in $elapsed s): $(sed -n 's/^chaos: .*\(acknowledged pins [0-9]*\).*\(lost [0-9]*, wrong identities [0-9]*\).*/\1, \2/p' <<<"$check"); fd store $store0 fds before, $store1 after"
  fi
}

# ------------------------------------------------------------------------- main
main() {
  say "== pinbroker end-to-end under systemd (nspawn) =="
  need_tools
  build_dist
  mkdir -p "$BASE"
  WORK=$(mktemp -d "$BASE/run.XXXXXX") || die "mktemp failed"
  step0_static
  ensure_rootfs
  prepare_root
  boot_container
  begin; step1_socket
  begin
  if step2_activation; then
    begin; step3_pin
    begin; step4_restart
    begin; step5_kill_under_load
    begin; step6_watchdog
  else
    for s in 3 4 5 6; do NO_JOURNAL=1 result "$s" FAIL "not run: the broker did not start"; done
  fi
  step7_takeover
  begin; step8_bpf_store
  begin; step9_chaos
  if [ "${E2E_JOURNAL:-0}" = 1 ]; then
    say "== journal (pinbroker) =="
    journal | indent
  fi
  local t
  t=$(now)
  stop_container
  say "[teardown] container stopped in $(since "$t") s"
  say "== summary =="
  printf '%s\n' "${SUMMARY[@]}"
  if [ "$FAILED" = 0 ]; then
    say "e2e: no step failed ($(since "$T_START") s)"
  else
    say "e2e: FAILED ($(since "$T_START") s)"
  fi
  return "$FAILED"
}

# sourcing the script (for debugging) defines the functions without running anything
[ "${BASH_SOURCE[0]}" = "$0" ] && main "$@"
