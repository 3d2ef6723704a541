#!/usr/bin/env python3
"""Writes hash_embedder_v1.golden from docs/embedders.md section 2 alone: an
independent implementation of the `hash` embedder (v1), so that the C++ code is
checked against the written algorithm rather than against itself.

Independent on purpose: the lowercase mapping comes from Python's Unicode database
(str.lower, one code point at a time), not from the C++ rule table.

Usage: make_hash_embedder_golden.py [OUT]            (default hash_embedder_v1.golden)
       make_hash_embedder_golden.py --explain TEXT DIM  (prints a worked example)

File format (text, one record per line, fields separated by one space):
  norm <hex of input bytes> <hex of normalised bytes>
  vec <dim> <hex of input bytes> <dim floats, each %.9g>
Lines starting with '#' are comments. "-" stands for an empty hex string.
"""
import math
import struct
import sys

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
MASK64 = (1 << 64) - 1

# Code point ranges whose letters are lowercased (docs/embedders.md §2.1).
LOWER_RANGES = [(0x0041, 0x005A), (0x00C0, 0x00DE), (0x0100, 0x017F),
                (0x0370, 0x03FF), (0x0400, 0x04FF)]


def fnv1a64(data: bytes) -> int:
    h = FNV_OFFSET
    for b in data:
        h ^= b
        h = (h * FNV_PRIME) & MASK64
    return h


def lower_cp(cp: int) -> int:
    if not any(lo <= cp <= hi for lo, hi in LOWER_RANGES):
        return cp
    low = chr(cp).lower()
    if len(low) != 1:  # U+0130: full lowercase is two code points; left unchanged
        return cp
    assert len(low.encode()) == len(chr(cp).encode()), hex(cp)
    return ord(low)


def normalise(data: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(data):
        b = data[i]
        if 0x41 <= b <= 0x5A:
            out.append(b + 0x20)
            i += 1
        elif 0xC2 <= b <= 0xDF and i + 1 < len(data) and 0x80 <= data[i + 1] <= 0xBF:
            cp = ((b & 0x1F) << 6) | (data[i + 1] & 0x3F)
            out += chr(lower_cp(cp)).encode()
            i += 2
        else:
            out.append(b)
            i += 1
    return bytes(out)


def is_word_byte(b: int) -> bool:
    return (0x30 <= b <= 0x39) or (0x61 <= b <= 0x7A) or b >= 0x80


def words(norm: bytes):
    out, cur = [], bytearray()
    for b in norm:
        if is_word_byte(b):
            cur.append(b)
        elif cur:
            out.append(bytes(cur))
            cur = bytearray()
    if cur:
        out.append(bytes(cur))
    return out


def units(word: bytes):
    """Characters: a unit starts at the word's first byte or at any byte that is
    not a UTF-8 continuation byte (0x80..0xBF)."""
    out = []
    for i, b in enumerate(word):
        if i == 0 or not (0x80 <= b <= 0xBF):
            out.append(bytearray())
        out[-1].append(b)
    return [bytes(u) for u in out]


def features(text: bytes):
    feats = []
    for w in words(normalise(text)):
        feats.append((b"w:" + w, 1.0))
        padded = [b" "] + units(w) + [b" "]
        for n in (3, 4):
            for i in range(len(padded) - n + 1):
                feats.append((b"c:" + b"".join(padded[i:i + n]), 0.5))
    return feats


def f32(x: float) -> float:
    return struct.unpack("<f", struct.pack("<f", x))[0]


def embed(text: bytes, dim: int):
    acc = [0.0] * dim
    for feat, weight in features(text):
        h = fnv1a64(feat)
        acc[h % dim] += -weight if (h >> 63) else weight
    norm = math.sqrt(sum(a * a for a in acc))
    if norm == 0.0:
        return [1.0] + [0.0] * (dim - 1)
    return [f32(a / norm) for a in acc]


def hexs(b: bytes) -> str:
    return b.hex() if b else "-"


TEXTS = [
    "Hello, world".encode(),
    b"",
    b" \t\r\n  ",
    b"...!?",
    "The quick brown fox jumps over the lazy dog.".encode(),
    "the the the".encode(),
    "a b c x".encode(),
    "C++20 is fun!!! Version 3.14, 1e9".encode(),
    "Ærøskøbing Straße ÉCOLE déjà-vu".encode(),
    "ΑΘΗΝΑ Ελλάδα Άλφα ΌΜΙΚΡΟΝ ΣΟΦΙΑ".encode(),
    "МОСКВА Москва ЁЛКА Ѣ".encode(),
    "İstanbul ŸŒĲ ĀāĹĺ Ŋŋ".encode(),
    "日本語のテキスト、漢字！ 😀 emoji".encode(),
    b"\xff\xfeabc\xc3 \x80\x80z \xc3\xc3\x80 \xe2\x82",  # not valid UTF-8
    ("memory " * 50).encode(),
]

DIMS = [8, 384]


def all_letters() -> bytes:
    s = "".join(chr(cp) for lo, hi in LOWER_RANGES for cp in range(lo, hi + 1))
    return s.encode("utf-8", "surrogatepass")


def write_golden(out: str) -> None:
    lines = ["# hash_embedder_v1.golden: written by make_hash_embedder_golden.py from",
             "# docs/embedders.md section 2; do not edit by hand. Format: see the script."]
    for t in TEXTS + [all_letters()]:
        lines.append(f"norm {hexs(t)} {hexs(normalise(t))}")
    for t in TEXTS:
        for d in DIMS:
            v = embed(t, d)
            lines.append(f"vec {d} {hexs(t)} " + " ".join("%.9g" % x for x in v))
    with open(out, "w", encoding="ascii") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {out}: {len(lines)} lines")


def explain(text: str, dim: int) -> None:
    data = text.encode()
    print(f"normalised: {normalise(data).decode(errors='replace')!r}")
    acc = [0.0] * dim
    for feat, weight in features(data):
        h = fnv1a64(feat)
        sign = -1 if (h >> 63) else 1
        acc[h % dim] += sign * weight
        print(f"| `{feat.decode()}` | {weight} | `{h:016x}` | {h % dim} | {'+' if sign > 0 else '-'} |")
    print("sums:", acc)
    print("vector:", ", ".join("%.6f" % x for x in embed(data, dim)))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--explain":
        explain(sys.argv[2], int(sys.argv[3]))
    else:
        write_golden(sys.argv[1] if len(sys.argv) > 1 else "hash_embedder_v1.golden")
