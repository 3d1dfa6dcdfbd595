#!/usr/bin/env bash
# Benchmarks `synscope live` against tcpdump: replays the bench capture with tcpreplay onto a
# veth pair between two network namespaces of its own, as fast as this machine sends it, once
# into each capture tool, and prints packets captured, kernel drops, CPU seconds and peak RSS of
# each. Target: synscope captures at least 99 % of what tcpdump captures on the same replay.
# Needs root (network namespaces, packet capture). See bench/README.md, "Live capture".
set -euo pipefail

usage() {
    cat <<'EOF'
usage: bench/live.sh [--runs N] [--connections N] [--packets N] [--pps N] [--buffer KIB]
                     [--snaplen N] [--promiscuous] [--no-preload] [--immediate-control]
                     [--skip-tcpdump]
  --runs N             replay N times into each tool (default 3); the order alternates
  --connections N      connections in the generated capture (default 1000000);
                       other sizes get their own file, bench/out/bench-N.pcap
  --packets N          replay only the first N packets (tcpreplay --limit)
  --pps N              replay at N packets/s instead of top speed (tcpreplay --pps)
  --buffer KIB         kernel capture buffer of both tools, as -B (default 65536:
                       synscope's default; tcpdump's own is 2048)
  --snaplen N          snap length of both tools (default 128: synscope's default)
  --promiscuous        both tools promiscuous (default: neither; tcpdump -p)
  --no-preload         let tcpreplay read the file as it sends (default: -K, preloaded)
  --immediate-control  also run tcpdump --immediate-mode (TPACKET_V2, a wake-up for nearly
                       every packet: how synscope live opens its capture)
  --skip-tcpdump       run only synscope (no ratio then)
environment:
  JAVA_OPTS            extra JVM options for synscope (default: none; the launcher gets them
                       as SYNSCOPE_JAVA_OPTS, after its own)
  BUILD_DIR            Maven output folder holding synscope.jar (default: target)
  SYNSCOPE_ARGS        extra options for synscope live, e.g. '--metrics :0' to measure what
                       serving Prometheus metrics costs (default: none)
  LAUNCHER             the installed launcher to run too (default: BUILD_DIR/synscope/bin/
                       synscope, if it exists; LAUNCHER=none leaves it out)
EOF
}

die() {
    echo "live.sh: $*" >&2
    exit 2
}

runs=3
connections=1000000
limit=
pps=
buffer_kib=65536
snaplen=128
promiscuous=0
preload=1
immediate_control=0
skip_tcpdump=0
number() {
    [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive whole number"
}
while (($#)); do
    case "$1" in
        --runs) number "$@"; runs=$2; shift 2 ;;
        --connections) number "$@"; connections=$2; shift 2 ;;
        --packets) number "$@"; limit=$2; shift 2 ;;
        --pps) number "$@"; pps=$2; shift 2 ;;
        --buffer) number "$@"; buffer_kib=$2; shift 2 ;;
        --snaplen) number "$@"; snaplen=$2; shift 2 ;;
        --promiscuous) promiscuous=1; shift ;;
        --no-preload) preload=0; shift ;;
        --immediate-control) immediate_control=1; shift ;;
        --skip-tcpdump) skip_tcpdump=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

# shellcheck source=capture-paths.sh
source "$(dirname "$0")/capture-paths.sh"
# The bench capture keeps 96 bytes of each frame. Replayed as it is, a data segment would go out
# as a 96-byte frame whose IPv4 total length says 1,500: synscope (rightly) skips such frames as
# malformed, which would make it do less work than on a real link. So the frames are replayed
# padded with zeros to their IPv4 total length (tcprewrite --fixlen=pad), as long as on a wire.
wire=${capture%.pcap}.wire.pcap
build_dir=${BUILD_DIR:-target}
jar=$build_dir/synscope.jar
launcher=${LAUNCHER:-$build_dir/synscope/bin/synscope}
[[ $launcher == none ]] && launcher=
java_opts=${JAVA_OPTS:-}

# ---------------------------------------------------------------- prerequisites

((EUID == 0)) || die "needs root (network namespaces and packet capture): sudo bench/live.sh"

# install PACKAGE: apt-get install, with an update if the lists are missing or stale.
install() {
    echo "== installing the Debian package '$1'"
    apt-get install -y -q "$1" >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null && apt-get install -y -q "$1" >/dev/null; } ||
        die "could not install the '$1' package"
}
[[ -x /usr/bin/time ]] || install time
if ! command -v tcpreplay >/dev/null || ! command -v tcprewrite >/dev/null; then install tcpreplay; fi
command -v tcpdump >/dev/null || install tcpdump
command -v ip >/dev/null || install iproute2
command -v ethtool >/dev/null || install ethtool
command -v java >/dev/null || die "java is not on PATH"

