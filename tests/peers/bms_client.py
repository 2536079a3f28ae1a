"""A pymodbus RTU client reading the BMS registers from `packtwin bms-emulate`.

Two pseudo-terminals joined back to back stand for the RS-485 line: the
emulator opens one, the client the other. Run with Debian's /usr/bin/python3.

usage: bms_client.py READY_FILE GO_FILE RESULT_FILE DONE_FILE AT_S...
  writes {"port": "/dev/pts/N"} to READY_FILE, waits for GO_FILE, then reads
  4 holding registers from slave 1 at each AT_S seconds after the first read,
  and writes one {"at": s, "registers": [...]} or {"at": s, "error": "..."} each;
  keeps the line open until DONE_FILE exists (the emulator has stopped).
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

logging.disable(logging.CRITICAL)


def join(a, b, stop):
    while not stop.is_set():
        ready, _, _ = select.select([a, b], [], [], 0.05)
        for fd in ready:
            data = os.read(fd, 1024)
            os.write(b if fd == a else a, data)


def main(ready_file, go_file, result_file, done_file, *times):
    emulator_m, emulator_path, _emulator_s = pty_pair()
    client_m, client_path, _client_s = pty_pair()
    stop = threading.Event()
    threading.Thread(target=join, args=(emulator_m, client_m, stop), daemon=True).start()
    with open(ready_file, "w") as out:
        json.dump({"port": emulator_path}, out)
    wait_for(go_file, 10)
    client = ModbusSerialClient(port=client_path, baudrate=9600, timeout=1.0, retries=0)
    client.connect()
    results = []
    start = None
    for at in map(float, times):
        if start is not None:
            time.sleep(max(0.0, start + at - time.time()))
        else:
            start = time.time()
        try:
            response = client.read_holding_registers(0, 4, slave=1)
            if response.isError():
                results.append({"at": at, "error": str(response)})
            else:
                results.append({"at": at, "registers": list(response.registers)})
        except Exception as e:  # pymodbus raises on timeouts in some versions
            results.append({"at": at, "error": str(e)})
    client.close()
    stop.set()
    with open(result_file + ".tmp", "w") as out:
        json.dump(results, out)
    os.rename(result_file + ".tmp", result_file)
    wait_for(done_file, 30)


if __name__ == "__main__":
    main(*sys.argv[1:])
