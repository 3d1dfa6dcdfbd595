#!/bin/sh
# Makes the fixtures of InetDiagParserTest and ProcNetFileTest from the running kernel (root):
# a namespace with an IPv4 listener (backlog 3, 6 clients, never accepts: queue 4 = full), an
# IPv6 one (backlog 7) and 3 half-open connections from raw SYNs that nobody completes; then
#   ss-listen.bin / ss-listen.txt      what `ss -lnt` received from NETLINK_SOCK_DIAG (strace's
#                                      dump of its recvmsg calls) and what it printed
#   ss-synrecv.bin / ss-synrecv.txt    the same for `ss -tn state syn-recv`
#   netstat.txt, snmp.txt, nstat.txt   /proc/net/{netstat,snmp} and `nstat -asz`, read together
# Run it from this folder: sh make-fixtures.sh
set -eu
NS=kdiag-fixture-$$
ip netns add $NS
trap 'ip netns del $NS' EXIT
ip -n $NS link set lo up
ip -n $NS link add v0 type veth peer name v1
ip -n $NS addr add 10.99.0.2/24 dev v0
ip -n $NS link set v0 up
ip -n $NS link set v1 up
for i in 100 101 102; do
  ip -n $NS neigh replace 10.99.0.$i lladdr 02:00:00:00:00:01 dev v0 nud permanent
done
ip netns exec $NS python3 - <<'PY' &
import socket, time
a = socket.socket(); a.bind(("127.0.0.1", 8080)); a.listen(3)
b = socket.socket(socket.AF_INET6); b.bind(("::1", 9001)); b.listen(7)
c = socket.socket(); c.bind(("10.99.0.2", 8081)); c.listen(64)
clients = []
for _ in range(6):
    s = socket.socket(); s.setblocking(False); s.connect_ex(("127.0.0.1", 8080)); clients.append(s)
time.sleep(4)
PY
sleep 1
ip netns exec $NS python3 - <<'PY'
import socket, struct
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
dst = socket.inet_aton("10.99.0.2")
for i in (100, 101, 102):
    src = socket.inet_aton("10.99.0.%d" % i)
    tcp = struct.pack("!HHIIBBHHH", 40000 + i, 8081, 1000 * i, 0, 5 << 4, 2, 64240, 0, 0)
    tcp = tcp[:16] + struct.pack("!H", csum(src + dst + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, i, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    r.sendto(ip + tcp, ("10.99.0.2", 0))
PY
sleep 0.3
# strace -e read=all dumps every byte recvmsg returned, 16 a line: " | 00000  10 00 00 00 ...".
received() {
  out=$1; shift
  ip netns exec $NS strace -qq -e trace=recvmsg -e read=all -o "$out.strace" "$@" > "$out.txt"
  grep '^ | ' "$out.strace" | cut -c 11-58 | xxd -r -p > "$out.bin"
  rm "$out.strace"
}
received ss-listen ss -lnt
received ss-synrecv ss -tn state syn-recv
ip netns exec $NS sh -c 'cat /proc/net/netstat > netstat.txt; cat /proc/net/snmp > snmp.txt; nstat -asz > nstat.txt'
wait
