#!/usr/bin/env bash
# Makes one real capture of one TCP failure mode, with ground truth from the programs that made it.
#
#   lab.sh MODE OUTDIR [--any] [--client-side] [--pcapng-live] [--pcapng-copy]
#
# Two network namespaces (client ssc-<pid>, server sss-<pid>) joined by a veth pair
# 10.77.0.1 <-> 10.77.0.2 (fd77::1 <-> fd77::2 for mode ipv6); per-mode sysctls in the server
# namespace (client: tcp_syn_retries); tcpdump on the server-side veth; LabServer.java and
# LabClient.java in their namespaces; nstat -az before/after in both namespaces. Writes
# OUTDIR/MODE.pcap and OUTDIR/MODE.expected.json (verdicts by expected.py from the ground truth).
# Extras, same run and same truth: --any: also tcpdump -i any in the server namespace
# (MODE.sll.pcap, Linux cooked v1, and MODE.sll2.pcap); --client-side: also the client veth
# (MODE.client.pcap); --pcapng-live: also dumpcap on the server veth (MODE.ng.pcapng);
# --pcapng-copy: MODE.pcap converted by editcap -F pcapng (MODE.ng.pcapng).
# Everything is torn down on exit, Ctrl-C or failure. Needs root. LAB_KEEP=1 keeps the work dir.
set -euo pipefail

usage() { echo "usage: $0 MODE OUTDIR [--any] [--client-side] [--pcapng-live] [--pcapng-copy]" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
MODE=$1
OUTDIR=$(realpath -m "$2")
shift 2
WANT_ANY=0 WANT_CLIENT=0 WANT_NG=0 WANT_NG_COPY=0
for a in "$@"; do
  case $a in
    --any) WANT_ANY=1 ;;
    --client-side) WANT_CLIENT=1 ;;
    --pcapng-live) WANT_NG=1 ;;
    --pcapng-copy) WANT_NG_COPY=1 ;;
    *) usage ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "lab.sh: needs root" >&2; exit 1; }

HERE=$(cd "$(dirname "$0")" && pwd)
ID=$$
CNS=ssc-$ID SNS=sss-$ID RNS=ssr-$ID   # RNS: the "rebooted" server namespace of mode half-open
CV=vc-$ID SV=vs-$ID
PORT=8080 SNAP=128
CIP=10.77.0.1 SIP=10.77.0.2

# ---- per-mode settings --------------------------------------------------------------------
NSPOOF=0 FAMILY=4 SERVER=1 BACKLOG=16 HANDLER=reply-wait-eof API=socket GATE=0 TBF=0 SIDE=server
S_SOMAXCONN=4096 S_ABORT=0 S_COOKIES=1 S_MAXSYN=256 S_SYNACK=2 C_SYNRETRIES=2
case $MODE in
  ok | client-linger0) ;;
  bulk-ok) HANDLER=bulk ;;
  refused) SERVER=0 ;;
  syn-dropped-accept-queue) BACKLOG=1 GATE=1 ;;
  ack-ignored) BACKLOG=4 GATE=1 TBF=1 S_SYNACK=1 ;;
  overflow-reset) BACKLOG=4 GATE=1 TBF=1 S_ABORT=1 S_SYNACK=1 ;;
  rst-unread-data) HANDLER=close-unread API=channel ;;   # plain close(): RST alone
  rst-unread-data-after-fin) HANDLER=close-unread ;;     # java.net.Socket close(): FIN, then RST
  write-after-close) HANDLER=reply-close ;;
  rst-linger0) HANDLER=reply-linger0 ;;
  half-open) SIDE=client ;;   # the server-side veth moves to a new namespace mid-run
  synack-unanswered) NSPOOF=3 ;;
  # The SYN queue holds backlog + 1 requests: syn-flood fills it exactly (every spoofed SYN gets
  # a SYN-ACK, the legitimate SYN is dropped until they expire); syn-flood-cookies overfills it
  # by one (that SYN and the legitimate one are answered with cookie SYN-ACKs).
  syn-flood) BACKLOG=4 NSPOOF=5 S_COOKIES=0 S_SYNACK=1 C_SYNRETRIES=3 ;;
  syn-flood-cookies) BACKLOG=4 NSPOOF=6 ;;
  ipv6) FAMILY=6 CIP=fd77::1 SIP=fd77::2 ;;
  *) echo "lab.sh: unknown mode $MODE" >&2; exit 2 ;;