if [[ ! -f $jar ]]; then
    build_args=(-B -q -Dstyle.color=never -DskipTests package)
    [[ -n ${BUILD_DIR:-} ]] && build_args+=("-DbuildDir=$build_dir")
    echo "== $jar is missing; building it: mvn ${build_args[*]}"
    mvn "${build_args[@]}" || die "the build failed (see above)"
    [[ -f $jar ]] || die "the build did not produce $jar"
fi
if [[ -n $launcher && ! -x $launcher ]]; then
    [[ -n ${LAUNCHER:-} ]] && die "LAUNCHER=$launcher is not an executable file"
    echo "== no launcher at $launcher: synscope runs as java -jar only"
    launcher=
fi

if [[ ! -s $capture || ! -s $truth ]]; then
    echo "== generating $capture ($connections connections)"
    # The truth file is written last, so its absence marks an unfinished capture.
    rm -f "$truth"
    java bench/GenCapture.java "$capture" "$connections"
fi
if [[ ! -s $wire || $wire -ot $capture ]]; then
    echo "== padding the frames to their length on the wire: $wire"
    tcprewrite --fixlen=pad -i "$capture" -o "$wire.tmp" 2> >(grep -v -e 'snaplen of' -e '^Warning' >&2)
    mv "$wire.tmp" "$wire"
fi

packets=$(sed -n 's/^  "packets": \([0-9][0-9]*\),$/\1/p' "$truth")
[[ -n $packets ]] || die "could not read the packet count from $truth"
if [[ -n $limit ]] && ((limit < packets)); then
    packets=$limit
fi

# ---------------------------------------------------------------- the namespaces

# Two namespaces of this script's own, a veth pair between them: tcpreplay sends on one end,
# the captures listen on the other. Nothing is routed: the replayed frames carry MAC addresses
# that are not the receiving veth's (PACKET_OTHERHOST), so its stack drops each after the
# capture taps saw it, and no frame leaves the two namespaces.
tag=$$
ns_tx=synscope-live-tx-$tag
ns_rx=synscope-live-rx-$tag
if_tx=slbtx$tag
if_rx=slbrx$tag
running=()   # PIDs this script started and has not reaped yet

cleanup() {
    local pid
    for pid in "${running[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${running[@]}"; do
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.3
        done
        kill -KILL "$pid" 2>/dev/null || true
    done
    running=()
    ip netns del "$ns_tx" 2>/dev/null || true
    ip netns del "$ns_rx" 2>/dev/null || true
}
trap cleanup EXIT
trap 'echo; echo "live.sh: interrupted; deleting the namespaces" >&2; exit 130' INT TERM

ip netns add "$ns_tx"
ip netns add "$ns_rx"
for ns in "$ns_tx" "$ns_rx"; do
    # No IPv6 (router solicitations, MLD reports): the captures see the replay and nothing else.
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$ns_tx" link add "$if_tx" type veth peer name "$if_rx" netns "$ns_rx"
# Checksum offload should play no part for frames a packet socket sends (they carry their own
# checksums); it is turned off all the same, as for any test network of replayed frames.
ip netns exec "$ns_tx" ethtool -K "$if_tx" tx off >/dev/null 2>&1 || true
ip netns exec "$ns_rx" ethtool -K "$if_rx" tx off >/dev/null 2>&1 || true
ip -n "$ns_tx" link set "$if_tx" up
ip -n "$ns_rx" link set "$if_rx" up

# ---------------------------------------------------------------- measuring

# cpu_ticks PID: user + system clock ticks of a process (or a thread: /proc/PID/task/TID).
cpu_ticks() {
    local stat
    stat=$(cat "$1/stat" 2>/dev/null) || { echo 0; return; }
    stat=${stat##*) }   # after the command name, which may hold spaces
    # shellcheck disable=SC2086
    set -- $stat
    echo $((${12} + ${13}))
}

# thread_times PID: "TID NAME RUN_NS WAIT_NS" per thread of PID: nanoseconds on a CPU and
# waiting for one while runnable (/proc/.../schedstat; 0 0 where the kernel keeps no schedstat).
thread_times() {
    local task name sched
    for task in /proc/"$1"/task/*; do
        name=$(tr ' ' '_' <"$task/comm" 2>/dev/null) || continue
        sched=$(cut -d' ' -f1,2 "$task/schedstat" 2>/dev/null) || sched="0 0"
        echo "${task##*/} $name $sched"
    done
}

