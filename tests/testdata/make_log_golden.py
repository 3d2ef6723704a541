#!/usr/bin/env python3
"""Writes log_v1.golden from docs/format.md section 1 alone (an independent
implementation of the format, so the C++ code is checked against the spec)."""
import struct
import sys

def crc32c(data: bytes, crc: int = 0) -> int:
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF

def mask(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF

def frame(ftype: int, payload: bytes) -> bytes:
    crc = mask(crc32c(bytes([ftype]) + payload))
    return struct.pack("<IIB", crc, len(payload), ftype) + payload

def batch(seq: int, records) -> bytes:
    out = b""
    chain = b""
    for r in records:
        f = frame(1, r)
        chain += f[:4]
        out += f
    commit = struct.pack("<QII", seq, len(records), mask(crc32c(chain)))
    return out + frame(2, commit)

assert crc32c(b"123456789") == 0xE3069283
header = b"\x89URDLOG\n" + struct.pack("<II", 1, 0) + bytes(12)
header += struct.pack("<I", mask(crc32c(header)))
batches = [[b"alpha"], [b"", b"beta", b"\x5a" * 300], []]
data = header + b"".join(batch(i + 1, b) for i, b in enumerate(batches))
out = sys.argv[1] if len(sys.argv) > 1 else "log_v1.golden"
open(out, "wb").write(data)
print(f"wrote {out}: {len(data)} bytes")
