"""python-can's side of bench/compare (run with Debian's /usr/bin/python3).

  pycan_peer.py write LOG OUT.db   read LOG into Messages (untimed), then time SqliteWriter
  pycan_peer.py read DB            time SqliteReader over every message
  pycan_peer.py candump LOG        time CanutilsLogReader over every line
  pycan_peer.py asc FILE           time ASCReader over every line
Prints {"seconds": s, "events": n}.
"""
import json
import logging
import os
import sys
import time

import can

logging.disable(logging.CRITICAL)


def report(start, n):
    print(json.dumps({"seconds": time.perf_counter() - start, "events": n}))


def main(mode, path, out=None):
    if mode == "write":
        messages = list(can.CanutilsLogReader(path))
        if os.path.exists(out):
            os.remove(out)
        start = time.perf_counter()
        writer = can.SqliteWriter(out)
        for m in messages:
            writer.on_message_received(m)
        # python-can 4.1's stop() ends the writer thread after one more batch and
        # drops what is still buffered: wait until every message is committed.
        while writer.num_frames < len(messages):
            time.sleep(0.001)
        writer.stop()
        report(start, writer.num_frames)
    elif mode == "read":
        start = time.perf_counter()
        reader = can.SqliteReader(path)
        n = sum(1 for _ in reader)
        reader.stop()
        report(start, n)
    elif mode == "candump":
        start = time.perf_counter()
        report(start, sum(1 for _ in can.CanutilsLogReader(path)))
    elif mode == "asc":
        start = time.perf_counter()
        report(start, sum(1 for _ in can.ASCReader(path)))
    else:
        sys.exit(64)


if __name__ == "__main__":
    main(*sys.argv[1:])
