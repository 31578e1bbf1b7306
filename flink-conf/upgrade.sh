#!/usr/bin/env bash
# Upgrades a running shelfstream job on a session cluster without losing or repeating work:
# stops it with a savepoint (sources stop at a consistent point, sinks commit), then starts the
# new jar from that savepoint. Kafka offsets, embedding hashes and sink state carry over.
#
#   flink-conf/upgrade.sh JOB_ID NEW_JAR [job options...]
#
# Environment:
#   FLINK           the flink CLI to use (default: flink on PATH)
#   SAVEPOINT_DIR   where to write the savepoint (default: execution.checkpointing.savepoint-dir)
#   ALLOW_NON_RESTORED_STATE=true
#                   pass --allow-non-restored-state: only when the new job deliberately drops an
#                   operator (see README, "Upgrading"); never to silence an unexpected mismatch.
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,14p' "$0" >&2
  exit 2
fi
job="$1"; jar="$2"; shift 2
flink="${FLINK:-flink}"
[ -f "$jar" ] || { echo "upgrade: $jar does not exist" >&2; exit 2; }

stop_args=(stop)
[ -n "${SAVEPOINT_DIR:-}" ] && stop_args+=(--savepointPath "$SAVEPOINT_DIR")
echo "upgrade: stopping $job with a savepoint ..." >&2
out="$("$flink" "${stop_args[@]}" "$job")"
echo "$out" >&2
savepoint="$(printf '%s\n' "$out" | sed -n 's/.*Savepoint completed\. Path: \([^ ]*\).*/\1/p' | head -1)"
if [ -z "$savepoint" ]; then
  echo "upgrade: no savepoint path in the output of 'flink stop'; the old job may still be running" >&2
  exit 1
fi

run_args=(run -d -s "$savepoint")
[ "${ALLOW_NON_RESTORED_STATE:-false}" = "true" ] && run_args+=(--allowNonRestoredState)
echo "upgrade: starting $jar from $savepoint ..." >&2
"$flink" "${run_args[@]}" "$jar" "$@"
echo "upgrade: done. If the new job fails to restore, the old jar restarts from the same savepoint:" >&2
echo "  $flink run -d -s $savepoint OLD_JAR [job options...]" >&2
