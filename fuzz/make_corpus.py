#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ (see
docs/fuzzing.md). Seeds are small real inputs: forms of docs/language.md, the golden
files of tests/testdata, filters of include/urd/filter.h, JSON-RPC lines of
docs/mcp.md. The structured targets (frames, vector_replay, nidus_import, compile)
take their input in the layout their file comment describes; this script writes
that layout. Run it again after changing a layout; it replaces fuzz/corpus/.

Usage: fuzz/make_corpus.py
"""
import json
import os
import shutil
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TESTDATA = os.path.join(ROOT, "tests", "testdata")
OUT = os.path.join(HERE, "corpus")
SEP = b"|^|"

shutil.rmtree(OUT, ignore_errors=True)


def read(*path):
    with open(os.path.join(*path), "rb") as f:
        return f.read()


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- memory language (lexer, parser, compile) ----

FORMS = [
    '(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15)',
    '(sem @alice email "alice@example.com" :src @profile :c 0.95 :v 2024-01-15)',
    '(sem @alice status @future :src @agent_instruction :c 0.9 :v 2099-01-01 :projected true)',
    '(epi @ev1 @meeting (@alice @bob) @room_101 :at 2024-01-15T10:00:00Z '
    ':obs 2024-01-15T10:05:00Z :src @observation :c 0.9)',
    '(pro @rule_route "agent_write" "route_via_librarian" :scp @mimir :src @policy :c 1.0)',
    '(inf @alice @likes @coffee (@__mem_0 @__mem_1) @majority_vote :c 0.7 :v 2024-01-20)',
    '(episode :start :label "design-session" :parent_episode @__ep_0 :retracts (@__ep_0))',
    '(pin @__mem_0 :actor @mira)\n(authoritative_set @__mem_0 :actor @operator)',
    '(rename @old @new)   (retire @tmp :reason "gone")   (alias @a @b)   (promote @scratch_42)',
    '(correct @target_ep (epi @ev @k (@p) @loc :at 2024-01-15T10:00:00Z '
    ':obs 2024-01-15T10:00:00Z :src @alice :c 0.9))',
    '(query :s @alice :p @knows)   (query :kind pro)   (query :include_retired true)   (query)',
    '; a comment\n(sem @x:Person @age 42 :src @self_report :c 0.5 :v 2024-02-29T23:59:59Z)'
    ' ; trailing\n(sem @x @tags ("a\\n\\t\\"q\\"" -7 1.5 nil false) :src @document :c 0.9 '
    ':v 2024-01-01)',
    '(sem @\u00e9l\u00e8ve @\u540d\u524d "\u65e5\u672c" :src @registry :c 0.9 :v 2024-01-01)'
    '\u3000\u2028',
]
ERRORS = [
    '(sem @a @b @c :src @observation :c 0.8)',
    '(sem @a @b "unterminated',
    '(sem @a @b "bad \\q escape")',
    '(sem @a @b 12-3x :src @o :c 1 :v 2024-01-01)',
    '(bogus @a)',
    '(sem @a @b (((((((((((((((((((((1))))))))))))))))))))) :src @o :c 1 :v 2024-01-01)',
]

for i, text in enumerate(FORMS + ERRORS):
    write("lexer", "form%02d" % i, text)
    write("parser", "form%02d" % i, text)
write("parser", "deep", "(sem @a @b " + "(" * 257 + ")" * 257 + " :src @o :c 1 :v 2024-01-01)")

# compile: batches separated by NUL; \x01 rolls a batch back, \x02 reuses the clock.
BATCHES = [
    [FORMS[0], FORMS[1], FORMS[2]],
    ['(sem @alice @city @paris :src @observation :c 0.9 :v 2024-03-01)',
     '(sem @alice @city @rome :src @observation :c 0.9 :v 2024-02-01)',
     '\x02(sem @alice @city @oslo :src @observation :c 0.9 :v 2024-04-01)'],
    ['(sem @a @p 1 :src @observation :c 0.5 :v 2024-01-01)'
     '(epi @ev1 @met (@a @b) @office :at 2024-01-02 :obs 2024-01-02 :src @observation :c 0.7)'
     '(pro @r1 "when" "do" :scp @global :src @policy :c 1.0)',
     '(inf @a @q 2 (@__mem_0) @direct_lookup :c 0.4 :v 2024-01-03)',
     '(sem @a @p 3 :src @observation :c 0.5 :v 2024-01-05)',
     '(pin @__mem_0 :actor @mira) (authoritative_set @__mem_1 :actor @op)'],
    ['(alias @bob @robert) (rename @alice @alicia)',
     '\x01(sem @alicia @knows @robert :src @observation :c 0.8 :v 2024-01-15)',
     '(retire @bob)',
     '(episode :start :label "second" :parent_episode @__ep_0) '
     '(sem @x @y @z :src @observation :c 0.1 :v 2024-01-01)'],
    ['(sem @a @b @c :src @policy :c 0.8 :v 2024-01-15)', '(sem @a @b @c :src @o :c 0.8 :v 2024-01-15)',
     '(sem @a @b @c :src @o :c 0.8 :v 2024-01-15)'],
]
for i, batches in enumerate(BATCHES):
    write("compile", "batches%02d" % i, "\0".join(batches))


# ---- canonical records, mimir log, frames ----

def records(stream):
    """Splits a canonical record stream: opcode, varint length, body."""
    out, i = [], 0
    while i < len(stream):
        j, n, shift = i + 1, 0, 0
        while True:
            b = stream[j]
            n |= (b & 0x7F) << shift
            shift += 7
            j += 1
            if b < 0x80:
                break
        out.append(stream[i:j + n])
        i = j + n
    return out


mimir = read(TESTDATA, "mimir_v1_sem_batch.golden")
write("mimir_import", "golden", mimir)
write("mimir_import", "golden_twice", mimir + mimir[8:])
write("mimir_import", "orphan", mimir[:-5])
write("mimir_import", "empty", b"MIMR\x01\x00\x00\x00")
write("canonical", "golden_stream", mimir[8:])
for i, r in enumerate(records(mimir[8:])):
    write("canonical", "record%02d" % i, r)


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def mask(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def log_header(kind):
    h = b"\x89URDLOG\n" + struct.pack("<II", 1, kind) + bytes(12)
    return h + struct.pack("<I", mask(crc32c(h)))


def frame(ftype, payload):
    body = bytes([ftype]) + payload
    return struct.pack("<II", mask(crc32c(body)), len(payload)) + body


def batch(seq, recs, commit=True):
    out, chain = b"", b""
    for r in recs:
        f = frame(1, r)
        out += f
        chain += f[:4]
    if commit:
        out += frame(2, struct.pack("<QII", seq, len(recs), mask(crc32c(chain))))
    return out


log_golden = read(TESTDATA, "log_v1.golden")
memory_golden = read(TESTDATA, "memory_v1_sem_batch.golden")
# Mode byte: bits 4-5 the content kind; bit 0-2 rewrite checksums; bit 3 salvage.
write("frames", "log_v1", b"\x00" + log_golden)
write("frames", "log_v1_torn", b"\x00" + log_golden[:-7])
write("frames", "log_v1_fixcrc", b"\x07" + log_golden)
write("frames", "memory_v1", b"\x10" + memory_golden)
corrupt = bytearray(log_golden)
corrupt[40] ^= 0xFF  # inside the first frame; later batches stay valid
write("frames", "log_v1_corrupt", b"\x00" + bytes(corrupt))
write("frames", "log_v1_salvage", b"\x08" + bytes(corrupt))
write("frames", "vector_kind", b"\x20" + log_header(2) + batch(1, [b"a", b"bc"]) +
      batch(2, []) + batch(3, [b"x"], commit=False))


# ---- vector store (vector_replay) ----

def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def vstr(s):
    b = s.encode("utf-8") if isinstance(s, str) else s
    return varint(len(b)) + b


def zigzag(v):
    return (v << 1) ^ (v >> 63) if v >= 0 else ((-v - 1) << 1) | 1


def attrs(entries):
    out = varint(len(entries))
    for key, (kind, value) in sorted(entries.items()):
        out += vstr(key) + bytes([kind])
        if kind == 1:
            out += vstr(value)
        elif kind == 2:
            out += varint(zigzag(value))
        elif kind == 3:
            out += struct.pack("<d", value)
        elif kind == 4:
            out += bytes([1 if value else 0])
        elif kind == 5:
            out += varint(len(value)) + b"".join(vstr(s) for s in value)
    return out


def op_create(c):
    return b"\x01" + vstr(c)


def op_drop(c):
    return b"\x02" + vstr(c)


def op_meta(c, meta):
    return b"\x03" + vstr(c) + varint(len(meta)) + b"".join(
        vstr(k) + vstr(v) for k, v in sorted(meta.items()))


def op_upsert(c, doc_id, row, a=None, crc=0):
    return b"\x04" + vstr(c) + vstr(doc_id) + varint(row) + struct.pack("<I", crc) + attrs(a or {})


def op_delete(c, doc_id):
    return b"\x05" + vstr(c) + vstr(doc_id)


def rows(dim, vectors):
    stride = (dim * 4 + 63) // 64 * 64
    out = b""
    for v in vectors:
        r = struct.pack("<%df" % dim, *v)
        out += r + bytes(stride - len(r))
    return out


def vector_seed(flags, dim, vecs, ops):
    """Structured layout: flags, dim byte, rows, then ops ('' ends a batch)."""
    return bytes([flags, dim - 1]) + SEP.join([rows(dim, vecs)] + ops)


unit = [(1, 0, 0), (0, 1, 0), (0, 0, 1), (0.6, 0.8, 0)]
basic_ops = [op_create("docs"), b"",
             op_upsert("docs", "a", 0, {"n": (2, 3), "s": (1, "x"), "f": (3, 0.5)}),
             op_upsert("docs", "b", 1, {"t": (5, ["p", "q"]), "b": (4, True), "z": (0, None)}), b"",
             op_meta("docs", {"model": "hash", "owner": "me"}), b"",
             op_upsert("other", "c", 2), op_upsert("docs", "a", 3), b"",
             op_delete("docs", "b"), b""]
write("vector_replay", "basic", vector_seed(0, 3, unit, basic_ops))
write("vector_replay", "torn", vector_seed(16, 3, unit, basic_ops[:-1]))
write("vector_replay", "readonly_int8", vector_seed(2 | 8, 3, unit, basic_ops))
write("vector_replay", "drop", vector_seed(64, 3, unit, basic_ops + [op_drop("docs"), b""]))
write("vector_replay", "orphan_rows", vector_seed(0, 3, unit + [(0, 0, 1)], basic_ops))
write("vector_replay", "dim8", vector_seed(32, 8, [tuple([0.5] * 4 + [0] * 4)],
                                          [op_upsert("c", "only", 0, {"k": (2, -5)}), b""]))


def current(gen, dim):
    text = "urd-vectors 1\ngeneration %d\ndimension %d\n" % (gen, dim)
    return (text + "checksum %08x\n" % mask(crc32c(text.encode()))).encode()


def vectors_header(dim, gen):
    h = b"\x89URDVEC\n" + struct.pack("<IIIQ", 1, dim, (dim * 4 + 63) // 64 * 64, gen) + bytes(32)
    return h + struct.pack("<I", mask(crc32c(h)))


def row_crc(dim, v):
    return mask(crc32c(struct.pack("<%df" % dim, *v)))


# Raw layout (flags bit 0): vectors.1, ops.1 and CURRENT verbatim.
raw_ops = log_header(2) + batch(1, [op_create("docs")]) + batch(
    2, [op_upsert("docs", "a", 0, {"n": (2, 1)}, row_crc(3, unit[0])),
        op_upsert("docs", "b", 1, {}, row_crc(3, unit[1]))])
write("vector_replay", "raw", bytes([1, 2]) + SEP.join(
    [vectors_header(3, 1) + rows(3, unit[:2]), raw_ops, current(1, 3)]))


# ---- nidus (nidus_import) ----

def nidus_frames(log):
    out, i = [], 0
    while i + 8 <= len(log):
        n = struct.unpack_from("<I", log, i)[0]
        if i + 8 + n > len(log):
            break
        out.append(log[i + 4:i + 4 + n])
        i += 8 + n
    return out, log[i:]


for name in ["basic", "full", "torn", "corrupt"]:
    data = read(TESTDATA, "nidus_v0.3.0", name, "data")
    log = read(TESTDATA, "nidus_v0.3.0", name, "log")
    # Raw layout: flags bit 0, data and log verbatim.
    write("nidus_import", name + "_raw", bytes([1, 0]) + data + SEP + log)
    dim = struct.unpack_from("<I", data, 8)[0]
    payloads, tail = nidus_frames(log)
    flags = 2 if tail else 0
    sections = [data[64:]] + payloads + ([tail] if tail else [])
    write("nidus_import", name, bytes([flags, dim - 1]) + SEP.join(sections))
    assert zlib.crc32(payloads[0]) == struct.unpack_from("<I", log, 4 + len(payloads[0]))[0]


# ---- filters (filter_json) ----

FILTERS = [
    '{"eq":{"k":3}}', '{"in":{"k":[1,2]}}', '{"in":{"k":[]}}', '{"glob":{"path":"src/*"}}',
    '{"range":{"n":{"gte":1,"lt":5}}}', '{"range":{"n":{"gt":0.5}}}', '{"range":{"s":{"lte":"m"}}}',
    '{"exists":"k"}', '{"not":{"exists":"k"}}', '{"and":[{"exists":"a"},{"exists":"b"}]}',
    '{"or":[{"exists":"a"}]}', '{"and":[]}', '{"not":{"and":[]}}', '{"eq":{"k":null}}',
    '{"eq":{"tags":["a","b"]},"glob":{"p":"[!a-c]?*"}}', '{}',
    '{"in":{"k":[1,"x",true,null,["l"],2.5e3]}}', '{"range":{"n":{"gt":-9223372036854775808}}}',
]
for i, f in enumerate(FILTERS):
    write("filter_json", "filter%02d" % i, f)


# ---- MCP lines (mcp_line) ----

def rpc(i, method, params=None):
    m = {"jsonrpc": "2.0", "id": i, "method": method}
    if params is not None:
        m["params"] = params
    return json.dumps(m, separators=(",", ":"))


def call(i, name, args):
    return rpc(i, "tools/call", {"name": name, "arguments": args})


init = rpc(1, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                             "clientInfo": {"name": "fuzz", "version": "1"}})
initialized = '{"jsonrpc":"2.0","method":"notifications/initialized"}'
SESSIONS = {
    "handshake": [init, initialized, rpc(2, "ping"), rpc(3, "tools/list")],
    "remember_recall": [init, call(2, "remember", {"text": "The deploy key rotates every Friday"}),
                        call(3, "recall", {"query": "when does the deploy key rotate?", "k": 3})],
    "memory_write": [init, call(2, "memory_write", {"forms": FORMS[0]}),
                     call(3, "memory_query", {"query": "(query :s @alice)"}),
                     call(4, "memory_history", {"symbol": "alice"}), call(5, "stats", {})],
    "graph": [init, call(2, "create_entities", {"entities": [
        {"name": "Alice", "entityType": "person", "observations": ["likes tea"]}]}),
        call(3, "create_relations", {"relations": [{"from": "Alice", "to": "Bob",
                                                     "relationType": "knows"}]}),
        call(4, "search_nodes", {"query": "tea"}), call(5, "read_graph", {}),
        rpc(6, "resources/subscribe", {"uri": "memory://knowledge-graph"}),
        call(7, "delete_entities", {"entityNames": ["Alice"]}),
        rpc(8, "resources/read", {"uri": "memory://knowledge-graph"})],
    "errors": ['{"jsonrpc":"2.0","id":1.5,"method":"ping"}', "not json", "",
               '[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"x"}]',
               rpc(9, "prompts/list"), call(10, "recall", {"query": "x", "k": 0}),
               call(11, "forget_everything", {})],
}
for name, lines in SESSIONS.items():
    write("mcp_line", name, "\n".join(lines))

total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
print("fuzz corpus: %d bytes in %s" % (total, OUT))
