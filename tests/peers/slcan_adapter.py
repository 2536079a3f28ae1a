"""An slcan adapter emulated on a pseudo-terminal that plays a candump log.

usage: slcan_adapter.py LOG [SPEED]
Prints the pty path, answers the recorder's setup commands, then sends the
log's classic frames as slcan lines (with adapter timestamps) at their
recorded pace divided by SPEED (default 1), and stays open until killed.
For trying `packtwin record` without hardware.
"""
import os
import select
import sys
import time
import tty


def slcan_line(frame, ms):
    can_id, _, data = frame.partition("#")
    if data.startswith("#") or data.startswith("R"):
        return None  # FD and remote frames are not replayed here
    kind = "t" if len(can_id) == 3 else "T"
    return f"{kind}{can_id}{len(data) // 2}{data}{ms % 60000:04X}\r".encode()


def main(log, speed=1.0):
    master, slave = os.openpty()
    tty.setraw(slave)
    print(os.ttyname(slave), flush=True)
    seen = b""
    while b"O\r" not in seen:
        select.select([master], [], [])
        chunk = os.read(master, 64)
        seen += chunk
        os.write(master, b"\r" * chunk.count(b"\r"))
    start = time.monotonic()
    first = None
    with open(log) as lines:
        for line in lines:
            if not line.startswith("("):
                continue
            stamp, _iface, frame = line.split()[:3]
            t = float(stamp[1:-1])
            first = t if first is None else first
            time.sleep(max(0.0, start + (t - first) / speed - time.monotonic()))
            out = slcan_line(frame, int((t - first) * 1000))
            if out:
                os.write(master, out)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 1.0)