# run_once TOOL RUN: one replay into TOOL. Sets captured, drops, cpu_s, rss_kib, csw, sent,
# rate_pps, rate_mbps, early (kernel drops in the first two seconds of traffic) and busiest (the
# busiest thread's share of the replay on a CPU, and waiting for one; synscope only).
run_once() {
    local tool=$1 run=$2
    local base=$log_dir/live-$tool-$run
    local cmd
    case $tool in
        tcpdump | tcpdump-immediate)
            cmd=(tcpdump -i "$if_rx" -s "$snaplen" -B "$buffer_kib" -w /dev/null)
            ((promiscuous)) || cmd+=(-p)
            [[ $tool == tcpdump-immediate ]] && cmd+=(--immediate-mode)
            ;;
        synscope | synscope-launcher)
            local live_args=(live -i "$if_rx" -s "$snaplen" -B "$buffer_kib" --format ndjson --interval 1 -o "$base.ndjson")
            ((promiscuous)) && live_args+=(--promiscuous)
            # shellcheck disable=SC2206 # SYNSCOPE_ARGS is a list of words on purpose
            live_args+=(${SYNSCOPE_ARGS:-})
            if [[ $tool == synscope ]]; then
                # shellcheck disable=SC2206 # JAVA_OPTS is a list of words on purpose
                cmd=(java $java_opts -jar "$jar" "${live_args[@]}")
            else
                cmd=(env "SYNSCOPE_JAVA_OPTS=$java_opts" "$launcher" "${live_args[@]}")
            fi
            ;;
    esac
    rm -f "$base.ndjson" "$base.time"
    # ip netns exec, env, the launcher and time's child all exec: the PID under time is the
    # capture tool's own. It is sent SIGTERM at the end: a background job of a script starts
    # with SIGINT ignored (and the JVM then leaves it ignored), SIGTERM is not; tcpdump and
    # synscope both stop on it as on Ctrl-C, with their counts.
    /usr/bin/time -f '%e %M %U %S %w %c' -o "$base.time" \
        ip netns exec "$ns_rx" "${cmd[@]}" >/dev/null 2>"$base.stderr" &
    local time_pid=$!
    running+=("$time_pid")
    local pid=
    for _ in $(seq 1 300); do
        if [[ -z $pid ]]; then
            pid=$(pgrep -P "$time_pid" || true)
            # time itself dies of SIGTERM without passing it on: the cleanup stops both.
            [[ -n $pid ]] && running=("$pid" "${running[@]}")
        fi
        grep -q 'listening on' "$base.stderr" 2>/dev/null && break
        kill -0 "$time_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z $pid ]] || ! grep -q 'listening on' "$base.stderr"; then
        echo "!! $tool did not start listening; its stderr ($base.stderr):"
        tail -n 5 "$base.stderr" | sed 's/^/     | /'
        return 1
    fi
    echo "${cmd[*]}" >"$base.cmd"

    local replay=(tcpreplay -i "$if_tx")
    if [[ -n $pps ]]; then replay+=("--pps=$pps"); else replay+=(--topspeed); fi
    ((preload)) && replay+=(-K)
    [[ -n $limit ]] && replay+=("--limit=$limit")
    replay+=("$wire")
    thread_times "$pid" >"$base.threads0"
    ip netns exec "$ns_tx" "${replay[@]}" >"$base.replay" 2>&1 || {
        echo "!! tcpreplay failed: $(tail -n 3 "$base.replay")"
        return 1
    }
    thread_times "$pid" >"$base.threads1"

    # Drained: the capture's CPU time stops moving (at most one tick in two 0.25 s looks), or
    # 30 s at most.
    local last now still=0
    last=$(cpu_ticks /proc/"$pid")
    for _ in $(seq 1 120); do
        sleep 0.25
        now=$(cpu_ticks /proc/"$pid")
        if ((now - last <= 1)); then
            still=$((still + 1))
            ((still >= 2)) && break
        else
            still=0
        fi
        last=$now
    done
    thread_times "$pid" >"$base.threads2"
    kill -TERM "$pid" 2>/dev/null || true
    wait "$time_pid" || true
    running=()

    local user_s sys_s
    read -r _ rss_kib user_s sys_s csw _ < <(tail -n 1 "$base.time")
    cpu_s=$(awk -v u="$user_s" -v s="$sys_s" 'BEGIN { printf "%.2f", u + s }')
    sent=$(sed -n 's/^Actual: \([0-9]*\) packets.*/\1/p' "$base.replay")
    rate_pps=$(sed -n 's/^Rated: .* \([0-9.]*\) pps.*/\1/p' "$base.replay")
    rate_mbps=$(sed -n 's/^Rated: .*, \([0-9.]*\) Mbps.*/\1/p' "$base.replay")
    busiest=
    early=
    case $tool in
        tcpdump*)
            captured=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$base.stderr")
            drops=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$base.stderr")
            ;;
        synscope*)
            local end
            end=$(grep '^{"type":"end"' "$base.ndjson" || true)
            captured=$(grep -o '"packets":[0-9]*' <<<"$end" | head -n 1 | cut -d: -f2)
            drops=$(grep -o '"kernel_drops":[0-9]*' <<<"$end" | head -n 1 | cut -d: -f2)
            local ifdrops open
            ifdrops=$(grep -o '"interface_drops":[0-9]*' <<<"$end" | head -n 1 | cut -d: -f2)
            open=$(grep -o '"peak_open_connections":[0-9]*' <<<"$end" | head -n 1 | cut -d: -f2)
            peak_open=${open:-?}
            ((${ifdrops:-0} == 0)) || drops="$drops+${ifdrops}if"
            # Kernel drops by the second status record with traffic (--interval 1): those of
            # the first one to two seconds, while the JVM compiles the read loop.
            early=$(grep '^{"type":"status"' "$base.ndjson" | grep -v '"packets":0,' | sed -n 2p |
                grep -o '"kernel_drops":[0-9]*' | cut -d: -f2)
            # Per thread, during the replay: seconds on a CPU and waiting for one, as a share of
            # the time tcpreplay took to send (with -K, loading the file comes first, which no
            # thread here waits on).
            local send_s
            send_s=$(sed -n 's/^Actual: .* sent in \([0-9.]*\) seconds.*/\1/p' "$base.replay")
            join <(sort "$base.threads0") <(sort "$base.threads1") |
                awk -v wall="$send_s" '
                    # join: TID NAME RUN0 WAIT0 NAME RUN1 WAIT1
                    { run = ($6 - $3) / 1e9; wait = ($7 - $4) / 1e9
                      if (run > 0.005) printf "%-16s %7.2f %5.1f %7.2f %5.1f\n", $2, run, 100 * run / wall, wait, 100 * wait / wall }' |
                sort -k2 -n -r >"$base.busy"
            sed -i "1i # during the replay ($send_s s): thread, s on a CPU, % of the replay, s waiting for a CPU, %" "$base.busy"
            busiest=$(sed -n 2p "$base.busy" | awk '{ printf "%s %s%% on a CPU, %s%% waiting for one", $1, $3, $5 }')
            ;;
    esac
    [[ -n $captured ]] || { echo "!! $tool: no packet count (see $base.*)"; return 1; }
    drops=${drops:-0}
    return 0
}

