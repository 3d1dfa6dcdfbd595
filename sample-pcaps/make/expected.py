#!/usr/bin/env python3
"""Turns one lab run's ground truth into the capture's expected.json (printed on stdout).

Usage: expected.py --work DIR --capture FILE --side server|client --link-type NAME --made-by TEXT

Reads from the work dir that lab.sh filled: meta.txt (mode, kernel, sysctls, backlog),
client.jsonl (LabClient), server.jsonl (LabServer), spoof.jsonl (spoof_syn.py), hooks.txt
(steps the driver performed) and the nstat -az snapshots. The verdict of each connection is
derived from that truth only, by the numbered rules in classify() (the same table is in
sample-pcaps/README.md); synscope's own output is never an input.
"""
import argparse
import ipaddress
import json
import os
import re

# connect() took at least this long only if a SYN (or SYN-ACK) was retransmitted: the veth RTT
# is far below 1 ms and the first SYN retransmission comes after 1 s.
SYN_RETRANSMITTED_MS = 900
RESET_WORDS = ("reset", "Broken pipe")


def norm_ip(ip):
    return ipaddress.ip_address(ip).compressed


def key(endpoint):
    return norm_ip(endpoint["ip"]), endpoint["port"]


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def read_nstat(path):
    counters = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and not line.startswith("#"):
                counters[parts[0]] = int(parts[1])
    return counters


def nstat_delta(work, side):
    before = read_nstat(os.path.join(work, "nstat-%s-before.txt" % side))
    after = read_nstat(os.path.join(work, "nstat-%s-after.txt" % side))
    delta = {k: v - before.get(k, 0) for k, v in after.items()}
    return {k: v for k, v in sorted(delta.items()) if v != 0}


def read_meta(work):
    meta, sysctls = {}, {"server": {}, "client": {}}
    with open(os.path.join(work, "meta.txt")) as f:
        for line in f:
            name, _, value = line.rstrip("\n").partition("=")
            m = re.match(r"sysctl\.(server|client)\.(.*)", name)
            if m:
                sysctls[m.group(1)][m.group(2)] = int(value)
            else:
                meta[name] = value
    return meta, sysctls


def read_forgotten(work):
    """Client ports whose server socket the driver made disappear (hook forget)."""
    ports = set()
    path = os.path.join(work, "hooks.txt")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                m = re.match(r"forget client_port=(\d+)", line)
                if m:
                    ports.add(int(m.group(1)))
    return ports


def saw_reset(c):
    texts = [c["read"]["exception"]] + [w["exception"] for w in c["writes"]]
    return any(t and any(w in t for w in RESET_WORDS) for t in texts)


def data_never_acked(c):
    """True if an ss snapshot showed request bytes sent and not one of them acknowledged.

    tcpi_bytes_acked counts the SYN, so 1 means "handshake only"."""
    for p in c["probes"]:
        if int(p.get("bytes_sent", 0)) > 0 and int(p.get("bytes_acked", 0)) <= 1:
            return True
    return False


def classify(c, s, ctx):
    """Verdict, outcome and rule number for one client connection: the first rule that matches.

    c: LabClient truth; s: LabServer truth for the same connection or None (never accepted);
    ctx: sysctls, nstat deltas and driver actions of the run. Rule 1 (spoofed SYNs) is applied
    in main(); the numbers are those of the table in sample-pcaps/README.md."""
    conn = c["connect"]
    complete = c["read"]["replyComplete"]
    overflowed = ctx["nstat"].get("TcpExtListenOverflows", 0) > 0
    if conn["result"] == "refused":
        return "refused", "failed", 2
    if conn["result"] == "timeout":
        return "syn-dropped", "failed", 3
    if conn["result"] != "ok":
        return "incomplete", "unknown", 4
    if conn["ms"] >= SYN_RETRANSMITTED_MS:
        return "syn-dropped", "recovered" if complete else "failed", 5
    if data_never_acked(c) and ctx["abort_on_overflow"] == 0 and overflowed:
        return "ack-ignored", "recovered" if complete else "failed", 6
    if s is not None and s["unreadBytes"] > 0:
        # Each such close sends a RST unless the peer's FIN had already retired the socket;
        # the counter says whether every one of them did.
        if ctx["nstat"].get("TcpExtTCPAbortOnClose", 0) >= ctx["unread_closes"]:
            return "rst-unread-data", "failed", 7
        return "incomplete", "unknown", 16
    if s is not None and s["close"] == "linger0":
        server_read_all = s["requestBytes"] == c["bytesWritten"]
        return "rst-linger0", "ok" if complete and server_read_all else "failed", 8
    if c["close"] == "linger0":
        return "rst-linger0", "ok" if complete else "failed", 9
    if saw_reset(c):
        if s is None and ctx["abort_on_overflow"] == 1 and overflowed:
            return "overflow-reset", "failed", 10
        if c["client"]["port"] in ctx["forgotten"]:
            return "half-open-reset", "failed", 11
        if any(w["afterEof"] for w in c["writes"]):
            return "rst-unread-data", "failed", 12
        return "reset", "failed", 13
    if complete:
        return "ok", "ok", 14
    if c["read"]["timedOut"] and any(int(p.get("unacked", 0)) > 0 for p in c["probes"]):
        return "stalled", "failed", 15
    return "incomplete", "unknown", 16


