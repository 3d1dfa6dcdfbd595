#!/usr/bin/env python3
"""Sends one IPv4 TCP SYN per spoofed source address through a raw socket (IP_HDRINCL).

Usage: spoof_syn.py DST_IP DST_PORT SPORT_BASE TRUTH_JSONL SRC_IP...

Run it in the client namespace. The server's static neighbour entries point every spoofed
address at a MAC address no host owns, so the server's SYN-ACKs go out on the wire and are never
answered (nobody holds a socket for them, and the client namespace drops frames not addressed
to its own MAC). Writes one JSON line of ground truth per SYN: addresses, ports, ISN, send time.
"""
import json
import socket
import struct
import sys
import time


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def syn(src: str, dst: str, sport: int, dport: int, isn: int, ip_id: int) -> bytes:
    mss = struct.pack("!BBH", 2, 4, 1460)
    tcp_len = 20 + len(mss)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, isn, 0, (tcp_len // 4) << 4, 0x02, 64240, 0, 0) + mss
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, socket.IPPROTO_TCP, tcp_len)
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + tcp_len, ip_id, 0x4000, 64, socket.IPPROTO_TCP, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + tcp


def main() -> None:
    dst, dport, sport_base, truth_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    sources = sys.argv[5:]
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    with open(truth_path, "w") as truth:
        for i, src in enumerate(sources):
            sport, isn = sport_base + i + 1, 1_000_000 * (i + 1)
            sent_us = time.time_ns() // 1000
            sock.sendto(syn(src, dst, sport, dport, isn, 0x7700 + i), (dst, 0))
            truth.write(json.dumps({"client": {"ip": src, "port": sport}, "server": {"ip": dst, "port": dport},
                                    "isn": isn, "sentEpochUs": sent_us}) + "\n")
            time.sleep(0.05)


if __name__ == "__main__":
    main()
