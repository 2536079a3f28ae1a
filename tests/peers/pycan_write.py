"""Writes a fixed set of CAN messages with python-can's own writers.

usage: pycan_write.py candump|asc|blf|trc|trc-1.0|sqlite OUT

TRC: python-can 4.1's TRCWriter writes neither remote, FD nor error frames
(it skips them with a warning); the others take every message.
Run with Debian's /usr/bin/python3 (python3-can).
"""
import logging
import sys

import can

START = 1795237200.0  # 2026-11-21T05:00:00Z


def messages():
    yield can.Message(timestamp=START + 0.000100, arbitration_id=0x1AA, is_extended_id=False,
                      data=bytes.fromhex("5014E204230F0100"), channel=0)
    yield can.Message(timestamp=START + 0.250000, arbitration_id=0x12345678, is_extended_id=True,
                      data=b"\x01\x02\x03", channel=0, is_rx=False)
    yield can.Message(timestamp=START + 0.500000, arbitration_id=0x123, is_extended_id=False,
                      is_remote_frame=True, dlc=5, channel=1)
    yield can.Message(timestamp=START + 0.750000, is_error_frame=True, channel=0)
    yield can.Message(timestamp=START + 1.000000, arbitration_id=0x456, is_extended_id=False, is_fd=True,
                      bitrate_switch=True, data=bytes(range(12)), channel=0)
    yield can.Message(timestamp=START + 1.250001, arbitration_id=0x07F, is_extended_id=False,
                      data=bytes.fromhex("10070201"), channel=1)
    yield can.Message(timestamp=START + 61.5, arbitration_id=0x700 | 0x2A, is_extended_id=False,
                      data=bytes.fromhex("010206004D3C2B1A"), channel=0)


def writer_for(kind, path):
    if kind == "candump":
        return can.CanutilsLogWriter(path)
    if kind == "asc":
        return can.ASCWriter(path)
    if kind == "blf":
        return can.BLFWriter(path)
    if kind == "sqlite":
        return can.SqliteWriter(path)
    writer = can.TRCWriter(path)
    if kind == "trc-1.0":
        from can.io.trc import TRCFileVersion
        writer.file_version = TRCFileVersion.V1_0
    return writer


def main(kind, path):
    logging.disable(logging.WARNING)  # TRCWriter warns of each frame type it skips
    writer = writer_for(kind, path)
    for message in messages():
        writer.on_message_received(message)
    writer.stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
