#!/usr/bin/env bash
# Run the sample build through a real single-node Slurm cluster (Debian's slurm-wlm + munge) as
# array jobs chained with --dependency=afterok, and check the shards are byte-identical to a local
# run. Needs root (it installs packages and starts the daemons); stops the daemons when done.
#
#   bash scripts/slurm/test.sh            # exit 0 = identical
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
WORK=$(mktemp -d /tmp/vernacular-slurm.XXXXXX)
export VERNACULAR_SECRET=${VERNACULAR_SECRET:-19a317e5c204f0fdfb76772ade4c6c7336db53d9ba55788cc534fc81eec908bd}
WORLD=${WORLD:-2}

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
[ -f dist/cli/index.js ] || npm run build --silent

HOST=$(hostname -s)
CPUS=$(nproc)
MEM=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))

# munge: a key, and the daemon (as root it needs --force)
mkdir -p /etc/munge /var/lib/munge /var/log/munge /run/munge
[ -s /etc/munge/munge.key ] || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
chmod 400 /etc/munge/munge.key

# a one-node cluster: no cgroups, no accounting, the controller and the node on this host
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=vernacular
SlurmctldHost=${HOST}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=${HOST} CPUs=${CPUS} RealMemory=${MEM} State=UNKNOWN
PartitionName=main Nodes=${HOST} Default=YES MaxTime=INFINITE State=UP
CONF
# the daemons this script starts write pid files; it stops those processes only (by pid), never
# by name, so a Slurm or munge someone else runs on the machine is left alone
PIDS="/run/slurmd.pid /run/slurmctld.pid /run/munge/munged.pid"
for f in $PIDS; do
  if [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then echo "$(basename "$f" .pid) already runs (pid $(cat "$f")); stop it first" >&2; exit 2; fi
done
STARTED=()
stop() {
  local f p
  for f in "${STARTED[@]}"; do
    p=$(cat "$f" 2>/dev/null) || continue
    kill "$p" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$p" 2>/dev/null || true
    rm -f "$f"
  done
}
trap stop EXIT
start() { # start DAEMON PIDFILE ARGS...: run it, wait for its pid file
  local d=$1 f=$2; shift 2
  rm -f "$f"; "$d" "$@"
  for _ in $(seq 1 50); do [ -s "$f" ] && break; sleep 0.2; done
  [ -s "$f" ] || { echo "$d did not start (no $f)" >&2; exit 1; }
  STARTED=("$f" "${STARTED[@]}")
}
start munged /run/munge/munged.pid --force --pid-file=/run/munge/munged.pid
start slurmctld /run/slurmctld.pid
start slurmd /run/slurmd.pid
for i in $(seq 1 30); do sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)' && break; sleep 1; done
sinfo

# the reference: the same stages, locally, in one process
CFG="$ROOT/corpora/sample/vernacular.yaml"
for st in filter segment features shards; do node bin/vernacular.js --quiet run-stage $st -c "$CFG" -o "$WORK/local"; done

# the cluster run
node bin/vernacular.js plan --executor slurm -c "$CFG" -b "$WORK/slurm" --world "$WORLD" --command "node $ROOT/bin/vernacular.js" -o "$WORK/plan"
bash "$WORK/plan/submit.sh"
last=$(cat "$WORK/plan/last-job-id")
for i in $(seq 1 600); do
  state=$(scontrol show job "$last" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1)
  case "$state" in COMPLETED) break ;; FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) echo "slurm job $last: $state"; tail -n 30 "$WORK"/slurm/logs/*.log; exit 1 ;; esac
  # a job that left the queue's memory is done when the manifest is there
  [ -z "$state" ] && [ -f "$WORK/slurm/shards/manifest.json" ] && break
  sleep 1
done
[ -f "$WORK/slurm/shards/manifest.json" ] || { echo "no manifest from the cluster run"; exit 1; }
if diff -r "$WORK/local/shards" "$WORK/slurm/shards" >/dev/null; then
  echo "slurm: shards of the sample built as ${WORLD}-rank array jobs are byte-identical to the local run ($(find "$WORK/slurm/shards" -type f | wc -l) files)"
else
  diff -rq "$WORK/local/shards" "$WORK/slurm/shards" | head
  echo "slurm: output differs from the local run"; exit 1
fi
