#!/usr/bin/env bash
# Re-records the kafkajs fixtures in src/test/resources/instrumentation/kafkajs-0.32.0/ (see README.md):
# starts tracestitch's embedded broker (test classpath), installs the pinned Node packages, runs record.js
# against the broker, and stops the broker. Needs Node 18+ and npm (registry access for the first install).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
out="$root/src/test/resources/instrumentation/kafkajs-0.32.0"
work="$(mktemp -d)"
trap 'exec 3>&- 2>/dev/null || true; rm -rf "$work"' EXIT

(cd "$root" && mvn -B -q test-compile && mvn -B -q dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/classpath")
(cd "$here" && npm ci --no-audit --no-fund)

# The broker runs until its standard input (fd 3 here) closes.
mkfifo "$work/broker-in"
java -cp "$root/target/test-classes:$root/target/classes:$(cat "$work/classpath")" \
  io.tracestitch.kafka.StandaloneBroker < "$work/broker-in" > "$work/broker.log" 2>&1 &
exec 3>"$work/broker-in"
for _ in $(seq 1 120); do
  bootstrap="$(sed -n 's/^BOOTSTRAP //p' "$work/broker.log")"
  [ -n "$bootstrap" ] && break
  sleep 1
done
[ -n "${bootstrap:-}" ] || { echo "The embedded broker did not start; its log:" >&2; cat "$work/broker.log" >&2; exit 1; }

rm -rf "$out"
node "$here/record.js" "$bootstrap" "$out"
exec 3>&-
wait
echo "Recorded into $out"