def describe_client(c):
    conn, read = c["connect"], c["read"]
    if conn["result"] == "ok":
        parts = ["connect() ok in %.2f ms" % conn["ms"]]
    else:
        parts = ["connect() threw %s after %.1f ms" % (conn["exception"], conn["ms"])]
    for w in c["writes"]:
        what = "'%s'" % w["head"] if w["bytes"] <= 40 else "%d B" % w["bytes"]
        when = " after EOF" if w["afterEof"] else ""
        if w["exception"]:
            parts.append("write of %s%s at %.1f ms threw %s" % (what, when, w["ms"], w["exception"]))
        else:
            parts.append("wrote %s%s at %.1f ms" % (what, when, w["ms"]))
    for p in c["probes"]:
        fields = " ".join("%s:%s" % (k, p[k]) for k in ("unacked", "bytes_sent", "bytes_acked", "retrans") if k in p)
        parts.append("ss -tin at %.0f ms: %s" % (p["ms"], fields or p.get("raw", "no socket")))
    if read["expectedReplyBytes"]:
        if read["replyComplete"]:
            parts.append("read the full %d B reply (first byte at %.1f ms, complete at %.1f ms)"
                         % (read["replyBytes"], read["firstByteMs"], read["replyCompleteMs"]))
        else:
            parts.append("read %d of %d B reply" % (read["replyBytes"], read["expectedReplyBytes"]))
    if read["eof"]:
        parts.append("EOF at %.1f ms" % read["eofMs"])
    if read["exception"]:
        parts.append("read threw %s at %.1f ms" % (read["exception"], read["exceptionMs"]))
    if read["timedOut"]:
        parts.append("read timed out")
    if c["close"] == "linger0":
        parts.append("closed with SO_LINGER 0")
    elif c["close"] == "normal":
        parts.append("close()")
    return "; ".join(parts)


def describe_server(c, s, forgotten):
    if c["connect"]["result"] != "ok":
        return None
    if s is None:
        return "server: never accepted it"
    parts = ["accepted it %.1f ms after connect() began" % ((s["acceptedEpochUs"] - c["startEpochUs"]) / 1000.0)]
    if s["request"] is not None:
        parts.append("read %d B ('%s')" % (s["requestBytes"], s["request"]))
    if s["replyBytes"]:
        parts.append("replied %d B" % s["replyBytes"])
    if s["close"] == "close-unread":
        parts.append("closed with %d B unread" % s["unreadBytes"])
    elif s["close"] == "linger0":
        parts.append("closed with SO_LINGER 0")
    elif s["close"] == "fin":
        parts.append("closed" + (" after EOF" if s["sawEof"] else ""))
    if s["exception"]:
        parts.append("threw %s" % s["exception"])
    if c["client"]["port"] in forgotten:
        parts.append("then the server host forgot it (its veth end moved to a fresh namespace without sockets; "
                     "nothing was sent)")
    if s["state"] == "open-at-exit":
        parts.append("the old server socket was still open when the server was stopped")
    return "server: " + ", ".join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--capture", required=True)
    ap.add_argument("--side", required=True, choices=("server", "client"))
    ap.add_argument("--link-type", required=True)
    ap.add_argument("--made-by", required=True)
    args = ap.parse_args()

    meta, sysctls = read_meta(args.work)
    delta_server = nstat_delta(args.work, "server")
    ctx = {
        "nstat": delta_server,
        "abort_on_overflow": sysctls["server"]["net.ipv4.tcp_abort_on_overflow"],
        "forgotten": read_forgotten(args.work),
    }
    servers = {key(s["client"]): s for s in read_jsonl(os.path.join(args.work, "server.jsonl"))}
    ctx["unread_closes"] = sum(1 for s in servers.values() if s["unreadBytes"] > 0)

    rows = []
    for sp in read_jsonl(os.path.join(args.work, "spoof.jsonl")):
        rows.append((sp["sentEpochUs"], {
            "client": sp["client"], "server": sp["server"],
            "verdict": "synack-unanswered", "outcome": "failed", "rule": 1,
            "truth": "spoofed SYN (raw socket, ISN %d) from %s:%d; the server's static neighbour entry maps %s to "
                     "a MAC no host owns, so its SYN-ACKs are never answered"
                     % (sp["isn"], sp["client"]["ip"], sp["client"]["port"], sp["client"]["ip"]),
        }))
    for c in read_jsonl(os.path.join(args.work, "client.jsonl")):
        s = servers.get(key(c["client"]))
        verdict, outcome, rule = classify(c, s, ctx)
        truth = describe_client(c)
        server_side = describe_server(c, s, ctx["forgotten"])
        if server_side:
            truth += ". " + server_side
        rows.append((c["startEpochUs"], {
            "id": c["id"], "role": c["role"],
            "client": {"ip": norm_ip(c["client"]["ip"]), "port": c["client"]["port"]},
            "server": {"ip": norm_ip(c["server"]["ip"]), "port": c["server"]["port"]},
            "verdict": verdict, "outcome": outcome, "rule": rule, "truth": truth,
        }))
    rows.sort(key=lambda r: r[0])

    doc = {
        "capture": args.capture,
        "mode": meta["mode"],
        "side": args.side,
        "link_type": args.link_type,
        "made_by": args.made_by,
        "snaplen": 128,
        "kernel": meta["kernel"],
        "backlog": int(meta["backlog"]) if meta["server_running"] == "1" else None,
        "server_handler": meta["handler"] if meta["server_running"] == "1" else None,
        "server_api": meta["server_api"] if meta["server_running"] == "1" else None,
        "tc": meta["tbf"],
        "sysctls": sysctls,
        "nstat_delta": delta_server,
        "nstat_delta_client": nstat_delta(args.work, "client"),
        "connections": [r[1] for r in rows],
    }
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
