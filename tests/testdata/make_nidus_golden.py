#!/usr/bin/env python3
"""Writes nidus 0.3.0 stores into nidus_v0.3.0/<name>/{data,log}, built from the
byte-level rules of reference/nidus.md sections 2.2-2.3 alone (an independent
encoder, so the C++ reader is checked against the spec, not against itself).

Stores:
  basic    the section 2.3 worked example, byte for byte (dimension 3).
  full     dimension 4: two live collections, a meta-only one, every Value type,
           SetMeta, an overwrite, a Delete, a DropCollection, an orphan row, and
           Upserts whose row is beyond the data file (skipped by the reader rule).
  torn     `full` plus a partial last data row and a torn last log frame.
  corrupt  `full` with the CRC of a middle frame flipped.

Usage: make_nidus_golden.py [OUTPUT_DIR]   (default: nidus_v0.3.0 beside this file)
"""
import os
import struct
import sys
import zlib

MAGIC = b"NIDUS\x00"


# ---- data file (section 2.2) ----

def data_file(dim, rows):
    header = MAGIC + struct.pack("<HI", 1, dim)
    header += bytes(64 - len(header))
    assert len(header) == 64
    out = header
    for row in rows:
        assert len(row) == dim
        out += struct.pack("<%df" % dim, *row)
    return out


# ---- bincode 1 legacy encoding (section 2.3) ----

def enc_str(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def enc_value(v):
    kind, payload = v
    if kind == "Null":
        return struct.pack("<I", 0)
    if kind == "Str":
        return struct.pack("<I", 1) + enc_str(payload)
    if kind == "Int":
        return struct.pack("<Iq", 2, payload)
    if kind == "Bool":
        return struct.pack("<IB", 3, 1 if payload else 0)
    if kind == "List":
        return struct.pack("<IQ", 4, len(payload)) + b"".join(enc_str(s) for s in payload)
    raise ValueError(kind)


def enc_map(m, enc_val):
    # BTreeMap: entries in ascending key order (byte order of the UTF-8 keys).
    keys = sorted(m, key=lambda k: k.encode("utf-8"))
    return struct.pack("<Q", len(keys)) + b"".join(enc_str(k) + enc_val(m[k]) for k in keys)


def create_collection(c):
    return struct.pack("<I", 0) + enc_str(c)


def drop_collection(c):
    return struct.pack("<I", 1) + enc_str(c)


def set_meta(c, meta):
    return struct.pack("<I", 2) + enc_str(c) + enc_map(meta, enc_str)


def upsert(c, doc_id, row, attrs):
    return (struct.pack("<I", 3) + enc_str(c) + enc_str(doc_id) + struct.pack("<Q", row) +
            enc_map(attrs, enc_value))


def delete(c, doc_id):
    return struct.pack("<I", 4) + enc_str(c) + enc_str(doc_id)


def frame(payload):
    return struct.pack("<I", len(payload)) + payload + struct.pack("<I", zlib.crc32(payload))


def write_store(root, name, data, log):
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "data"), "wb") as f:
        f.write(data)
    with open(os.path.join(d, "log"), "wb") as f:
        f.write(log)
    print(f"wrote {d}: data {len(data)} bytes, log {len(log)} bytes")


# ---- the stores ----

def basic():
    data = data_file(3, [[1.0, 0.0, 0.0]])
    f1 = frame(create_collection("docs"))
    f2 = frame(upsert("docs", "a", 0, {"kind": ("Str", "file")}))
    log = f1 + f2
    # The documented bytes of section 2.2 and 2.3.
    assert len(data) == 76 and len(log) == 101, (len(data), len(log))
    assert data[:12] == bytes.fromhex("4e 49 44 55 53 00 01 00 03 00 00 00")
    assert data[12:64] == bytes(52)
    assert data[64:] == bytes.fromhex("0000803f0000000000000000")
    assert f1 == bytes.fromhex(
        "10000000" "00000000" "0400000000000000" "646f6373" "8184ae9f"), f1.hex()
    assert len(f2) == 4 + 69 + 4 and f2[:4] == bytes.fromhex("45000000")
    assert f2[-4:] == bytes.fromhex("f3530b84"), f2[-4:].hex()
    return data, log


