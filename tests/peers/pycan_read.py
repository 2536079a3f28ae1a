"""Prints what python-can's readers make of a log, one JSON object a frame.

usage: pycan_read.py candump|asc|blf|trc|sqlite IN
"""
import json
import sys

import can


def main(kind, path):
    # ASCReader counts from zero unless told to use the file's date.
    readers = {
        "candump": lambda: can.CanutilsLogReader(path),
        "asc": lambda: can.ASCReader(path, relative_timestamp=False),
        "blf": lambda: can.BLFReader(path),
        "trc": lambda: can.TRCReader(path),
        "sqlite": lambda: can.SqliteReader(path),
    }
    reader = readers[kind]()
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
