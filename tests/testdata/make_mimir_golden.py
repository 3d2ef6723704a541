#!/usr/bin/env python3
"""Writes mimir_v1_sem_batch.golden: the canonical.log of a fresh mimir-core 0.1.0
store after commit_batch("(sem @alice @knows @bob :src @observation :c 0.8
:v 2024-01-15)", 1713350400000), built byte by byte from
shared/reference/mimir-core.md §5 and §5.8 alone (an implementation independent
of src/memory/canonical.cc): the 8-byte header "MIMR" + u32 LE 1, then 170 bytes
in 8 records."""
import struct
import sys

NOW = 1_713_350_400_000
VALID = 1_705_276_800_000  # 2024-01-15T00:00:00Z

def varint(v: int) -> bytes:
    out = b""
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])

def record(op: int, body: bytes) -> bytes:
    return bytes([op]) + varint(len(body)) + body

def symbol_alloc(sid: int, name: str, kind: int) -> bytes:
    n = name.encode()
    return record(0x30, varint(sid) + varint(len(n)) + n + bytes([kind]) + struct.pack("<Q", NOW))

AGENT, MEMORY, PREDICATE, LITERAL = 0, 5, 8, 11
sem = (varint(4) + varint(0) + varint(1) + b"\x01" + varint(2) + varint(3) +
       struct.pack("<HQQQQ", 52428, VALID, NOW, NOW, 0xFFFF_FFFF_FFFF_FFFF) + b"\x00")
log = b"".join([
    symbol_alloc(5, "__ep_0", MEMORY),
    symbol_alloc(0, "alice", AGENT),
    symbol_alloc(1, "knows", PREDICATE),
    symbol_alloc(2, "bob", LITERAL),
    symbol_alloc(3, "observation", AGENT),
    symbol_alloc(4, "__mem_0", MEMORY),
    record(0x01, sem),
    record(0x20, varint(5) + struct.pack("<Q", NOW) + varint(1)),
])
assert len(log) == 170, len(log)
assert len(record(0x01, sem)) == 43
data = b"MIMR" + struct.pack("<I", 1) + log
out = sys.argv[1] if len(sys.argv) > 1 else "mimir_v1_sem_batch.golden"
open(out, "wb").write(data)
print(f"wrote {out}: {len(data)} bytes")
