#!/usr/bin/env bash
# A one-machine Slurm cluster for `npm run test:slurm`: munged, slurmctld and slurmd on this
# host, as root, without systemd. It installs nothing (.ci/run does: apt-get install slurm-wlm munge).
#
#   local-slurm.sh start          prints SLURM_CONF=<file to use> (the system's, when its cluster
#                                 answers) and STARTED=<daemons it started now>; starts only what is
#                                 not running, and notes what it started
#   local-slurm.sh stop [NAME..]  stops the daemons this script started (all, or those named), by
#                                 their pid files; nothing else
#
# CAS_SLURM_DIR (default /var/tmp/cas-slurm) holds the config, state, logs and pid files.
set -euo pipefail

DIR=${CAS_SLURM_DIR:-/var/tmp/cas-slurm}
CONF=$DIR/slurm.conf
STARTED=$DIR/started-by-cas
MUNGE_PID=/run/munge/munged.pid
NODE=$(hostname -s)

log() { echo "local-slurm: $*" >&2; }

NOW_STARTED=()
note() { echo "$1" >> "$STARTED"; NOW_STARTED+=("$1"); }

controller_up() { SLURM_CONF=$1 scontrol ping 2>/dev/null | grep -q 'is UP'; }

node_ready() { SLURM_CONF=$CONF sinfo -h -N -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; }

wait_for() {
  local what=$1 check=$2 tries=${3:-60}
  for ((i = 0; i < tries; i++)); do
    if $check; then return 0; fi
    sleep 0.5
  done
  log "$what did not come up; see the logs in $DIR"
  return 1
}

write_conf() {
  mkdir -p "$DIR/state" "$DIR/spool"
  cat > "$CONF" <<CONF
# Written by test/slurm/local-slurm.sh: one node, this host, root only, no systemd, no cgroups.
ClusterName=cas-local
SlurmctldHost=$NODE
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$NODE CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE
CONF
}

start_munge() {
  if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then return 0; fi
  if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --keyfile=/etc/munge/munge.key
  fi
  chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  runuser -u munge -- munged
  note munged
  wait_for munged 'eval munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1'
}

start() {
  for tool in munged slurmctld slurmd scontrol sbatch; do
    command -v "$tool" >/dev/null || { log "$tool not found: install slurm-wlm and munge (apt-get install slurm-wlm munge)"; exit 1; }
  done
  # A cluster already configured here (SLURM_CONF, or the system's file) is used as it is. Without
  # any config file, Slurm would look for one over DNS and wait a minute for the answer.
  local system=${SLURM_CONF:-/etc/slurm/slurm.conf}
  if [ "$system" != "$CONF" ] && [ -f "$system" ] && controller_up "$system"; then
    log "a Slurm controller already answers ($system): using it"
    echo "SLURM_CONF=$system"
    echo "STARTED="
    return
  fi
  mkdir -p "$DIR"
  [ -f "$CONF" ] || write_conf
  if controller_up "$CONF" && node_ready; then
    log "the local cluster is already up ($CONF)"
    echo "SLURM_CONF=$CONF"
    echo "STARTED="
    return
  fi
  [ "$(id -u)" = 0 ] || { log "starting Slurm needs root"; exit 1; }
  write_conf
  start_munge
  if ! controller_up "$CONF"; then
    SLURM_CONF=$CONF slurmctld -c
    note slurmctld
    wait_for slurmctld "controller_up $CONF"
  fi
  if ! node_ready; then
    SLURM_CONF=$CONF slurmd
    note slurmd
    wait_for "slurmd (node $NODE)" node_ready
  fi
  log "up: $(SLURM_CONF=$CONF sinfo -h -o '%P %D %t' | tr '\n' ' ')"
  echo "SLURM_CONF=$CONF"
  echo "STARTED=${NOW_STARTED[*]}"
}

stop_pidfile() {
  local name=$1 pidfile=$2
  [ -s "$pidfile" ] || return 0
  local pid
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    log "stopped $name ($pid)"
  fi
}

# Whether this script started daemon $1 and it is among those to stop ($2..: all when none named).
to_stop() {
  local name=$1
  shift
  grep -qx "$name" "$STARTED" || return 1
  [ $# -eq 0 ] && return 0
  for wanted in "$@"; do [ "$wanted" = "$name" ] && return 0; done
  return 1
}

stop() {
  [ -f "$STARTED" ] || { log "nothing started by this script"; return 0; }
  # Node daemon first, then the controller, then munge (both Slurm daemons use it).
  if to_stop slurmd "$@"; then stop_pidfile slurmd "$DIR/slurmd.pid"; sed -i '/^slurmd$/d' "$STARTED"; fi
  if to_stop slurmctld "$@"; then stop_pidfile slurmctld "$DIR/slurmctld.pid"; sed -i '/^slurmctld$/d' "$STARTED"; fi
  if to_stop munged "$@"; then stop_pidfile munged "$MUNGE_PID"; sed -i '/^munged$/d' "$STARTED"; fi
  [ -s "$STARTED" ] || rm -f "$STARTED"
}

case ${1:-} in
  start) start ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
