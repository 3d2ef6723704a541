// Soak: `urd mcp` under a long mixed read/write session from the official SDK
// client (issue 6). Every write is checked readable at once and again at the end;
// the server must not crash, and its memory must stay flat: RSS may grow with the
// data it holds (bounded per write) but not during read-only stretches.
//
//   node soak.mjs /path/to/urd [--seconds N] [--seed S] [--json FILE]
//
// Defaults: 60 s (ctest runs 30 s: `mcp_soak`); the 30-minute run of issue 6 is
// `--seconds 1800`. Prints one summary line (and writes it as JSON with --json).
import fs from 'node:fs';
import path from 'node:path';
import { connect, makeTempDir, removeDir, shutdown } from './lib.mjs';

const argv = process.argv.slice(2);
const target = argv[0];
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
if (!target) {
  console.error('usage: node soak.mjs /path/to/urd [--seconds N] [--seed S] [--json FILE]');
  process.exit(2);
}
const seconds = Number(opt('seconds', '60'));
let seed = Number(opt('seed', '1'));
const jsonOut = opt('json', null);
// Under AddressSanitizer freed blocks wait in a quarantine (256 MiB by default):
// RSS says nothing about leaks there (LeakSanitizer does), so the bounds are off.
const sanitized = Boolean(process.env.ASAN_OPTIONS || process.env.TSAN_OPTIONS);

// A small deterministic generator (mulberry32).
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rand() * a.length)];

const WORDS = ['deploy', 'key', 'garden', 'tea', 'river', 'invoice', 'kernel', 'violin', 'harbor',
  'lantern', 'orbit', 'pepper', 'quartz', 'saddle', 'timber', 'walnut', 'zephyr', 'meadow'];

function rssKib(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : -1;
  } catch {
    return -1;
  }
}

let failures = 0;
function fail(msg) {
  failures++;
  console.error(`FAIL ${msg}`);
}

async function call(client, name, args) {
  const r = await client.callTool({ name, arguments: args });
  if (r.isError) throw new Error(`${name} ${JSON.stringify(args).slice(0, 200)}: ${r.content[0].text}`);
  return r.structuredContent;
}

const dir = makeTempDir('urd-soak-');
const server = await connect('soak', target, ['mcp', '--dir', path.join(dir, 'ws')], process.env);
const { client } = server;
const pid = server.transport.proc ? server.transport.proc.pid : server.transport.pid;

const notes = [];     // unique token -> text
const facts = [];     // [subject, value]
const entities = new Map();  // name -> observations
const counts = { remember: 0, recall: 0, memory_write: 0, memory_query: 0, graph_write: 0, graph_read: 0, stats: 0 };

async function step(i) {
  const r = rand();
  if (r < 0.25) {
    const token = `zq${i}x${Math.floor(rand() * 1e6)}`;
    const text = `${pick(WORDS)} ${pick(WORDS)} note ${token} ${pick(WORDS)}`;
    await call(client, 'remember', { text, attrs: { i: String(i) } });
    notes.push([token, text]);
    counts.remember++;
  } else if (r < 0.45 && notes.length > 0) {
    const [token, text] = pick(notes);
    const hits = (await call(client, 'recall', { query: token, k: 3 })).hits;
    if (!hits.some((h) => h.text === text)) fail(`recall ${token}: not found`);
    counts.recall++;
  } else if (r < 0.55) {
    const subject = `s${i}`;
    const value = `v${Math.floor(rand() * 1e9)}`;
    await call(client, 'memory_write', {
      forms: `(sem @${subject} @value "${value}" :src @observation :c 0.9 :v 2024-01-01)`,
    });
    facts.push([subject, value]);
    counts.memory_write++;
  } else if (r < 0.65 && facts.length > 0) {
    const [subject, value] = pick(facts);
    const q = await call(client, 'memory_query', { query: `(query :s @${subject} :p @value)` });
    if (q.records.length !== 1 || !q.records[0].form.includes(`"${value}"`)) fail(`query ${subject}`);
    counts.memory_query++;
  } else if (r < 0.8) {
    const name = `Entity ${Math.floor(rand() * 200)}`;
    const obs = `${pick(WORDS)} ${i}`;
    if (!entities.has(name)) {
      await call(client, 'create_entities', { entities: [{ name, entityType: 'thing', observations: [obs] }] });
      entities.set(name, [obs]);
    } else if (rand() < 0.15) {
      await call(client, 'delete_entities', { entityNames: [name] });
      entities.delete(name);
    } else {
      await call(client, 'add_observations', { observations: [{ entityName: name, contents: [obs] }] });
      entities.get(name).push(obs);
    }
    counts.graph_write++;
  } else if (r < 0.97) {
    const names = [...entities.keys()];
    if (names.length > 0) {
      const name = pick(names);
      const g = await call(client, 'open_nodes', { names: [name] });
      const got = g.entities.length === 1 ? g.entities[0].observations : null;
      if (JSON.stringify(got) !== JSON.stringify(entities.get(name))) fail(`open_nodes ${name}`);
    }
    counts.graph_read++;
  } else {
    await call(client, 'stats', {});
    counts.stats++;
  }
}

