#!/usr/bin/env bash
# Benchmarks `synscope analyze` against tcptrace and tshark on a generated capture of a million
# TCP connections, whole process (JVM start included), and prints wall time, packets/s and peak
# RSS for each. See bench/README.md.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: bench/run.sh [--runs N] [--skip-others] [--connections N]
  --runs N           run synscope N times and keep the fastest (default 1)
  --skip-others      run only synscope, not tcptrace and tshark
  --connections N    connections in the generated capture (default 1000000);
                     other sizes get their own file, bench/out/bench-N.pcap
environment:
  JAVA_OPTS          extra JVM options for synscope (default: none)
  BUILD_DIR          Maven output folder holding synscope.jar (default: target)
EOF
}

die() {
    echo "run.sh: $*" >&2
    exit 2
}

runs=1
skip_others=0
connections=1000000
while (($#)); do
    case "$1" in
        --runs)
            [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || die "--runs needs a positive whole number"
            runs=$2
            shift 2
            ;;
        --connections)
            [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || die "--connections needs a positive whole number"
            connections=$2
            shift 2
            ;;
        --skip-others)
            skip_others=1
            shift
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            usage >&2
            die "unknown argument: $1"
            ;;
    esac
done

# shellcheck source=capture-paths.sh
source "$(dirname "$0")/capture-paths.sh"
build_dir=${BUILD_DIR:-target}
jar=$build_dir/synscope.jar
java_opts=${JAVA_OPTS:-}

# ---------------------------------------------------------------- prerequisites

if [[ ! -x /usr/bin/time ]]; then
    echo "== /usr/bin/time is missing; installing the 'time' package"
    ((EUID == 0)) || die "not root: install it with 'apt-get install -y time' and rerun"
    apt-get install -y -q time >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null; } ||
        die "could not install the 'time' package"
fi
command -v java >/dev/null || die "java is not on PATH"

synscope_ready=1
if [[ ! -f $jar ]]; then
    build_args=(-B -q -Dstyle.color=never -DskipTests package)
    [[ -n ${BUILD_DIR:-} ]] && build_args+=("-DbuildDir=$build_dir")
    echo "== $jar is missing; building it: mvn ${build_args[*]}"
    if ! mvn "${build_args[@]}"; then
        echo "!! synscope: the build failed (see above); carrying on without it"
        synscope_ready=0
    elif [[ ! -f $jar ]]; then
        echo "!! synscope: the build did not produce $jar; carrying on without it"
        synscope_ready=0
    fi
fi

if [[ ! -s $capture || ! -s $truth ]]; then
    echo "== generating $capture ($connections connections)"
    # The truth file is written last, so its absence marks an unfinished capture.
    rm -f "$truth"
    java bench/GenCapture.java "$capture" "$connections"
fi

packets=$(sed -n 's/^  "packets": \([0-9][0-9]*\),$/\1/p' "$truth")
if [[ -z $packets ]]; then
    command -v capinfos >/dev/null || die "cannot count packets: $truth has no count and capinfos is missing"
    packets=$(capinfos -c -M "$capture" | sed -n 's/^Number of packets: *\([0-9][0-9]*\)$/\1/p')
fi
[[ -n $packets ]] || die "could not count the packets in $capture"

# ---------------------------------------------------------------- measuring

# measure NAME COMMAND...: runs COMMAND (stdout discarded, stderr to the log) under /usr/bin/time.
# Sets wall_s, rss_kib, cpu_s (user + system) and status; returns 0 even when COMMAND fails.
measure() {
    local name=$1
    shift
    local time_file=$log_dir/$name.time
    status=0
    /usr/bin/time -f '%e %M %U %S' -o "$time_file" "$@" >/dev/null 2>"$log_dir/$name.stderr" || status=$?
    # With a failing command, time writes "Command exited with non-zero status N" first.
    local user_s sys_s
    read -r wall_s rss_kib user_s sys_s < <(tail -n 1 "$time_file")
    cpu_s=$(awk -v u="$user_s" -v s="$sys_s" 'BEGIN { printf "%.2f", u + s }')
}

fail_tail() {
    echo "   its stderr ($log_dir/$1.stderr) ends with:"
    tail -n 5 "$log_dir/$1.stderr" | sed 's/^/     | /'
}

declare -A wall_of rss_of cpu_of
tools=()

echo "== $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "== capture $capture: $(du -h "$capture" | cut -f1), $packets packets, $connections connections"
echo "== warming the page cache (cat $capture >/dev/null)"
cat "$capture" >/dev/null

