"""An RS-485 line emulated on pseudo-terminals for the tap tests.

A pymodbus RTU server (slave 1) and a pymodbus RTU client talk through this
bus, which mirrors every byte to a third pty, the tap, and acts on chosen
replies (corrupt, drop, truncate, delay, a stray reply from another slave
first, or hold it back while the recorder stops). It writes what the tap
should have recorded, byte for byte. Run with Debian's /usr/bin/python3.

usage: modbus_rtu_bus.py PLAN READY_FILE GO_FILE RESULT_FILE DONE_FILE
  PLAN is "bms" (holding-register reads with faults) or "suite" (every
  function code pymodbus implements, slow, stray and held replies).
  Writes {"tap": "/dev/pts/N"} to READY_FILE, waits for GO_FILE to exist (the
  recorder is listening), runs the client, writes the expected exchanges to
  RESULT_FILE ({"exchanges": [...], "clients": [...]}), creates
  RESULT_FILE.held when a held request went out, and keeps the line open
  until DONE_FILE exists (the recorder has stopped).
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
from pymodbus.diag_message import ReturnBusMessageCountRequest, ReturnQueryDataRequest
from pymodbus.file_message import FileRecord, ReadFifoQueueRequest, ReadFileRecordRequest, WriteFileRecordRequest
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.mei_message import ReadDeviceInformationRequest
from pymodbus.other_message import GetCommEventCounterRequest, GetCommEventLogRequest, ReportSlaveIdRequest
from pymodbus.pdu import ModbusRequest
from pymodbus.server import StartSerialServer
from pymodbus.utilities import computeCRC

logging.disable(logging.CRITICAL)


class UserDefinedRequest(ModbusRequest):
    """Function 0x41 (user-defined): no length rule; the server refuses it."""
    function_code = 0x41

    def encode(self):
        return b"\x01\x02\x03"

    def decode(self, data):
        pass


def reads(action, address, count):
    return (lambda c: c.read_holding_registers(address, count, slave=1), action)


BMS_PLAN = [
    reads("pass", 0, 4), reads("pass", 2, 2), reads("corrupt_crc", 0, 4), reads("drop", 0, 4),
    reads("pass", 9, 4),  # past the last register: illegal data address
    reads("truncate", 0, 4), reads("pass", 5, 1),
]

SUITE_PLAN = [
    (lambda c: c.read_coils(0, 10, slave=1), "pass"),
    (lambda c: c.read_discrete_inputs(0, 10, slave=1), "pass"),
    (lambda c: c.read_holding_registers(0, 4, slave=1), "pass"),
    (lambda c: c.read_input_registers(0, 4, slave=1), "pass"),
    (lambda c: c.write_coil(1, True, slave=1), "pass"),
    (lambda c: c.write_register(1, 7, slave=1), "pass"),
    (lambda c: c.read_exception_status(slave=1), "pass"),
    # pymodbus' server frames a diagnostic as 8 bytes: the bus echoes 4 bytes of query data as a slave must
    (lambda c: c.execute(ReturnQueryDataRequest([0x1234, 0x5678], unit=1)), "echo"),
    (lambda c: c.execute(ReturnBusMessageCountRequest(unit=1)), "pass"),
    (lambda c: c.execute(GetCommEventCounterRequest(unit=1)), "pass"),
    (lambda c: c.execute(GetCommEventLogRequest(unit=1)), "pass"),
    (lambda c: c.write_coils(0, [True, False, True] * 4, slave=1), "pass"),
    (lambda c: c.write_registers(0, [1, 2, 3], slave=1), "pass"),
    (lambda c: c.execute(ReportSlaveIdRequest(unit=1)), "pass"),
    (lambda c: c.execute(ReadFileRecordRequest([FileRecord(file_number=1, record_number=2, record_length=2)],
                                               unit=1)), "pass"),
    (lambda c: c.execute(WriteFileRecordRequest([FileRecord(file_number=1, record_number=2,
                                                            record_data=b"\x00\x0A\x01\x02")], unit=1)), "pass"),
    (lambda c: c.mask_write_register(address=1, and_mask=0x00F2, or_mask=0x0025, unit=1), "pass"),
    (lambda c: c.readwrite_registers(read_address=0, read_count=3, write_address=4, write_registers=[9, 8],
                                     unit=1), "pass"),
    (lambda c: c.execute(ReadFifoQueueRequest(0, unit=1)), "pass"),
    (lambda c: c.execute(ReadDeviceInformationRequest(read_code=1, object_id=0, unit=1)), "pass"),
    (lambda c: c.execute(UserDefinedRequest(unit=1)), "answer"),  # pymodbus' server cannot frame it: the bus answers
    (lambda c: c.read_holding_registers(30, 4, slave=1), "pass"),  # past the end: exception 02
    (lambda c: c.read_holding_registers(0, 4, slave=1), "delay:0.7"),  # slow, within the tap's 1 s
    (lambda c: c.read_holding_registers(0, 4, slave=1), "delay:1.4"),  # after the tap's window: late
    (lambda c: c.read_holding_registers(0, 4, slave=1), "stray"),  # slave 2 answers first, unasked
    (lambda c: c.read_holding_registers(0, 4, slave=1), "drop"),
    (lambda c: c.read_holding_registers(2, 2, slave=1), "pass"),
    (lambda c: c.read_holding_registers(0, 4, slave=1), "hold"),  # still waiting when recording stops
]


def with_crc(body):
    crc = computeCRC(body)
    return body + bytes([crc >> 8, crc & 0xFF])


STRAY = with_crc(b"\x02\x03\x02\x00\x2A")
USER_DEFINED_REPLY = with_crc(b"\x01\x41\xAA\xBB\xCC")


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


def status_of(reply):
    return "MODBUS_EXCEPTION" if reply[1] & 0x80 else "MODBUS_OK"


class Bus:
    def __init__(self, plan, client_m, server_m, tap_m, held_file):
        self.plan, self.client_m, self.server_m, self.tap_m = plan, client_m, server_m, tap_m
        self.held_file = held_file
        self.expected = []
        self.request = None
        self.index = -1

    def action(self):
        return self.plan[self.index][1] if 0 <= self.index < len(self.plan) else "pass"

    def on_request(self, request):
        if self.request is not None:  # the last one got no reply
            self.expected.append({"request": self.request.hex().upper(), "reply": "", "status": "MODBUS_TIMEOUT"})
        self.index += 1
        self.request = request
        os.write(self.tap_m, request)
        if self.action() in ("answer", "echo"):
            time.sleep(0.02)
            self.on_reply(USER_DEFINED_REPLY if self.action() == "answer" else request)
            return
        os.write(self.server_m, request)
        if self.action() == "hold":
            self.expected.append({"request": request.hex().upper(), "reply": "", "status": "MODBUS_PENDING_AT_STOP"})
            self.request = None
            open(self.held_file, "w").close()

    def on_reply(self, reply):
        action = self.action()
        if action in ("drop", "hold"):
            return
        status = status_of(reply)
        if action == "corrupt_crc":
            reply, status = reply[:-1] + bytes([reply[-1] ^ 0xFF]), "MODBUS_CRC_ERROR"
        elif action == "truncate":
            reply, status = reply[:-4], "MODBUS_MALFORMED"
        elif action.startswith("delay:"):
            seconds = float(action[6:])
            time.sleep(seconds)
            if seconds > 1.0:
                status = "MODBUS_LATE_REPLY"
        elif action == "stray":
            os.write(self.tap_m, STRAY)
            self.expected.append({"request": "", "reply": STRAY.hex().upper(), "status": "MODBUS_UNPAIRED"})
            time.sleep(0.05)
        self.expected.append({"request": self.request.hex().upper(), "reply": reply.hex().upper(), "status": status})
        self.request = None
        os.write(self.tap_m, reply)
        os.write(self.client_m, reply)

    def run(self, stop):
        while not stop.is_set():
            ready, _, _ = select.select([self.client_m, self.server_m], [], [], 0.05)
            if self.client_m in ready:
                self.on_request(read_until_quiet(self.client_m))
            if self.server_m in ready:
                self.on_reply(read_until_quiet(self.server_m))


def main(plan_name, ready_file, go_file, result_file, done_file):
    plan = SUITE_PLAN if plan_name == "suite" else BMS_PLAN
    client_m, client_path, _client_s = pty_pair()
    server_m, server_path, _server_s = pty_pair()
    tap_m, tap_path, _tap_s = pty_pair()
    with open(ready_file, "w") as out:
        json.dump({"tap": tap_path}, out)
    wait_for(go_file, 10)

    blocks = {name: ModbusSequentialDataBlock(0, list(range(100, 120))) for name in ("co", "di", "hr", "ir")}
    blocks["co"] = ModbusSequentialDataBlock(0, [1, 0] * 10)
    blocks["di"] = ModbusSequentialDataBlock(0, [0, 1] * 10)
    blocks["hr"] = ModbusSequentialDataBlock(0, list(range(100, 110)))
    store = ModbusSlaveContext(zero_mode=True, **blocks)
    context = ModbusServerContext(slaves={1: store}, single=False)
    server = threading.Thread(
        target=StartSerialServer,
        kwargs=dict(context=context, framer=ModbusRtuFramer, port=server_path, baudrate=9600),
        daemon=True)
    server.start()
    stop = threading.Event()
    bus = Bus(plan, client_m, server_m, tap_m, result_file + ".held")
    threading.Thread(target=bus.run, args=(stop,), daemon=True).start()
    time.sleep(1.0)  # the server opens its port

    # pymodbus 3.0 needs about a second of timeout to read replies reliably; one attempt each.
    client = ModbusSerialClient(port=client_path, baudrate=9600, timeout=2.5, retries=0)
    client.connect()
    clients = []
    for call, _action in plan:
        try:
            response = call(client)
            ok = not response.isError()
        except Exception:  # pymodbus raises on timeouts in some versions
            ok = False
        clients.append(ok)
        time.sleep(0.1)
    client.close()
    time.sleep(0.2)
    stop.set()
    with open(result_file + ".tmp", "w") as out:
        json.dump({"exchanges": bus.expected, "clients": clients}, out)
    os.rename(result_file + ".tmp", result_file)
    wait_for(done_file, 30)


if __name__ == "__main__":
    main(*sys.argv[1:6])
