"""Decodes every protocol-v1 frame of a JSON-lines export with a DBC file
through canmatrix (Debian's python3-canmatrix) and compares each signal with
the one packtwin's export gives. Prints one JSON summary.

usage: dbc_decode.py FILE.dbc EXPORT.jsonl

canmatrix refuses a frame shorter than its message's DLC; COMMAND frames are
2 to 8 bytes, so a short frame is padded with zeros (the multiplexed arguments
that are present decode the same).
"""
import decimal
import json
import logging
import sys

import canmatrix
import canmatrix.formats

logging.disable(logging.CRITICAL)  # canmatrix logs the formats it lacks (ldf, xls)


def same(ours, theirs):
    return abs(decimal.Decimal(str(ours)) - decimal.Decimal(theirs)) < decimal.Decimal("1e-9")


def main(dbc_path, jsonl_path):
    db = canmatrix.formats.loadp_flat(dbc_path)
    summary = {"frames": 0, "signals": 0, "kinds": {}, "mismatches": []}
    with open(jsonl_path) as lines:
        for line in lines:
            event = json.loads(line)
            if event.get("kind") != "can_frame" or "signals" not in event:
                continue
            frame = db.frame_by_id(canmatrix.ArbitrationId(int(event["id"], 16)))
            if frame is None:
                summary["mismatches"].append({"seq": event["seq"], "why": "id not in the DBC"})
                continue
            data = bytes.fromhex(event["data"])
            data += bytes(frame.size - len(data))
            decoded = frame.decode(data)
            summary["frames"] += 1
            summary["kinds"][event["name"]] = summary["kinds"].get(event["name"], 0) + 1
            names = event.get("values", {})
            for name, value in event["signals"].items():
                summary["signals"] += 1
                theirs = decoded.get(name)
                if theirs is None or not same(value, theirs.phys_value):
                    summary["mismatches"].append({"seq": event["seq"], "signal": name, "packtwin": value,
                                                  "canmatrix": None if theirs is None else str(theirs.phys_value)})
                elif name in names and theirs.named_value != names[name]:
                    summary["mismatches"].append({"seq": event["seq"], "signal": name, "packtwin": names[name],
                                                  "canmatrix": str(theirs.named_value)})
            # canmatrix must find no signal the export lacks (a multiplexed argument of another command).
            for name in decoded:
                if name not in event["signals"]:
                    summary["mismatches"].append({"seq": event["seq"], "signal": name, "packtwin": None})
    summary["mismatches"] = summary["mismatches"][:20]
    print(json.dumps(summary))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