if ((synscope_ready)); then
    # The default command (text report) is what the targets are about; the JSON report, which
    # writes every failed connection (~100,000 here), is measured next to it.
    for format in text json; do
        name=synscope
        [[ $format == json ]] && name=synscope-json
        # shellcheck disable=SC2206 # JAVA_OPTS is a list of words on purpose
        java_cmd=(java $java_opts -jar "$jar" analyze "$capture" -o /dev/null)
        [[ $format == json ]] && java_cmd+=(--format json)
        echo "== $name: ${java_cmd[*]}  (best of $runs)"
        for ((run = 1; run <= runs; run++)); do
            measure "$name" "${java_cmd[@]}"
            if ((status != 0)); then
                echo "!! $name: exited with status $status: the jar or its analyze subcommand does not work yet; carrying on"
                fail_tail "$name"
                break
            fi
            echo "   run $run: $wall_s s, $((rss_kib / 1024)) MiB, $cpu_s s CPU"
            if [[ -z ${wall_of[$name]:-} ]] || awk -v a="$wall_s" -v b="${wall_of[$name]}" 'BEGIN { exit !(a < b) }'; then
                wall_of[$name]=$wall_s
                cpu_of[$name]=$cpu_s
            fi
            # RSS: the largest over the runs, since the target is a ceiling.
            if ((rss_kib > ${rss_of[$name]:-0})); then
                rss_of[$name]=$rss_kib
            fi
        done
        [[ -n ${wall_of[$name]:-} ]] && tools+=("$name")
    done
fi

if ((!skip_others)); then
    for tool in tcptrace tshark; do
        if ! command -v "$tool" >/dev/null; then
            echo "!! $tool: not installed (apt-get install -y $tool); skipped"
            continue
        fi
        case $tool in
            tcptrace) cmd=(tcptrace -n "$capture") ;;
            tshark) cmd=(tshark -q -z conv,tcp -r "$capture") ;;
        esac
        echo "== $tool: ${cmd[*]}"
        measure "$tool" "${cmd[@]}"
        if ((status != 0)); then
            echo "!! $tool: exited with status $status; skipped"
            fail_tail "$tool"
            continue
        fi
        echo "   $wall_s s, $((rss_kib / 1024)) MiB, $cpu_s s CPU"
        wall_of[$tool]=$wall_s
        rss_of[$tool]=$rss_kib
        cpu_of[$tool]=$cpu_s
        tools+=("$tool")
    done
fi

# ---------------------------------------------------------------- report

((${#tools[@]})) || die "no tool ran successfully; nothing to report"

for tool in "${tools[@]}"; do
    echo "$tool ${wall_of[$tool]} ${rss_of[$tool]} ${cpu_of[$tool]}"
done | awk -v packets="$packets" -v connections="$connections" -v default_connections="$default_connections" '
    function grouped(n,    s, out) {
        s = sprintf("%.0f", n)
        out = ""
        while (length(s) > 3) {
            out = "," substr(s, length(s) - 2) out
            s = substr(s, 1, length(s) - 3)
        }
        return s out
    }
    {
        tool[NR] = $1; wall[$1] = $2; rss_mib[$1] = $3 / 1024; cpu[$1] = $4
        # /usr/bin/time reports 0.00 s for anything under 5 ms; avoid dividing by it.
        rate[$1] = $2 > 0 ? packets / $2 : 0
    }
    END {
        printf "\n%-10s %10s %14s %14s %10s\n", "tool", "wall s", "packets/s", "peak RSS MiB", "CPU s"
        for (i = 1; i <= NR; i++) {
            t = tool[i]
            printf "%-13s %10.2f %14s %14.1f %10.2f\n", t, wall[t], grouped(rate[t]), rss_mib[t], cpu[t]
        }
        print "(CPU s: user + system; far above wall s means several threads, far below means waiting or a busy machine)"
        if ("synscope" in wall) {
            separator = "\n"
            for (i = 1; i <= NR; i++) {
                t = tool[i]
                if (t ~ /^synscope/ || wall["synscope"] <= 0) continue
                printf "%ssynscope vs %-9s %7.2fx the speed, %6.2fx the peak RSS\n", separator, t, wall[t] / wall["synscope"], rss_mib["synscope"] / rss_mib[t]
                separator = ""
            }
            scope = connections == default_connections ? "" : " (targets are set for 1,000,000 connections)"
            printf "\ntargets%s:\n", scope
            printf "  >= 5,000,000 packets/s whole process: %s (%s)\n", (rate["synscope"] >= 5000000 ? "MET" : "NOT MET"), grouped(rate["synscope"])
            printf "  <= 512 MiB peak RSS:                  %s (%.1f MiB)\n", (rss_mib["synscope"] <= 512 ? "MET" : "NOT MET"), rss_mib["synscope"]
            if ("synscope-json" in wall) {
                printf "  the same with --format json:          %s packets/s, %.1f MiB\n", grouped(rate["synscope-json"]), rss_mib["synscope-json"]
            }
        }
    }'
