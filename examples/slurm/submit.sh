#!/bin/bash
# Submits a cas job to Slurm: a job array of N tasks for the load test (and, with CAS_INPUT, one
# for the batch), then the merge, which runs after every task succeeded (--dependency=afterok).
#
#   examples/slurm/submit.sh 4                       # 4 tasks; results in ./cas-results/merged/
#   CAS_REQUESTS=100000 CAS_RATE=2000 CAS_INPUT=$PWD/requests.jsonl examples/slurm/submit.sh 8
#
# Every task begins its measured phase at CAS_START_AT (default: CAS_START_DELAY seconds,
# 60 by default, after submission), so the shards' timelines line up. Prints the job ids.
set -euo pipefail

TASKS=${1:?usage: submit.sh TASKS}
HERE=$(cd "$(dirname "$0")" && pwd)
export CAS_OUT=${CAS_OUT:-$PWD/cas-results}
export CAS_START_AT=${CAS_START_AT:-$(date -u -d "+${CAS_START_DELAY:-60} seconds" +%Y-%m-%dT%H:%M:%SZ)}
mkdir -p "$CAS_OUT"

arrays=$(sbatch --parsable --array="0-$((TASKS - 1))" "$HERE/load-test.sbatch")
echo "load test: job $arrays ($TASKS tasks, start at $CAS_START_AT)"
if [ -n "${CAS_INPUT:-}" ]; then
  batch=$(sbatch --parsable --array="0-$((TASKS - 1))" "$HERE/batch.sbatch")
  echo "batch: job $batch ($TASKS tasks)"
  arrays="$arrays:$batch"
fi
merge=$(sbatch --parsable --dependency="afterok:$arrays" "$HERE/merge.sbatch")
echo "merge: job $merge (after $arrays)"
