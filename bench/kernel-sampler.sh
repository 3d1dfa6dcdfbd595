#!/usr/bin/env bash
# The kernel sampler's cost (NETLINK_SOCK_DIAG dumps of listeners and request sockets, and
# /proc/net/{netstat,snmp}), whole process: the same JVM with the sampler on and off, under
# /usr/bin/time, in a network namespace of its own with LISTENERS listening sockets and HALF_OPEN
# request sockets. Settings by environment: SECONDS_RUN INTERVAL SYN_INTERVAL LISTENERS HALF_OPEN
# RUNS BUILD_DIR (defaults below). Needs root. See bench/README.md, "Kernel sampler".
set -euo pipefail
SECONDS_RUN=${SECONDS_RUN:-30}
INTERVAL=${INTERVAL:-100}
SYN_INTERVAL=${SYN_INTERVAL:-1000}
LISTENERS=${LISTENERS:-20}
HALF_OPEN=${HALF_OPEN:-0}
RUNS=${RUNS:-3}
BUILD_DIR=${BUILD_DIR:-target}
JAR=$BUILD_DIR/synscope.jar
cd "$(dirname "$0")/.."
[ -f "$JAR" ] || { echo "no $JAR: build it with mvn -DskipTests package" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null
NS=kdiag-bench-$$
ip netns add $NS
trap 'ip netns del $NS' EXIT
ip -n $NS link set lo up
ip -n $NS link add v0 type veth peer name v1
ip -n $NS addr add 10.98.0.2/16 dev v0
ip -n $NS link set v0 up
ip -n $NS link set v1 up
# The spoofed sources' SYN-ACKs go to a MAC nobody has: the requests stay half-open.
for ((n = 0; n < HALF_OPEN; n++)); do
    echo "neigh replace 10.98.$((1 + n / 250)).$((n % 250 + 1)) lladdr 02:00:00:00:00:01 dev v0 nud permanent"
done | ip -n $NS -batch -
echo "sampler every $INTERVAL ms (SYN_RECV every $SYN_INTERVAL ms) for $SECONDS_RUN s; $LISTENERS listeners, $HALF_OPEN half-open; $RUNS runs each"
for ((run = 1; run <= RUNS; run++)); do
    for mode in off on; do
        out=$( { /usr/bin/time -f '%U %S' java -cp "$JAR" bench/KernelSamplerBench.java \
            $NS "$SECONDS_RUN" "$INTERVAL" "$SYN_INTERVAL" "$LISTENERS" "$HALF_OPEN" $mode; } 2>&1 )
        cpu=$(echo "$out" | tail -1 | awk '{printf "%.2f", $1 + $2}')
        echo "run $run $mode: process cpu ${cpu} s; $(echo "$out" | head -1)"
    done
done