// Read-only stretch: RSS must not grow while nothing is written.
async function readOnly(n) {
  for (let k = 0; k < n; k++) {
    if (notes.length > 0) {
      const [token] = pick(notes);
      await call(client, 'recall', { query: token, k: 3 });
    }
    await call(client, 'read_graph', {});
  }
}

const t0 = Date.now();
let i = 0;
const samples = [];
let nextSample = t0;
try {
  while (Date.now() - t0 < seconds * 1000) {
    await step(i++);
    if (Date.now() >= nextSample) {
      samples.push({ t: (Date.now() - t0) / 1000, rss: rssKib(pid), ops: i });
      nextSample += Math.max(1000, (seconds * 1000) / 60);
    }
  }
  // Flat memory: a read-only stretch after warming up the same reads.
  await readOnly(200);
  const before = rssKib(pid);
  await readOnly(1000);
  const after = rssKib(pid);
  const readGrowth = after - before;
  if (!sanitized && readGrowth > 8 * 1024) fail(`RSS grew ${readGrowth} KiB over 1000 read-only request pairs`);
  // Growth while writing, per write, bounded (the data itself lives in memory).
  const writes = counts.remember + counts.memory_write + counts.graph_write;
  const first = samples.find((s) => s.ops > 100) || samples[0];
  const last = samples[samples.length - 1];
  const perWrite = writes > 0 ? ((last.rss - first.rss) * 1024) / writes : 0;
  if (!sanitized && perWrite > 64 * 1024) fail(`RSS grew ${Math.round(perWrite)} bytes per write`);
  // Every write readable at the end.
  const graph = await call(client, 'read_graph', {});
  const byName = new Map(graph.entities.map((e) => [e.name, e.observations]));
  for (const [name, obs] of entities) {
    if (JSON.stringify(byName.get(name)) !== JSON.stringify(obs)) fail(`final graph: ${name}`);
  }
  if (graph.entities.length !== entities.size) fail(`final graph: ${graph.entities.length} entities, expected ${entities.size}`);
  for (const [subject, value] of facts) {
    const q = await call(client, 'memory_query', { query: `(query :s @${subject} :p @value)` });
    if (q.records.length !== 1 || !q.records[0].form.includes(`"${value}"`)) fail(`final query ${subject}`);
  }
  const step_ = Math.max(1, Math.floor(notes.length / 300));
  for (let k = 0; k < notes.length; k += step_) {
    const [token, text] = notes[k];
    const hits = (await call(client, 'recall', { query: token, k: 3 })).hits;
    if (!hits.some((h) => h.text === text)) fail(`final recall ${token}`);
  }
  const st = await call(client, 'stats', {});
  if (st.vectors !== st.text_docs) fail(`stats: ${st.vectors} vectors, ${st.text_docs} text documents`);
  const summary = {
    seconds, requests: i, writes, counts, rss_kib_first: first.rss, rss_kib_last: last.rss,
    rss_bytes_per_write: Math.round(perWrite), rss_kib_read_only_growth: readGrowth,
    memories: st.memory, failures,
  };
  console.log(`soak: ${JSON.stringify(summary)}`);
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ summary, samples }, null, 2));
} catch (e) {
  fail(`${e.message}\nstderr:\n${server.stderr()}`);
}
for (const p of await shutdown(server)) fail(p);
removeDir(dir);
console.log(failures === 0 ? 'soak passed' : `soak: ${failures} failures`);
process.exit(failures === 0 ? 0 : 1);
