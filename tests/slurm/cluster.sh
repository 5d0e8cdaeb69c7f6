#!/usr/bin/env bash
# Start, stop or describe a real single-node SLURM cluster on localhost (slurmctld + slurmd + munged),
# for the SLURM tests and for trying the launcher's SLURM target by hand.
#
#   tests/slurm/cluster.sh start   # prints the SLURM_CONF line to export
#   tests/slurm/cluster.sh status
#   tests/slurm/cluster.sh stop
#
# Everything (munge key and socket, slurm.conf, spool, logs) lives in one state folder,
# $SACRED_TUI_SLURM_DIR (default /tmp/sacred-tui-slurm), so it never touches the machine's own
# /etc/slurm or /etc/munge. Needs Debian's slurm-wlm and munge, and root (slurmd runs jobs as their user).
set -euo pipefail

state=${SACRED_TUI_SLURM_DIR:-/tmp/sacred-tui-slurm}
conf="$state/slurm.conf"
ctld_port=${SACRED_TUI_SLURM_PORT:-6817}

die() { echo "cluster.sh: $*" >&2; exit 1; }

need_tools() {
    local tool
    for tool in munged mungekey slurmctld slurmd sbatch squeue sinfo scontrol; do
        command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] \
            || die "$tool not found: install Debian's slurm-wlm and munge (apt-get install -y slurm-wlm munge)"
    done
    [ "$(id -u)" = 0 ] || die "must run as root (slurmd starts jobs as their submitting user)"
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

write_conf() {
    local host cpus mem_mb
    host=$(hostname -s)
    cpus=$(nproc)
    mem_mb=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
    cat >"$conf" <<CONF
ClusterName=sacredtui
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$((ctld_port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$state/munge/munge.socket
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerParameters=sched_interval=1,bf_interval=1
MessageTimeout=10
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=2
MinJobAge=300
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
PartitionName=short Nodes=$host MaxTime=00:05:00 State=UP
CONF
}

start_munge() {
    mkdir -p "$state/munge"
    chmod 700 "$state/munge"
    [ -f "$state/munge/munge.key" ] || mungekey --create --keyfile="$state/munge/munge.key" >/dev/null
    chmod 600 "$state/munge/munge.key"
    pid_alive "$state/munge/munged.pid" && return
    munged --force --key-file="$state/munge/munge.key" --socket="$state/munge/munge.socket" \
        --pid-file="$state/munge/munged.pid" --log-file="$state/munge/munged.log" \
        --seed-file="$state/munge/munged.seed"
}

wait_idle() {
    local i
    for i in $(seq 1 100); do
        if sinfo -h -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; then return 0; fi
        sleep 0.2
    done
    echo "cluster.sh: the node did not become idle in 20 s; logs:" >&2
    tail -n 20 "$state/slurmctld.log" "$state/slurmd.log" >&2 || true
    return 1
}

start() {
    need_tools
    mkdir -p "$state/ctld" "$state/d"
    start_munge
    [ -f "$conf" ] || write_conf
    export SLURM_CONF="$conf"
    pid_alive "$state/slurmctld.pid" || slurmctld -f "$conf"
    pid_alive "$state/slurmd.pid" || slurmd -f "$conf"
    wait_idle
    echo "export SLURM_CONF=$conf"
}

stop() {
    local pidfile i
    for pidfile in "$state/slurmd.pid" "$state/slurmctld.pid" "$state/munge/munged.pid"; do
        pid_alive "$pidfile" || continue
        kill "$(cat "$pidfile")" 2>/dev/null || true
        for i in $(seq 1 50); do pid_alive "$pidfile" || break; sleep 0.1; done
        pid_alive "$pidfile" && kill -9 "$(cat "$pidfile")" 2>/dev/null || true
    done
    rm -rf "$state"
}

status() {
    if pid_alive "$state/slurmctld.pid" && pid_alive "$state/slurmd.pid"; then
        SLURM_CONF="$conf" sinfo
        echo "export SLURM_CONF=$conf"
    else
        echo "not running (state folder $state)"
        return 3
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
