#!/usr/bin/env python3
"""Writes memory_v1_sem_batch.golden: urd's memory.log (docs/format.md §5) after
the one batch of mimir_v1_sem_batch.golden (reference §5.8): the framed log of
docs/format.md §1 with content kind 1 (memory), one RECORD frame per canonical
record, one COMMIT. Built from the format documents alone (independent of the
C++ code); the canonical records are taken from the mimir golden file."""
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

def split_records(stream: bytes):
    records, i = [], 0
    while i < len(stream):
        start, i = i, i + 1
        length, shift = 0, 0
        while True:
            b = stream[i]
            i += 1
            length |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        i += length
        records.append(stream[start:i])
    return records

here = sys.argv[1] if len(sys.argv) > 1 else "."
mimir = open(f"{here}/mimir_v1_sem_batch.golden", "rb").read()
assert mimir[:8] == b"MIMR\x01\x00\x00\x00"
records = split_records(mimir[8:])
assert len(records) == 8
MEMORY_KIND = 1
header = b"\x89URDLOG\n" + struct.pack("<II", 1, MEMORY_KIND) + bytes(12)
header += struct.pack("<I", mask(crc32c(header)))
frames = [frame(1, r) for r in records]
commit = struct.pack("<QII", 1, len(records), mask(crc32c(b"".join(f[:4] for f in frames))))
data = header + b"".join(frames) + frame(2, commit)
out = f"{here}/memory_v1_sem_batch.golden"
open(out, "wb").write(data)
print(f"wrote {out}: {len(data)} bytes")
