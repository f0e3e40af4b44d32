#!/bin/bash
# Submits a cas job to Slurm: a job array of N tasks for the load test (and, with CAS_INPUT, one
# for the batch; with CAS_MINE_HOMES, one for a mine), then the merge, which runs after every
# task succeeded (--dependency=afterok).
#
#   examples/slurm/submit.sh 4                       # 4 tasks; results in ./cas-results/merged/
#   CAS_REQUESTS=100000 CAS_RATE=2000 CAS_INPUT=$PWD/requests.jsonl examples/slurm/submit.sh 8
#   CAS_REQUESTS=0 CAS_MINE_HOMES='/shared/homes/{i}' CAS_MINE_HOME_COUNT=40 examples/slurm/submit.sh 8
#
# CAS_REQUESTS=0 submits no load test. Every load-test task begins its measured phase at
# CAS_START_AT (default: CAS_START_DELAY seconds, 60 by default, after submission), so the
# shards' timelines line up. Prints the job ids.
set -euo pipefail

TASKS=${1:?usage: submit.sh TASKS}
HERE=$(cd "$(dirname "$0")" && pwd)
export CAS_OUT=${CAS_OUT:-$PWD/cas-results}
export CAS_START_AT=${CAS_START_AT:-$(date -u -d "+${CAS_START_DELAY:-60} seconds" +%Y-%m-%dT%H:%M:%SZ)}
mkdir -p "$CAS_OUT"

arrays=()
if [ "${CAS_REQUESTS:-}" != 0 ]; then
  load=$(sbatch --parsable --array="0-$((TASKS - 1))" "$HERE/load-test.sbatch")
  echo "load test: job $load ($TASKS tasks, start at $CAS_START_AT)"
  arrays+=("$load")
fi
if [ -n "${CAS_INPUT:-}" ]; then
  batch=$(sbatch --parsable --array="0-$((TASKS - 1))" "$HERE/batch.sbatch")
  echo "batch: job $batch ($TASKS tasks)"
  arrays+=("$batch")
fi
if [ -n "${CAS_MINE_HOMES:-}" ]; then
  mine=$(sbatch --parsable --array="0-$((TASKS - 1))" "$HERE/mine.sbatch")
  echo "mine: job $mine ($TASKS tasks)"
  arrays+=("$mine")
fi
[ ${#arrays[@]} -gt 0 ] || { echo "submit.sh: nothing to submit (CAS_REQUESTS=0, and no CAS_INPUT or CAS_MINE_HOMES)" >&2; exit 2; }
after=$(IFS=:; echo "${arrays[*]}")
merge=$(sbatch --parsable --dependency="afterok:$after" "$HERE/merge.sbatch")
echo "merge: job $merge (after $after)"
