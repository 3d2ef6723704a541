// search_nodes is case-insensitive in @modelcontextprotocol/server-memory through
// JavaScript's String.prototype.toLowerCase (full Unicode lowercasing, from
// Node's ICU). This sweep compares urd's with it for every cased code point:
// one entity "<c>" per cased character c, then search_nodes "<c>" for each, on
// both servers; the found names must be equal.
//
//   node case_sweep.mjs /path/to/urd
//
// Not run by ctest: the reference's answers follow the Unicode version of the
// Node that runs it (characters assigned recently differ between Node 18 and 20).
// Prints the code point ranges that differ; exits 1 when any does.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, makeTempDir, removeDir, shutdown } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const target = process.argv[2];
if (!target) {
  console.error('usage: node case_sweep.mjs /path/to/urd');
  process.exit(2);
}

const chars = [];
for (let cp = 0x41; cp <= 0x1ffff; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  const c = String.fromCodePoint(cp);
  if (c.toLowerCase() !== c || c.toUpperCase() !== c) chars.push(c);
}

const refDir = makeTempDir('case-sweep-ref-');
const urdDir = makeTempDir('case-sweep-urd-');
const ref = await connect('server-memory', process.execPath,
  [path.join(here, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js')],
  { ...process.env, MEMORY_FILE_PATH: path.join(refDir, 'memory.jsonl') });
const urd = await connect('urd', target, ['mcp', '--dir', urdDir], { ...process.env });

const entities = chars.map((c) => ({ name: `<${c}>`, entityType: 't', observations: [] }));
for (const s of [ref, urd]) await s.client.callTool({ name: 'create_entities', arguments: { entities } });

const found = async (s, q) =>
  (await s.client.callTool({ name: 'search_nodes', arguments: { query: q } })).structuredContent.entities.map((e) => e.name);
const bad = [];
const examples = [];
for (const c of chars) {
  const a = await found(ref, `<${c}>`);
  const b = await found(urd, `<${c}>`);
  if (a.join(' ') !== b.join(' ')) {
    bad.push(c.codePointAt(0));
    if (examples.length < 12) examples.push(`  search_nodes "<${c}>" (U+${c.codePointAt(0).toString(16).toUpperCase()}): server-memory [${a.join(' ')}], urd [${b.join(' ')}]`);
  }
}
await shutdown(urd);
await ref.client.close();
removeDir(refDir);
removeDir(urdDir);

const ranges = [];
for (const cp of bad) {
  const last = ranges[ranges.length - 1];
  if (last && cp - last[1] <= 2) last[1] = cp;
  else ranges.push([cp, cp]);
}
const hex = (n) => `U+${n.toString(16).toUpperCase().padStart(4, '0')}`;
console.log(`Node ${process.version} (Unicode ${process.versions.unicode}): ${chars.length} cased characters, ` +
  `${bad.length} searched differently`);
if (bad.length > 0) {
  console.log(examples.join('\n'));
  console.log(`ranges: ${ranges.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join(' ')}`);
}
console.log(`${chars.length - bad.length} passed, ${bad.length} failed`);
process.exit(bad.length === 0 ? 0 : 1);
