"""An RS-485 line emulated on pseudo-terminals for the tap test.

A pymodbus RTU server (slave 1, 10 holding registers 100..109) and a pymodbus
RTU client talk through this bus, which mirrors every byte to a third pty, the
tap, and injects faults into chosen replies. Run with Debian's /usr/bin/python3.

usage: modbus_rtu_bus.py READY_FILE GO_FILE RESULT_FILE DONE_FILE
  writes {"tap": "/dev/pts/N"} to READY_FILE, waits for GO_FILE to exist
  (the recorder is listening), runs the client, writes what each request
  should have become to RESULT_FILE, and keeps the line open until DONE_FILE
  exists (the recorder has stopped).
"""
import json
import logging
import os
import select
import sys
import threading
import time

from pty_line import pty_pair, wait_for
from pymodbus.client import ModbusSerialClient
from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.server import StartSerialServer

logging.disable(logging.CRITICAL)

# What the bus does to the reply of request i, and what the tap should record.
PLAN = [
    ("pass", 0, 4, "MODBUS_OK"),
    ("pass", 2, 2, "MODBUS_OK"),
    ("corrupt_crc", 0, 4, "MODBUS_CRC_ERROR"),
    ("drop", 0, 4, "MODBUS_TIMEOUT"),
    ("pass", 9, 4, "MODBUS_EXCEPTION"),   # past the last register: illegal data address
    ("truncate", 0, 4, "MODBUS_MALFORMED"),
    ("pass", 5, 1, "MODBUS_OK"),
]


def read_until_quiet(fd, quiet_s=0.02, limit_s=1.0):
    data = b""
    deadline = time.time() + limit_s
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], quiet_s)
        if not ready:
            if data:
                return data
            continue
        data += os.read(fd, 1024)
    return data


def bus(client_m, server_m, tap_m, stop):
    request_index = -1
    while not stop.is_set():
        ready, _, _ = select.select([client_m, server_m], [], [], 0.05)
        if client_m in ready:
            request = read_until_quiet(client_m)
            request_index += 1
            os.write(tap_m, request)
            os.write(server_m, request)
        if server_m in ready:
            reply = read_until_quiet(server_m)
            action = PLAN[request_index][0] if 0 <= request_index < len(PLAN) else "pass"
            if action == "drop":
                continue
            if action == "corrupt_crc":
                reply = reply[:-1] + bytes([reply[-1] ^ 0xFF])
            if action == "truncate":
                reply = reply[:-4]
            os.write(tap_m, reply)
            os.write(client_m, reply)


def main(ready_file, go_file, result_file, done_file):
    client_m, client_path, _client_s = pty_pair()
    server_m, server_path, _server_s = pty_pair()
    tap_m, tap_path, _tap_s = pty_pair()
    with open(ready_file, "w") as out:
        json.dump({"tap": tap_path}, out)
    wait_for(go_file, 10)

    store = ModbusSlaveContext(hr=ModbusSequentialDataBlock(0, list(range(100, 110))), zero_mode=True)
    context = ModbusServerContext(slaves={1: store}, single=False)
    server = threading.Thread(
        target=StartSerialServer,
        kwargs=dict(context=context, framer=ModbusRtuFramer, port=server_path, baudrate=9600),
        daemon=True)
    server.start()
    stop = threading.Event()
    threading.Thread(target=bus, args=(client_m, server_m, tap_m, stop), daemon=True).start()
    time.sleep(1.0)  # the server opens its port

    # pymodbus 3.0 needs about a second of timeout to read replies reliably; one attempt each.
    client = ModbusSerialClient(port=client_path, baudrate=9600, timeout=1.0, retries=1)
    client.connect()
    outcomes = []
    for _action, address, count, expected in PLAN:
        try:
            response = client.read_holding_registers(address, count, slave=1)
            ok = not response.isError()
        except Exception:  # pymodbus raises on timeouts in some versions
            ok = False
        outcomes.append({"address": address, "count": count, "expect": expected, "client_ok": ok})
        time.sleep(0.6)  # longer than the tap's reply timeout: each exchange settles alone
    client.close()
    stop.set()
    with open(result_file + ".tmp", "w") as out:
        json.dump(outcomes, out)
    os.rename(result_file + ".tmp", result_file)
    wait_for(done_file, 30)


if __name__ == "__main__":
    main(*sys.argv[1:5])