esac
SPOOFED=()
for ((i = 1; i <= NSPOOF; i++)); do SPOOFED+=("10.77.0.$((100 + i))"); done
NOBODY_MAC=02:00:5e:77:00:99
if [[ $FAMILY == 6 ]]; then HOSTPORT="[$SIP]:$PORT"; else HOSTPORT="$SIP:$PORT"; fi

# ---- teardown ---------------------------------------------------------------------------------
CAPTURE_PIDS=() SERVER_PID= HOOK_PID= CLIENT_PID=
stop_captures() {
  local p
  for p in "${CAPTURE_PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "${CAPTURE_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  CAPTURE_PIDS=()
}
stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
cleanup() {
  local rc=$?
  set +e
  [[ -n $CLIENT_PID ]] && kill "$CLIENT_PID" 2>/dev/null && wait "$CLIENT_PID" 2>/dev/null
  [[ -n $HOOK_PID ]] && kill "$HOOK_PID" 2>/dev/null && wait "$HOOK_PID" 2>/dev/null
  stop_captures
  stop_server
  for ns in "$CNS" "$SNS" "$RNS"; do ip netns del "$ns" 2>/dev/null; done
  if [[ ${LAB_KEEP:-0} == 1 || $rc -ne 0 ]]; then echo "lab.sh: work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
  exit $rc
}
WORK=$(mktemp -d "/tmp/lab-$MODE-XXXXXX")
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUTDIR" "$WORK/hooks"

log() { echo "[lab $MODE] $*" >&2; }

# ---- namespaces and link ----------------------------------------------------------------------
# Fresh namespaces start with default sysctls; disable IPv6 on the veth for IPv4 modes so that
# no router solicitations or MLD reports land in the captures.
setup_server_link() {  # NS: bring the server end of the veth up in namespace NS
  local ns=$1
  ip -n "$ns" link set lo up
  if [[ $FAMILY == 6 ]]; then
    ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$SV.accept_ra=0" "net.ipv6.conf.$SV.router_solicitations=0"
    ip -n "$ns" addr add "$SIP/64" dev "$SV" nodad
  else
    ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$SV.disable_ipv6=1"
    ip -n "$ns" addr add "$SIP/24" dev "$SV"
  fi
  ip -n "$ns" link set "$SV" up
}
ip netns add "$CNS"
ip netns add "$SNS"
ip link add "$CV" netns "$CNS" type veth peer name "$SV" netns "$SNS"
ip -n "$CNS" link set lo up
if [[ $FAMILY == 6 ]]; then
  ip netns exec "$CNS" sysctl -qw "net.ipv6.conf.$CV.accept_ra=0" "net.ipv6.conf.$CV.router_solicitations=0"
  ip -n "$CNS" addr add "$CIP/64" dev "$CV" nodad
else
  ip netns exec "$CNS" sysctl -qw "net.ipv6.conf.$CV.disable_ipv6=1"
  ip -n "$CNS" addr add "$CIP/24" dev "$CV"
fi
ip -n "$CNS" link set "$CV" up
setup_server_link "$SNS"

ip netns exec "$SNS" sysctl -qw net.core.somaxconn=$S_SOMAXCONN net.ipv4.tcp_abort_on_overflow=$S_ABORT \
  net.ipv4.tcp_syncookies=$S_COOKIES net.ipv4.tcp_max_syn_backlog=$S_MAXSYN net.ipv4.tcp_synack_retries=$S_SYNACK
ip netns exec "$CNS" sysctl -qw net.ipv4.tcp_syn_retries=$C_SYNRETRIES
if [[ $TBF == 1 ]]; then
  # Paces the server's SYN-ACKs (~10 ms each) so that a burst of SYNs is admitted before the
  # first ACKs fill the accept queue. Every server packet in these modes is <= 100 bytes.
  ip netns exec "$SNS" tc qdisc add dev "$SV" root tbf rate 64kbit burst 100 mtu 100 limit 10000
fi
if ((NSPOOF > 0)); then
  for a in "${SPOOFED[@]}"; do ip -n "$SNS" neigh replace "$a" lladdr $NOBODY_MAC dev "$SV" nud permanent; done
fi

{
  echo "mode=$MODE"
  echo "kernel=$(uname -r)"
  echo "backlog=$BACKLOG"
  echo "handler=$HANDLER"
  echo "server_api=$API"
  echo "server_running=$SERVER"
  echo "tbf=$([[ $TBF == 1 ]] && ip netns exec "$SNS" tc qdisc show dev "$SV" | head -1 || echo none)"
  for k in net.core.somaxconn net.ipv4.tcp_abort_on_overflow net.ipv4.tcp_syncookies \
           net.ipv4.tcp_max_syn_backlog net.ipv4.tcp_synack_retries; do
    echo "sysctl.server.$k=$(ip netns exec "$SNS" sysctl -n $k)"
  done
  for k in net.ipv4.tcp_syn_retries net.ipv4.tcp_syn_linear_timeouts; do
    echo "sysctl.client.$k=$(ip netns exec "$CNS" sysctl -n $k)"
  done
} >"$WORK/meta.txt"

ip netns exec "$SNS" nstat -azs >"$WORK/nstat-server-before.txt"
ip netns exec "$CNS" nstat -azs >"$WORK/nstat-client-before.txt"

# ---- captures ---------------------------------------------------------------------------------
start_capture() {  # NS LOGNAME CMD...: start a capture in NS and wait until it is listening
  local ns=$1 name=$2
  shift 2
  ip netns exec "$ns" "$@" 2>"$WORK/$name.log" &
  CAPTURE_PIDS+=($!)
  local i
  for i in $(seq 100); do
    grep -qE 'listening on|Capturing on' "$WORK/$name.log" && return 0
    sleep 0.05
  done
  echo "lab.sh: capture $name did not start:" >&2
  cat "$WORK/$name.log" >&2
  return 1
}
TCPDUMP=(tcpdump -Z root -s $SNAP --immediate-mode -U)
if [[ $SIDE == server ]]; then
  start_capture "$SNS" server "${TCPDUMP[@]}" -i "$SV" -w "$WORK/server.pcap"
fi
if [[ $SIDE == client || $WANT_CLIENT == 1 ]]; then
  start_capture "$CNS" client "${TCPDUMP[@]}" -i "$CV" -w "$WORK/client.pcap"
fi
if [[ $WANT_ANY == 1 ]]; then
  start_capture "$SNS" any "${TCPDUMP[@]}" -i any -y LINUX_SLL -w "$WORK/any.pcap"
  start_capture "$SNS" any2 "${TCPDUMP[@]}" -i any -y LINUX_SLL2 -w "$WORK/any2.pcap"
fi
if [[ $WANT_NG == 1 ]]; then
  start_capture "$SNS" ng dumpcap -q -i "$SV" -s $SNAP -w "$WORK/server.pcapng"
fi

# ---- server -----------------------------------------------------------------------------------
if [[ $SERVER == 1 ]]; then
  SERVER_ARGS=(--listen "$HOSTPORT" --backlog "$BACKLOG" --handler "$HANDLER" --api "$API"
               --truth "$WORK/server.jsonl")
  [[ $GATE == 1 ]] && SERVER_ARGS+=(--gate "$WORK/gate")
  ip netns exec "$SNS" java "$HERE/LabServer.java" "${SERVER_ARGS[@]}" 2>"$WORK/server.log" &
  SERVER_PID=$!
  for i in $(seq 200); do
    ip netns exec "$SNS" ss -Hltn "sport = :$PORT" | grep -q . && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.05
  done
  ip netns exec "$SNS" ss -Hltn "sport = :$PORT" | grep -q . || { echo "lab.sh: server not listening" >&2; exit 1; }
fi

# ---- hooks: steps the client asks the driver to perform -------------------------------------
# forget: the server host "reboots": its veth end moves to a fresh namespace with the same
# addresses (and the same MAC) but no sockets at all; the old namespace keeps the server
# process and its socket, now cut off. Nothing is sent on the wire by this.
hook_forget() {
  ip netns add "$RNS"
  ip -n "$SNS" link set "$SV" netns "$RNS"
  setup_server_link "$RNS"
  ip netns exec "$RNS" nstat -azs >"$WORK/nstat-server-before.txt"
  for i in $(seq 100); do
    ip -n "$CNS" link show "$CV" | grep -q LOWER_UP && break
    sleep 0.02
  done
}
# flood: spoofed SYNs, one per address in SPOOFED, sent from the client namespace.
hook_flood() {
  ip netns exec "$CNS" python3 "$HERE/spoof_syn.py" "$SIP" $PORT 50000 "$WORK/spoof.jsonl" "${SPOOFED[@]}"
}
serve_hooks() {
  local req name
  while :; do
    for req in "$WORK"/hooks/*.req; do
      [[ -f $req ]] || continue
      name=$(basename "$req" .req)
      [[ -f $WORK/hooks/$name.done ]] && continue
      "hook_$name"
      echo "$name client_port=$(cat "$req") at_us=$(date +%s%6N)" >>"$WORK/hooks.txt"
      touch "$WORK/hooks/$name.done"
    done
    sleep 0.02
  done
}
serve_hooks &
HOOK_PID=$!

# ---- clients ------------------------------------------------------------------------------------
CLIENT_ARGS=(--mode "$MODE" --server "$HOSTPORT" --client-ip "$CIP" --truth "$WORK/client.jsonl"
             --hook-dir "$WORK/hooks" --fill $((BACKLOG - 1)) --burst 5)
[[ $GATE == 1 ]] && CLIENT_ARGS+=(--gate "$WORK/gate")
log "client running"
# In the background so that a signal reaches the trap at once, not after the client is done.
timeout 60 ip netns exec "$CNS" java "$HERE/LabClient.java" "${CLIENT_ARGS[@]}" 2>"$WORK/client.log" &
CLIENT_PID=$!
wait "$CLIENT_PID" || { echo "lab.sh: client failed:" >&2; cat "$WORK/client.log" >&2; exit 1; }
CLIENT_PID=
kill "$HOOK_PID" 2>/dev/null || true
wait "$HOOK_PID" 2>/dev/null || true
HOOK_PID=
if ((NSPOOF > 0)); then
  # Let the spoofed requests' SYN-ACK retransmissions (after ~1 s and ~3 s) reach the capture.
  FLOOD_US=$(sed -n 's/^flood .* at_us=//p' "$WORK/hooks.txt")
  while (( $(date +%s%6N) - FLOOD_US < 4500000 )); do sleep 0.1; done
fi
sleep 0.5

SERVER_NS_NOW=$SNS
[[ $MODE == half-open ]] && SERVER_NS_NOW=$RNS
ip netns exec "$SERVER_NS_NOW" nstat -azs >"$WORK/nstat-server-after.txt"
ip netns exec "$CNS" nstat -azs >"$WORK/nstat-client-after.txt"
stop_captures
stop_server
[[ -f $WORK/server.jsonl ]] || : >"$WORK/server.jsonl"

# ---- results ------------------------------------------------------------------------------------
emit() {  # WORKFILE OUTNAME SIDE LINKTYPE MADE_BY
  cp "$WORK/$1" "$OUTDIR/$2"
  chmod 644 "$OUTDIR/$2"   # dumpcap creates its file 0600
  python3 "$HERE/expected.py" --work "$WORK" --capture "$2" --side "$3" --link-type "$4" --made-by "$5" \
    >"$OUTDIR/${2%.*}.expected.json"
  log "wrote $OUTDIR/$2 ($(stat -c %s "$OUTDIR/$2") B) and ${2%.*}.expected.json"
}
VETH_DUMP="tcpdump -i <veth> -s $SNAP --immediate-mode -U"
if [[ $SIDE == server ]]; then emit server.pcap "$MODE.pcap" server ethernet "$VETH_DUMP (server side)"; fi
if [[ $SIDE == client ]]; then emit client.pcap "$MODE.pcap" client ethernet "$VETH_DUMP (client side)"
elif [[ $WANT_CLIENT == 1 ]]; then emit client.pcap "$MODE.client.pcap" client ethernet "$VETH_DUMP (client side)"; fi
if [[ $WANT_ANY == 1 ]]; then
  emit any.pcap "$MODE.sll.pcap" server linux-sll "tcpdump -i any -y LINUX_SLL -s $SNAP in the server namespace"
  emit any2.pcap "$MODE.sll2.pcap" server linux-sll2 "tcpdump -i any -y LINUX_SLL2 -s $SNAP in the server namespace"
fi
if [[ $WANT_NG == 1 ]]; then
  emit server.pcapng "$MODE.ng.pcapng" server ethernet "dumpcap -i <veth> -s $SNAP (server side, same run as $MODE.pcap)"
elif [[ $WANT_NG_COPY == 1 ]]; then
  editcap -F pcapng "$WORK/server.pcap" "$WORK/server-copy.pcapng"
  emit server-copy.pcapng "$MODE.ng.pcapng" server ethernet "editcap -F pcapng $MODE.pcap"
fi