# Rows of `full` (already unit length, as nidus stores them). Row 6 is an orphan.
FULL_ROWS = [
    [1.0, 0.0, 0.0, 0.0],    # 0 docs/a (overwritten later: dead)
    [0.0, 1.0, 0.0, 0.0],    # 1 docs/b (deleted later: dead)
    [0.6, 0.8, 0.0, 0.0],    # 2 notes/n1
    [0.5, 0.5, 0.5, 0.5],    # 3 docs/a (second version)
    [0.0, 0.0, -1.0, 0.0],   # 4 notes/"ñ2"
    [0.0, 0.0, 0.0, 1.0],    # 5 tmp/t1 (dropped later: dead)
    [0.0, 0.0, 0.8, -0.6],   # 6 orphan: never referenced
]


def full_frames():
    ops = [
        create_collection("docs"),
        create_collection("notes"),
        set_meta("docs", {"owner": "ann", "model": "m1"}),
        upsert("docs", "a", 0, {
            "n": ("Null", None), "s": ("Str", "x"), "i": ("Int", -5),
            "b": ("Bool", True), "l": ("List", ["p", "q"])}),
        upsert("docs", "b", 1, {
            "i": ("Int", 2**63 - 1), "b": ("Bool", False), "l": ("List", [])}),
        upsert("notes", "n1", 2, {}),
        upsert("docs", "a", 3, {"s": ("Str", "y"), "lo": ("Int", -2**63)}),  # overwrite
        upsert("notes", "\u00f12", 4, {"t\u00e9": ("Str", "\u65e5\u672c"),
                                        "e": ("Str", ""), "x": ("List", ["", "\u00e9"])}),
        delete("docs", "b"),
        delete("docs", "zzz"),                  # absent: ignored
        delete("nowhere", "a"),                 # unknown collection: ignored
        upsert("tmp", "t1", 5, {"k": ("Int", 1)}),  # implicit create
        drop_collection("tmp"),                 # dead += 1
        drop_collection("never"),               # absent: no-op
        set_meta("meta_only", {"k": "v"}),      # implicit create, no docs
        set_meta("notes", {"a": "1"}),
        set_meta("notes", {}),                  # replaces, does not merge
        upsert("docs", "c", 7, {}),             # row 7 == row count: skipped
        upsert("ghost", "g", 99, {}),           # skipped: "ghost" is not created
    ]
    return [frame(p) for p in ops]


def full():
    data = data_file(4, FULL_ROWS)
    return data, b"".join(full_frames())


def torn():
    data, log = full()
    data += struct.pack("<f", 0.25) + b"\x00\x00"  # 6 bytes of a partial row
    last = frame(upsert("docs", "late", 6, {"s": ("Str", "torn")}))
    log += last[:len(last) - 5]  # the last frame lost its final 5 bytes
    return data, log


def corrupt():
    data = data_file(4, FULL_ROWS)
    frames = full_frames()
    bad = bytearray(frames[3])
    bad[-1] ^= 0x01  # flip one bit of the CRC of frame 3 (the first upsert)
    frames[3] = bytes(bad)
    return data, b"".join(frames)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "nidus_v0.3.0")
    assert zlib.crc32(b"123456789") == 0xCBF43926
    for name, build in [("basic", basic), ("full", full), ("torn", torn), ("corrupt", corrupt)]:
        write_store(root, name, *build())
    offsets, off = [], 0
    for f in full_frames():
        offsets.append(off)
        off += len(f)
    print("full: %d frames at offsets %s" % (len(offsets), offsets))


if __name__ == "__main__":
    main()
