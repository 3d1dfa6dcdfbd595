#!/usr/bin/env bash
# Remakes every capture in sample-pcaps/ (root; about 5 minutes).
#
#   make-all.sh [MODE...]     (default: all modes)
#
# Each run's ground truth must show the failure the mode is meant to produce (the table below:
# verdict/outcome=count, from expected.json, i.e. from the client/server/driver truth). Timing
# races (which connection of a burst overflowed) can make a run miss it; such a run is retried.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(dirname "$HERE")

declare -A EXTRA=(
  [ok]=--pcapng-copy
  [ack-ignored]=--client-side
  [overflow-reset]=--any
  [rst-linger0]=--pcapng-live
)
declare -A WANT=(
  [ok]="ok/ok=3"
  [bulk-ok]="ok/ok=1"
  [refused]="refused/failed=3"
  [syn-dropped-accept-queue]="ok/ok=2 syn-dropped/failed=2 syn-dropped/recovered=1"
  [ack-ignored]="ok/ok=5 ack-ignored/recovered=1 ack-ignored/failed=2"
  [overflow-reset]="ok/ok=5 overflow-reset/failed=3"
  [rst-unread-data]="rst-unread-data/failed=2"
  [rst-unread-data-after-fin]="rst-unread-data/failed=2"
  [write-after-close]="rst-unread-data/failed=2"
  [rst-linger0]="rst-linger0/ok=2"
  [client-linger0]="rst-linger0/ok=2"
  [half-open]="half-open-reset/failed=1"
  [synack-unanswered]="synack-unanswered/failed=3 ok/ok=1"
  [syn-flood]="synack-unanswered/failed=5 syn-dropped/recovered=1"
  [syn-flood-cookies]="synack-unanswered/failed=6 ok/ok=1"
  [ipv6]="ok/ok=1 refused/failed=2"
)
ORDER=(ok bulk-ok refused syn-dropped-accept-queue ack-ignored overflow-reset rst-unread-data
       rst-unread-data-after-fin write-after-close rst-linger0 client-linger0 half-open
       synack-unanswered syn-flood syn-flood-cookies ipv6)

got() {  # MODE: the verdict/outcome=count summary of OUT/MODE.expected.json
  python3 - "$OUT/$1.expected.json" <<'EOF'
import collections, json, sys
conns = json.load(open(sys.argv[1]))["connections"]
counts = collections.Counter("%s/%s" % (c["verdict"], c["outcome"]) for c in conns)
print(" ".join("%s=%d" % kv for kv in sorted(counts.items())))
EOF
}
sorted_words() { tr ' ' '\n' <<<"$1" | sort | tr '\n' ' ' | sed 's/ $//'; }

modes=("$@")
[[ ${#modes[@]} -gt 0 ]] || modes=("${ORDER[@]}")
for m in "${modes[@]}"; do
  [[ -n ${WANT[$m]:-} ]] || { echo "make-all: unknown mode $m" >&2; exit 2; }
  for attempt in 1 2 3; do
    # shellcheck disable=SC2086  # EXTRA holds zero or one flag
    "$HERE/lab.sh" "$m" "$OUT" ${EXTRA[$m]:-}
    have=$(got "$m")
    if [[ $(sorted_words "$have") == $(sorted_words "${WANT[$m]}") ]]; then
      echo "make-all: $m: $have"
      continue 2
    fi
    echo "make-all: $m attempt $attempt gave '$have', wanted '${WANT[$m]}'; retrying" >&2
  done
  echo "make-all: $m never gave '${WANT[$m]}'" >&2
  exit 1
done
ls -l "$OUT"/*.pcap "$OUT"/*.pcapng
