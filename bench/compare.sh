#!/usr/bin/env bash
# Runs installed synscope launchers (bin/synscope of a package build) on captures, as a user
# runs them (no flags but the format), alternating the builds run by run so that a noisy host
# slows each alike; prints wall s, CPU s (user + system), peak RSS and packets/s per run and the
# median per build, capture and format. See bench/README.md, "State-heavy and flood shapes".
#
#   bench/compare.sh [--runs N] [--formats "text json"] LAUNCHER... -- CAPTURE...
#
# A capture's packet count comes from its .truth.json (GenCapture, GenStateHeavy).
set -euo pipefail

runs=3
formats="text json"
while [[ $# -gt 0 && $1 == --* && $1 != -- ]]; do
    case $1 in
        --runs) runs=$2; shift 2 ;;
        --formats) formats=$2; shift 2 ;;
        *) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
launchers=()
while [[ $# -gt 0 && $1 != -- ]]; do launchers+=("$1"); shift; done
[[ $# -gt 0 ]] && shift
captures=("$@")
((${#launchers[@]} && ${#captures[@]})) || { echo "usage: compare.sh [--runs N] [--formats \"text json\"] LAUNCHER... -- CAPTURE..." >&2; exit 2; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for capture in "${captures[@]}"; do
    packets=$(sed -n 's/^  "packets": \([0-9][0-9]*\),$/\1/p' "$capture.truth.json")
    cat "$capture" >/dev/null
    for ((run = 1; run <= runs; run++)); do
        for launcher in "${launchers[@]}"; do
            # shellcheck disable=SC2086 # a list of words on purpose
            for format in $formats; do
                /usr/bin/time -f '%e %M %U %S' -o "$log" "$launcher" analyze "$capture" \
                    --format "$format" -o /dev/null 2>/dev/null || { echo "!! $launcher failed on $capture ($format)"; continue; }
                read -r wall rss user sys < <(tail -n 1 "$log")
                awk -v l="$launcher" -v c="$(basename "$capture")" -v f="$format" -v r="$run" \
                    -v w="$wall" -v m="$rss" -v u="$user" -v s="$sys" -v p="$packets" \
                    'BEGIN { printf "%s %s %s run %d: %.2f s wall, %.2f s CPU, %d MiB, %.2f M packets/s\n", l, c, f, r, w, u + s, m / 1024, p / w / 1e6 }'
            done
        done
    done
# Each run's line to stderr through the inherited descriptor: tee /dev/stderr would open the
# file anew when stdout and stderr are one file (compare.sh ... >log 2>&1) and write over it.
done | tee >(cat >&2) | awk '
    { key = $1 " " $2 " " $3; wall[key] = wall[key] " " $6; cpu[key] = cpu[key] " " $9; rss[key] = rss[key] " " $12; pps[key] = pps[key] " " $14; keys[key] = 1 }
    function median(list,    n, a, i, j, t) {
        n = split(list, a, " ")
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END {
        print "\nmedians: wall s, CPU s, peak RSS MiB, M packets/s"
        for (k in keys) printf "%s  %.2f  %.2f  %d  %.2f\n", k, median(wall[k]), median(cpu[k]), median(rss[k]), median(pps[k])
    }' 2>&1
