#!/bin/bash
# Runs a cas job on Kubernetes: the shared volume, the Indexed Job of shards, and (once every
# index has completed) the merge, whose log and exit code are the job's. Optional: copy a batch
# input to the volume first as requests.jsonl, e.g. with a helper pod.
#   examples/kubernetes/run.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

kubectl apply -f "$HERE/results-pvc.yaml"
kubectl apply -f "$HERE/shards-job.yaml"
# Complete = every index succeeded; with backoffLimitPerIndex a shard that ran out of retries fails the job.
if ! kubectl wait --for=condition=complete job/cas-shards --timeout=2h; then
  echo "cas-shards did not complete; failed indexes: $(kubectl get job cas-shards -o jsonpath='{.status.failedIndexes}')" >&2
  echo "rerun each with rerun-shard.yaml (CAS_SHARD=I/4), then apply merge-job.yaml" >&2
  exit 1
fi
kubectl apply -f "$HERE/merge-job.yaml"
kubectl wait --for=condition=complete job/cas-merge --timeout=30m || true
kubectl logs job/cas-merge
[ "$(kubectl get job cas-merge -o jsonpath='{.status.succeeded}')" = 1 ]
