#!/usr/bin/env python3
"""Writes scenarios/captures/alfaspark-3pack.log: one minute of a clean 3-pack
Alfaspark site (protocol v1) in candump -l format, for the demo and tests.

Packs 0x2A, 0x3C and 0x51 (0x51 is master: highest id), bridge 0x01.
"""
import struct
import sys

START_S = 1795237200  # 2026-11-21T05:00:00Z
PACKS = [  # node, serial_lo, pack_cV, current_cA (SOC 35 %, 43 %, 70 %)
    (0x2A, 0x1A2B3C4D, 5200, 1250),
    (0x3C, 0x22334455, 5300, -800),
    (0x51, 0x5566AA01, 5760, 0),
]
GRID_START_WH = 250  # grid energy already imported today at 06:00 local
BRIDGE = 0x01


def frame(t_us, can_id, payload):
    sec, usec = divmod(t_us, 1_000_000)
    return f"({sec:010d}.{usec:06d}) can0 {can_id:03X}#{payload.hex().upper()}"


def soc(cv):
    return max(0, min(100, (cv * 10 - 46400) * 100 // 16000))


def main(path):
    lines = []
    t0 = START_S * 1_000_000
    # Boot heartbeats, then the bridge's time.
    for i, (node, serial, _, _) in enumerate(PACKS):
        lines.append(frame(t0 + 1000 * i, 0x700 | node, struct.pack("<BBBBI", 1, 2, 6, 1 if node == 0x51 else 0, serial)))
    lines.append(frame(t0 + 5000, 0x700 | BRIDGE, struct.pack("<BBBBI", 3, 1, 0, 2, 0xB41D6E00)))
    lines.append(frame(t0 + 6000, 0x100 | BRIDGE, struct.pack("<IhB", START_S, 60, 1)))
    # Self-consumption opened 0x51's grid relay before the capture (SOC >= 50 %).
    relays = {node: 0x0F for node, *_ in PACKS}
    relays[0x51] = 0x0E
    grid_wms = {node: GRID_START_WH * 3_600_000 for node, *_ in PACKS}
    modes = {node: 0x01 for node, *_ in PACKS}
    for cycle in range(30):
        t = t0 + 2_000_000 * (cycle + 1)
        if cycle == 10:  # the app switches Eco on at every pack
            lines.append(frame(t - 500_000, 0x07F, bytes([0x10, 7, 2, 1])))
            for j, (node, *_rest) in enumerate(PACKS):
                modes[node] |= 0x02
                lines.append(frame(t - 499_000 + 300 * j, 0x380 | node, bytes([0x10, 7, 0])))
        for j, (node, serial, cv, ca) in enumerate(PACKS):
            tp = t + 700 * j
            p_batt = cv * ca // 10000
            p_home, p_grid = 1800 + 40 * j, 300
            if cycle == 10:  # Eco is on and 1800 + 400 + 1200 W > 3000 W: shed the water heater
                relays[node] &= ~0x08
                lines.append(frame(tp, 0x400 | node, bytes([3, 0, 2, relays[node]])))
            lines.append(frame(tp + 100, 0x180 | node, struct.pack("<HhBBBB", cv, ca, soc(cv), relays[node], modes[node], 0x20 if node == 0x51 else 0)))
            p_solar = max(0, p_home + p_batt - p_grid)
            grid_wms[node] += p_grid * 2000  # integrated exactly, as the firmware does
            lines.append(frame(tp + 200, 0x200 | node, struct.pack("<hhhh", p_grid, p_home, p_batt, p_solar)))
            grid_wh10 = grid_wms[node] // 3_600_000 // 10
            # A shed heater's CT reads 0 from the next sample on: the shedding cycle
            # still reports the power that made Eco shed it.
            heater_W = 0 if relays[node] & 0x08 == 0 and cycle > 10 else 1200
            lines.append(frame(tp + 300, 0x280 | node, struct.pack("<hhHBB", 400, heater_W, grid_wh10, 10, 30)))
            if cycle % 5 == 4:
                lines.append(frame(tp + 400, 0x700 | node, struct.pack("<BBBBI", 1, 2, 6, 1 if node == 0x51 else 0, serial)))
        avg = sum(soc(cv) for _, _, cv, _ in PACKS) // 3
        total_batt = sum(cv * ca // 10000 for _, _, cv, ca in PACKS) // 10
        total_grid_100wh = sum(grid_wms.values()) // 3_600_000 // 100
        lines.append(frame(t + 3000, 0x300 | 0x51, struct.pack("<BBhhH", 3, avg, total_batt, 520, total_grid_100wh)))
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "scenarios/captures/alfaspark-3pack.log")
