"""Prints what python-can's readers make of a log, one JSON object a frame.

usage: pycan_read.py candump|asc IN
"""
import json
import sys

import can


def main(kind, path):
    # ASCReader counts from zero unless told to use the file's date.
    reader = can.CanutilsLogReader(path) if kind == "candump" else can.ASCReader(path, relative_timestamp=False)
    for msg in reader:
        print(json.dumps({
            "time_us": round(msg.timestamp * 1e6),
            "id": msg.arbitration_id,
            "extended": msg.is_extended_id,
            "rtr": msg.is_remote_frame,
            "error": msg.is_error_frame,
            "fd": msg.is_fd,
            "brs": msg.bitrate_switch,
            "esi": msg.error_state_indicator,
            "dlc": msg.dlc,
            "data": bytes(msg.data).hex().upper(),
            "rx": msg.is_rx,
        }))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