tools=()
((skip_tcpdump)) || tools+=(tcpdump)
((immediate_control)) && tools+=(tcpdump-immediate)
tools+=(synscope)
[[ -n $launcher ]] && tools+=(synscope-launcher)

echo "== $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "== replaying $wire ($packets packets) on $if_tx ($ns_tx) -> $if_rx ($ns_rx),"
echo "   $( [[ -n $pps ]] && echo "at $pps packets/s" || echo "top speed")$( ((preload)) && echo ", preloaded (-K)"), snaplen $snaplen, buffer $buffer_kib KiB, $( ((promiscuous)) && echo promiscuous || echo "not promiscuous"); $runs run(s) each"
echo "== synscope: java ${java_opts:+$java_opts }-jar $jar${launcher:+; and $launcher}"
cat "$wire" >/dev/null

results=$log_dir/live-results.txt
: >"$results"
for ((run = 1; run <= runs; run++)); do
    order=("${tools[@]}")
    if ((run % 2 == 0)); then
        # Every other run backwards, so that neither tool always goes first.
        order=()
        for ((i = ${#tools[@]} - 1; i >= 0; i--)); do order+=("${tools[i]}"); done
    fi
    for tool in "${order[@]}"; do
        peak_open=
        if ! run_once "$tool" "$run"; then
            echo "!! $tool, run $run: left out"
            continue
        fi
        printf '   run %d %-18s sent %9s at %7.0f pps; captured %9s, kernel drops %7s%s; CPU %6.2f s, RSS %4d MiB, %7s wake-ups%s\n' \
            "$run" "$tool" "$sent" "$rate_pps" "$captured" "$drops" "${early:+ ($early in the first 2 s)}" "$cpu_s" \
            $((rss_kib / 1024)) "$csw" "${busiest:+; busiest thread: $busiest}"
        echo "$run $tool $sent $rate_pps $rate_mbps $captured ${drops%%+*} $cpu_s $rss_kib $csw ${peak_open:--}" >>"$results"
    done
done

# ---------------------------------------------------------------- report

[[ -s $results ]] || die "no run succeeded; nothing to report"
awk -v packets="$packets" '
    function grouped(n,    s, out) {
        s = sprintf("%.0f", n); out = ""
        while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
        return s out
    }
    # median of the n values in a[1..n]
    function median(a, n,    i, j, t) {
        for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    {
        t = $2
        if (!(t in n)) { order[++tools] = t }
        k = ++n[t]
        sent[t] += $3; captured[t] += $6; drops[t] += $7
        pps[t, k] = $4; cpu[t, k] = $8; csw[t, k] = $10
        minpct = 100 * $6 / $3
        if (!((t, "min") in pct) || minpct < pct[t, "min"]) pct[t, "min"] = minpct
        if ($9 > rss[t]) rss[t] = $9
        if ($11 != "-" && $11 > open[t]) open[t] = $11
        bycap[t, $1] = $6
    }
    END {
        printf "\n%-18s %5s %14s %9s %14s %12s %8s %9s %8s %10s\n", "tool", "runs", "sent", "replay", "captured", "kernel", "of sent", "CPU s", "peak RSS", "wake-ups"
        printf "%-18s %5s %14s %9s %14s %12s %8s %9s %8s %10s\n", "", "", "(all runs)", "k pps", "(all runs)", "drops", "(worst)", "(median)", "MiB", "(median)"
        for (i = 1; i <= tools; i++) {
            t = order[i]
            for (k = 1; k <= n[t]; k++) { a[k] = pps[t, k] }; mp = median(a, n[t])
            for (k = 1; k <= n[t]; k++) { a[k] = cpu[t, k] }; mc = median(a, n[t])
            for (k = 1; k <= n[t]; k++) { a[k] = csw[t, k] }; ms = median(a, n[t])
            printf "%-18s %5d %14s %9.0f %14s %12s %7.2f%% %9.2f %8.0f %10s\n", t, n[t], grouped(sent[t]), mp / 1000, grouped(captured[t]), grouped(drops[t]), pct[t, "min"], mc, rss[t] / 1024, grouped(ms)
        }
        print "(replay k pps and CPU s: medians over the runs; wake-ups: voluntary context switches; the replay rate is"
        print " what tcpreplay reached with that tool listening: both share the two cores)"
        if (!("tcpdump" in n)) { print "\nno tcpdump runs: no ratio"; exit }
        for (i = 1; i <= tools; i++) {
            t = order[i]
            if (t !~ /^synscope/) continue
            # Share of the packets sent that each captured, over all its runs (the same replay each
            # time, so this is captured against captured when both have as many runs).
            ratio = (captured[t] / sent[t]) / (captured["tcpdump"] / sent["tcpdump"])
            worst = ""
            for (r = 1; r <= 1000; r++) {
                if (!((t, r) in bycap) || !(("tcpdump", r) in bycap)) continue
                x = bycap[t, r] / bycap["tcpdump", r]
                if (worst == "" || x < worst) { worst = x; worst_run = r }
            }
            printf "\n%s captured %.3f%% of what tcpdump captured (%s of %s sent, against %s of %s; %d and %d runs)", t, 100 * ratio, grouped(captured[t]), grouped(sent[t]), grouped(captured["tcpdump"]), grouped(sent["tcpdump"]), n[t], n["tcpdump"]
            if (worst != "") printf "; worst run %d: %.3f%%", worst_run, 100 * worst
            printf "\ntarget: %s captures >= 99%% of what tcpdump captures on the same replay: %s\n", t, (ratio >= 0.99 ? "MET" : "NOT MET")
            printf "memory: peak RSS %.0f MiB, at most %s connections open at once (it should follow open connections, not the %s packets: compare --connections 100000)\n", rss[t] / 1024, open[t] ? grouped(open[t]) : "?", grouped(packets)
        }
    }' "$results"
echo
echo "logs: $log_dir/live-TOOL-RUN.* (stderr, replay, time, ndjson; per thread, on a CPU and waiting, in .busy)"
