"""An slcan adapter emulated on a pseudo-terminal with Energy-Packs behind it.

usage: slcan_packs.py NODE[,NODE...] [PATH_FILE]
Prints the pty path (and writes it to PATH_FILE when given), answers slcan setup commands, sends each pack's
HEARTBEAT every second (the highest node claims master), and answers every
COMMAND frame the host transmits with an ACK (status OK) from each pack it
addresses, as firmware 2.6 does. Stays until killed.
"""
import os
import select
import sys
import time
import tty


def frame_line(can_id, data):
    return f"t{can_id:03X}{len(data)}{data.hex().upper()}\r".encode()


def heartbeat(node, master):
    serial = 0x1000 + node
    data = bytes([1, 2, 6, 1 if master else 0]) + serial.to_bytes(4, "little")
    return frame_line(0x700 | node, data)


def answer(line, nodes):
    """ACK frames for a transmitted COMMAND line, if it is one."""
    if not line.startswith("t") or len(line) < 5:
        return b""
    can_id = int(line[1:4], 16)
    length = int(line[4], 16)
    data = bytes.fromhex(line[5:5 + 2 * length])
    if can_id >> 7 != 0 or length < 2:
        return b""
    target = can_id & 0x7F
    out = b""
    for node in nodes:
        if target in (0x7F, node):
            out += frame_line(0x380 | node, bytes([data[0], data[1], 0]))
    return out


def main(nodes, path_file=None):
    master, slave = os.openpty()
    tty.setraw(slave)
    print(os.ttyname(slave), flush=True)
    if path_file:
        with open(path_file + ".tmp", "w") as f:
            f.write(os.ttyname(slave))
        os.rename(path_file + ".tmp", path_file)
    pending = b""
    next_beat = 0.0
    while True:
        now = time.monotonic()
        if now >= next_beat:
            for node in nodes:
                os.write(master, heartbeat(node, node == max(nodes)))
            next_beat = now + 1.0
        ready, _, _ = select.select([master], [], [], 0.05)
        if not ready:
            continue
        try:
            pending += os.read(master, 256)
        except OSError:
            return
        while b"\r" in pending:
            line, pending = pending.split(b"\r", 1)
            os.write(master, b"\r")  # every command and transmit line is accepted
            os.write(master, answer(line.decode("ascii", "replace"), nodes))


if __name__ == "__main__":
    main([int(n, 16) for n in sys.argv[1].split(",")], sys.argv[2] if len(sys.argv) > 2 else None)
