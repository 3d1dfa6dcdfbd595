# Sourced by run.sh and live.sh (after option parsing): moves to the repository's root and sets
# where the bench capture of $connections connections, its truth and the logs live.
# shellcheck shell=bash
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out_dir=bench/out
log_dir=$out_dir/logs
mkdir -p "$log_dir"
default_connections=1000000
if ((connections == default_connections)); then
    capture=$out_dir/bench.pcap
else
    capture=$out_dir/bench-$connections.pcap
fi
truth=$capture.truth.json
