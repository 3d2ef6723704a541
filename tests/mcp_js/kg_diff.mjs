// Differential test of urd's knowledge-graph tools against the reference
// implementation, @modelcontextprotocol/server-memory (pinned in package.json).
// The same scenario of tool calls runs against both servers, each on a fresh
// store, through the official SDK client; call by call, isError and
// structuredContent must be equal, and for the read tools content[0].text must
// parse to the same JSON. At the end urd is restarted on the same workspace and
// its read_graph must equal the reference's graph (durability). Then a second phase runs
// seeded random sequences of calls over a small pool of names (restarting urd
// every RANDOM_RESTART_EVERY calls) and compares them the same way.
//
//   node kg_diff.mjs /path/to/urd        reference vs urd
//   node kg_diff.mjs --server-memory     reference vs a second reference server
//                                        (a check of the scenario itself)
//   KG_DIFF_VERBOSE=1 node kg_diff.mjs …  also prints every reference result
//
// Exits 0 when every call matched, 1 otherwise (with a readable diff per
// mismatch); the last line is "N passed, N failed".
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, jsonDiff, makeTempDir, removeDir, show, shutdown } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const target = process.argv[2];
if (!target) {
  console.error('usage: node kg_diff.mjs /path/to/urd | --server-memory');
  process.exit(2);
}
const REFERENCE = path.join(here, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js');

// Arrays compared as multisets instead of in order, for every call. Paths use
// [] for any index. urd promises server-memory's order (entities in creation
// order, observations in the order added, relations in creation order), so this
// is empty; add a path here (or to one step's `unordered`) to relax a comparison.
const UNORDERED = [
  // '$.entities',
  // '$.relations',
  // '$.entities[].observations',
  // '$.results',
];

const READ_TOOLS = new Set(['read_graph', 'search_nodes', 'open_nodes']);

// The scenario. Each step: [tool, arguments] or [tool, arguments, {unordered:
// [paths], note}].
//
// Known server-memory bugs that the scenario avoids on purpose (urd does the
// sensible thing, so comparing would only report the reference's bug):
// - two entities with the same name inside ONE create_entities call: server-memory
//   checks new names only against the stored graph, not against each other, and
//   stores both; urd keeps the first;
// - the same content twice inside ONE add_observations entry (or one entity's
//   observations in create_entities): server-memory filters the contents only
//   against the stored observations and stores the duplicate twice; urd once;
// - the same relation twice inside ONE create_relations call: likewise stored
//   twice by server-memory.
// Duplicates across calls, and across two entries of one add_observations call,
// are well defined in server-memory and are part of the scenario.
const S = [
  // Entities: unicode, spaces, punctuation, quotes, backslash, newline, case.
  ['create_entities', { entities: [
    { name: 'Alice', entityType: 'person', observations: ['Likes tea', 'Lives in Paris'] },
    { name: 'Bob', entityType: 'person', observations: [] },
    { name: 'Zoë Kovač', entityType: 'person', observations: ['Speaks Croatian', 'Runs the Café Noir'] },
    { name: 'ACME, Inc.', entityType: 'organization', observations: ['Founded 1949'] },
  ] }],
  // Alice exists already (with another type and observations): only the new ones come back.
  ['create_entities', { entities: [
    { name: 'Alice', entityType: 'robot', observations: ['Made of tin'] },
    { name: 'Dr. Who?', entityType: 'character', observations: ['Time-travelling: yes!', 'line one\nline two'] },
    { name: 'alice', entityType: 'cat', observations: ['Lower-case name, a different entity'] },
    { name: 'O\'Brien "the \\ great"', entityType: 'person', observations: ['Quotes: "double" and \'single\''] },
  ] }],
  ['create_entities', { entities: [] }],
  // Relations, one to an entity that does not exist (allowed by server-memory).
  ['create_relations', { relations: [
    { from: 'Alice', to: 'Bob', relationType: 'knows' },
    { from: 'Zoë Kovač', to: 'ACME, Inc.', relationType: 'works at' },
    { from: 'Bob', to: 'ACME, Inc.', relationType: 'buys from' },
    { from: 'Alice', to: 'Ghost', relationType: 'is haunted by' },
  ] }],
  // A duplicate of an existing relation, the reverse direction, another type.
  ['create_relations', { relations: [
    { from: 'Alice', to: 'Bob', relationType: 'knows' },
    { from: 'Bob', to: 'Alice', relationType: 'knows' },
    { from: 'Alice', to: 'Bob', relationType: 'works with' },
  ] }],
  ['create_relations', { relations: [{ from: 'Alice', to: 'Bob', relationType: 'knows' }] }],
  // Observations: a duplicate of a stored one, unicode, emoji.
  ['add_observations', { observations: [
    { entityName: 'Alice', contents: ['Likes tea', 'Plays chess'] },
    { entityName: 'Bob', contents: ['Owns a cat 🐈', 'Ünïcödé everywhere'] },
  ] }],
  // An unknown entity: an error, and the whole call changes nothing (Bob's
  // observation is not added either).
  ['add_observations', { observations: [
    { entityName: 'Bob', contents: ['Rides a bike'] },
    { entityName: 'Nobody', contents: ['Does not exist'] },
  ] }],
  // The same entity in two entries of one call: the second sees the first's.
  ['add_observations', { observations: [
    { entityName: 'Zoë Kovač', contents: ['Born in Split'] },
    { entityName: 'Zoë Kovač', contents: ['Born in Split', 'Drinks espresso'] },
  ] }],
  // Wrong argument type: an error on both sides.
  ['add_observations', { observations: [{ entityName: 'Bob', contents: 'not an array' }] }],
  ['read_graph', {}],
  // Search: case-insensitive on names, types and observations, unicode case too;
  // relations with either end in the result.
  ['search_nodes', { query: 'TEA' }],
  ['search_nodes', { query: 'zoË' }],
  ['search_nodes', { query: 'café noir' }],
  ['search_nodes', { query: 'Person' }],
  ['search_nodes', { query: 'ALICE' }],
  ['search_nodes', { query: 'no such thing anywhere' }],
  ['search_nodes', { query: 'LINE TWO' }],
  // Open: the graph's order, unknown names ignored, relations with either end.
  ['open_nodes', { names: ['Zoë Kovač', 'Nobody', 'Alice'] }],
  ['open_nodes', { names: ['Dr. Who?', 'O\'Brien "the \\ great"'] }],
  ['open_nodes', { names: [] }],
  ['open_nodes', { names: ['Ghost'] }],
  // Deletions that name things that do not exist are no-ops.
  ['delete_observations', { deletions: [
    { entityName: 'Alice', observations: ['Likes tea', 'Not an observation'] },
    { entityName: 'Nobody', observations: ['x'] },
  ] }],
  ['delete_relations', { relations: [
    { from: 'Alice', to: 'Bob', relationType: 'knows' },
    { from: 'Alice', to: 'Bob', relationType: 'no such relation' },
  ] }],
  ['read_graph', {}],
  // Deleting entities deletes their relations, both directions.
  ['delete_entities', { entityNames: ['Bob', 'Nobody'] }],
  ['read_graph', {}],
  // Re-creating a deleted entity: a new one at the end, without its old relations.
  ['create_entities', { entities: [{ name: 'Bob', entityType: 'person', observations: ['Came back'] }] }],
  ['create_relations', { relations: [{ from: 'Bob', to: 'Alice', relationType: 'knows' }] }],
  // A name that is only a relation end: its relations go.
  ['delete_entities', { entityNames: ['Ghost'] }],
  // Every observation of an entity, then one of them again (it goes to the end).
  ['delete_observations', { deletions: [
    { entityName: 'Zoë Kovač', observations: ['Speaks Croatian', 'Runs the Café Noir', 'Born in Split', 'Drinks espresso'] },
  ] }],
  ['open_nodes', { names: ['Zoë Kovač'] }],
  ['add_observations', { observations: [{ entityName: 'Zoë Kovač', contents: ['Speaks Croatian', 'Likes tea too'] }] }],
  ['create_relations', { relations: [
    { from: 'Dr. Who?', to: 'Zoë Kovač', relationType: 'met at the café' },
    { from: 'O\'Brien "the \\ great"', to: 'alice', relationType: 'feeds' },
  ] }],
  ['delete_relations', { relations: [{ from: 'Zoë Kovač', to: 'ACME, Inc.', relationType: 'works at' }] }],
  ['search_nodes', { query: 'tea' }],
  ['delete_entities', { entityNames: [] }],
  ['read_graph', {}],
];

// The random phase: RANDOM_SEEDS.length sequences of RANDOM_STEPS calls, each on
// fresh stores. Names, types and contents come from small pools so that calls
// collide (existing names, duplicates, unknown entities, case variants). Unicode
// case variants stay within Latin-1, whose lowercasing is the same in every
// Unicode version. Duplicates inside one call are removed (the server-memory
// bugs named above).
const RANDOM_SEEDS = [1, 2, 3];
const RANDOM_STEPS = 200;
const RANDOM_RESTART_EVERY = 70;
const POOL = {
  names: ['Alice', 'alice', 'ALICE', 'Bob', 'Zoë', 'ZOË', 'x y', 'Dr. Who?', 'q"uo\\te', ''],
  types: ['person', 'Person', 'org', ''],
  obs: ['likes tea', 'Likes Tea', 'Café', 'CAFÉ', 'a', 'b', 'c', '', 'line\nbreak'],
  rels: ['knows', 'Knows', 'works at', ''],
  queries: ['alice', 'ö', 'Ë', 'tea', 'TEA', 'café', 'é', 'o', ' ', 'who?', 'PERSON', 'zz'],
};

function randomSteps(seed, n) {
  let state = seed;
  const rnd = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const some = (f, max) => Array.from({ length: Math.floor(rnd() * (max + 1)) }, f);
  const uniq = (a, key = JSON.stringify) => {
    const seen = new Set();
    return a.filter((x) => !seen.has(key(x)) && seen.add(key(x)));
  };
  const contents = () => uniq(some(() => pick(POOL.obs), 3));
  const relation = () => ({ from: pick(POOL.names), to: pick(POOL.names), relationType: pick(POOL.rels) });
  const steps = [];
  for (let i = 0; i < n; i++) {
    switch (Math.floor(rnd() * 9)) {
      case 0:
        steps.push(['create_entities', { entities: uniq(some(() => ({
          name: pick(POOL.names), entityType: pick(POOL.types), observations: contents() }), 3), (e) => e.name) }]);
        break;
      case 1: steps.push(['create_relations', { relations: uniq(some(relation, 3)) }]); break;
      case 2:
        steps.push(['add_observations', { observations: some(() => ({ entityName: pick(POOL.names), contents: contents() }), 2) }]);
        break;
      case 3: steps.push(['delete_entities', { entityNames: some(() => pick(POOL.names), 2) }]); break;
      case 4:
        steps.push(['delete_observations', { deletions: some(() => ({
          entityName: pick(POOL.names), observations: some(() => pick(POOL.obs), 3) }), 2) }]);
        break;
      case 5: steps.push(['delete_relations', { relations: some(relation, 2) }]); break;
      case 6: steps.push(['read_graph', {}]); break;
      case 7: steps.push(['search_nodes', { query: pick([...POOL.queries, ...POOL.names]) }]); break;
      default: steps.push(['open_nodes', { names: some(() => pick(POOL.names), 3) }]);
    }
  }
  return steps;
}

// One server behind the SDK client.
async function startReference(dir) {
  return connect('server-memory', process.execPath, [REFERENCE],
    { ...process.env, MEMORY_FILE_PATH: path.join(dir, 'memory.jsonl') });
}
async function startUrd(dir) {
  // The whole environment, so that sanitizer options reach a sanitized build.
  return connect('urd', target, ['mcp', '--dir', dir], { ...process.env });
}
const startSubject = target === '--server-memory' ? startReference : startUrd;
const subjectName = target === '--server-memory' ? 'server-memory #2' : 'urd';

async function call(server, name, args) {
  try {
    const r = await server.client.callTool({ name, arguments: args });
    return { isError: r.isError === true, structured: r.structuredContent, text: r.content && r.content[0] && r.content[0].text };
  } catch (e) {
    return { thrown: `${e.constructor.name}: ${e.message}` };
  }
}

function parseText(t) {
  try {
    return { ok: JSON.parse(t) };
  } catch (e) {
    return { error: `not JSON (${e.message}): ${JSON.stringify(t)}` };
  }
}

// Compares one call's results; returns the list of differences.
function compare(name, ref, got, unordered) {
  const out = [];
  if (ref.thrown || got.thrown) {
    if (ref.thrown && got.thrown) return out;
    const says = (x) => (x.thrown ? `threw ${x.thrown}` : `answered isError ${x.isError}: ${JSON.stringify(x.structured || x.text)}`);
    out.push(`reference ${says(ref)}`);
    out.push(`${subjectName} ${says(got)}`);
    return out;
  }
  if (ref.isError !== got.isError) {
    out.push(`isError: expected ${ref.isError}, got ${got.isError}`);
    out.push(`    reference text: ${JSON.stringify(ref.text)}`);
    out.push(`    ${subjectName} text: ${JSON.stringify(got.text)}`);
    return out;
  }
  if (ref.isError) return out;  // error texts differ by design; isError is what is compared
  for (const d of jsonDiff(ref.structured, got.structured, unordered, '$')) out.push(`structuredContent ${d}`);
  if (READ_TOOLS.has(name)) {
    const rt = parseText(ref.text);
    const gt = parseText(got.text);
    if (gt.error) out.push(`content[0].text: ${gt.error}`);
    else if (rt.ok !== undefined) for (const d of jsonDiff(rt.ok, gt.ok, unordered, '$')) out.push(`content[0].text ${d}`);
  }
  return out;
}

let passed = 0;
let failed = 0;
const mismatches = [];
// One check: quiet hides a passing one (the random phase's calls).
function record(label, diffs, args, quiet = false) {
  if (diffs.length === 0) {
    passed++;
    if (!quiet) console.log(`ok   ${label}`);
  } else {
    failed++;
    const lines = [`FAIL ${label}`];
    if (args !== undefined) lines.push(`     arguments: ${JSON.stringify(args)}`);
    for (const d of diffs) lines.push(`     ${d}`);
    console.log(lines.join('\n'));
    mismatches.push(lines.join('\n'));
  }
}

// Runs steps against the reference and the subject, each on a fresh store, and
// compares them call by call; restarts the subject every restartEvery calls
// (0: never) and once at the end, where its read_graph must equal the
// reference's. Returns the number of mismatches.
async function runSequence(name, steps, { restartEvery = 0, quiet = false } = {}) {
  const refDir = makeTempDir('kg-diff-ref-');
  const subDir = makeTempDir('kg-diff-sub-');
  const before = failed;
  let ref;
  let sub;
  const restart = async () => {
    const old = sub;
    sub = undefined;
    record(`${name}: ${subjectName} exits with 0 when its stdin closes`, await shutdown(old), undefined, quiet);
    sub = await startSubject(subDir);
  };
  try {
    ref = await startReference(refDir);
    sub = await startSubject(subDir);
    for (let i = 0; i < steps.length; i++) {
      const [tool, args, opts = {}] = steps[i];
      if (restartEvery > 0 && i > 0 && i % restartEvery === 0) await restart();
      const unordered = new Set([...UNORDERED, ...(opts.unordered || [])]);
      const r = await call(ref, tool, args);
      const g = await call(sub, tool, args);
      const label = `${name} #${String(i + 1).padStart(2, '0')} ${tool} ${JSON.stringify(args).slice(0, 90)}`;
      record(label, compare(tool, r, g, unordered), args, quiet);
      if (process.env.KG_DIFF_VERBOSE && !quiet) console.log(`     reference: ${show(r)}`);
      if (quiet && failed - before >= 5) {
        console.log(`     (${name}: stopped after 5 mismatches; the stores have diverged)`);
        break;
      }
    }
    // Durability: a new process on the same store answers the same graph.
    await restart();
    const expected = await call(ref, 'read_graph', {});
    const again = await call(sub, 'read_graph', {});
    const d = again.thrown ? [`threw ${again.thrown}`] :
      jsonDiff(expected.structured, again.structured, new Set(UNORDERED), '$').map((x) => `structuredContent ${x}`);
    record(`${name}: ${subjectName} restarted on the same store: read_graph equals the reference's last graph`, d);
  } catch (e) {
    record(`${name}: threw`, [String(e.stack || e)]);
  } finally {
    if (ref) await ref.client.close();
    if (sub) {
      record(`${name}: ${subjectName} exits with 0 at the end`, await shutdown(sub), undefined, quiet);
      if (failed > before) console.log(`${subjectName} stderr:\n${sub.stderr()}`);
    }
    removeDir(refDir);
    removeDir(subDir);
  }
  return failed - before;
}

await runSequence('scenario', S);
for (const seed of RANDOM_SEEDS) {
  const steps = randomSteps(seed, RANDOM_STEPS);
  const n = await runSequence(`random seed ${seed}`, steps, { restartEvery: RANDOM_RESTART_EVERY, quiet: true });
  if (n === 0) console.log(`ok   random seed ${seed}: ${steps.length} calls matched (${subjectName} restarted every ${RANDOM_RESTART_EVERY})`);
}

if (mismatches.length > 0) {
  console.log(`\n${mismatches.length} mismatch(es) between server-memory and ${subjectName} (details above):`);
  for (const m of mismatches) console.log(`  ${m.split('\n')[0]}`);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
