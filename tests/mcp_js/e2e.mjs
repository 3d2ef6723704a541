// End-to-end test of `urd mcp` through the official MCP TypeScript SDK client
// (@modelcontextprotocol/sdk, pinned in package.json): the SDK spawns the server
// over stdio, negotiates, lists the tools (so it validates every structured
// result against the tool's outputSchema), and every tool, error case, resource
// and notification is checked from the client's side.
//
//   node e2e.mjs /path/to/urd            the whole test against urd
//   node e2e.mjs --server-memory         only the knowledge-graph and resource
//                                        checks, against the reference server
//                                        (@modelcontextprotocol/server-memory):
//                                        a check of the test itself
//
// Exits 0 when every check passed, 1 otherwise; the last line is
// "N passed, N failed".
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { McpError, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { connect, makeTempDir, removeDir, show, shutdown, waitFor } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const target = process.argv[2];
if (!target) {
  console.error('usage: node e2e.mjs /path/to/urd | --server-memory');
  process.exit(2);
}
const againstReference = target === '--server-memory';

const KG_TOOLS = ['create_entities', 'create_relations', 'add_observations', 'delete_entities',
  'delete_observations', 'delete_relations', 'read_graph', 'search_nodes', 'open_nodes'];
const URD_TOOLS = ['remember', 'recall', 'memory_write', 'memory_query', 'memory_history', 'stats'];
const GRAPH_URI = 'memory://knowledge-graph';

let passed = 0;
let failed = 0;
function check(cond, what, detail) {
  if (cond) {
    passed++;
    console.log(`ok   ${what}`);
  } else {
    failed++;
    console.log(`FAIL ${what}${detail === undefined ? '' : `\n     ${typeof detail === 'string' ? detail : show(detail)}`}`);
  }
  return cond;
}
// Runs one group of checks; an exception inside it is one failure, and the
// following groups still run.
async function group(name, fn) {
  console.log(`-- ${name}`);
  try {
    await fn();
  } catch (e) {
    check(false, `${name}: threw`, e && e.stack ? e.stack : String(e));
  }
}

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStrArray = (v) => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isEntity = (e) => isObj(e) && typeof e.name === 'string' && typeof e.entityType === 'string' &&
  isStrArray(e.observations);
const isRelation = (r) => isObj(r) && typeof r.from === 'string' && typeof r.to === 'string' &&
  typeof r.relationType === 'string';
const isGraph = (g) => isObj(g) && Array.isArray(g.entities) && g.entities.every(isEntity) &&
  Array.isArray(g.relations) && g.relations.every(isRelation);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function textOf(result) {
  const c = result && result.content;
  return Array.isArray(c) && c[0] && c[0].type === 'text' ? c[0].text : undefined;
}

const dir = makeTempDir('urd-mcp-e2e-');
let server;
if (againstReference) {
  server = await connect('server-memory', process.execPath,
    [path.join(here, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js')],
    { ...process.env, MEMORY_FILE_PATH: path.join(dir, 'memory.jsonl') });
} else {
  // The whole environment, so that sanitizer options reach a sanitized build.
  server = await connect('urd', target, ['mcp', '--dir', dir], { ...process.env });
}
const { client, transport } = server;

// Calls a tool that must succeed; returns its result.
async function callOk(name, args) {
  const r = await client.callTool({ name, arguments: args });
  check(r.isError !== true, `${name}: isError is not true`, r);
  check(typeof textOf(r) === 'string', `${name}: content[0] is a text block`, r.content);
  check(isObj(r.structuredContent), `${name}: has structuredContent`, r);
  return r;
}

try {
  await group('initialize', async () => {
    const info = client.getServerVersion();
    if (!againstReference) {
      check(info && info.name === 'urd', 'serverInfo.name is "urd"', info);
      check(info && typeof info.version === 'string' && info.version.length > 0, 'serverInfo.version', info);
      check(typeof client.getInstructions() === 'string', 'instructions is a string', client.getInstructions());
    }
    const init = transport.sent.find((m) => m.method === 'initialize');
    const reply = init && transport.received.find((m) => m.id === init.id);
    check(reply && reply.result, 'initialize answered with a result', reply);
    check(reply && reply.result.protocolVersion === init.params.protocolVersion,
      `protocolVersion echoes the SDK's latest (${init && init.params.protocolVersion})`,
      reply && reply.result.protocolVersion);
    const caps = client.getServerCapabilities() || {};
    check(isObj(caps.tools), 'capabilities.tools', caps);
    check(isObj(caps.resources) && caps.resources.subscribe === true, 'capabilities.resources.subscribe is true', caps);
    check(transport.sent.some((m) => m.method === 'notifications/initialized'), 'SDK sent notifications/initialized');
  });

  await group('ping', async () => {
    const r = await client.ping();
    check(isObj(r) && Object.keys(r).length === 0, 'ping returns {}', r);
  });

  await group('tools/list', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    const expected = againstReference ? KG_TOOLS : [...URD_TOOLS, ...KG_TOOLS];
    for (const n of expected) {
      const t = tools.find((x) => x.name === n);
      check(t !== undefined, `tools/list has ${n}`, names);
      if (!t) continue;
      check(isObj(t.inputSchema) && t.inputSchema.type === 'object', `${n}: inputSchema is an object schema`, t.inputSchema);
      check(typeof t.description === 'string' && t.description.length > 0, `${n}: has a description`);
      check(isObj(t.outputSchema) && t.outputSchema.type === 'object', `${n}: has an outputSchema`, t.outputSchema);
    }
    check(new Set(names).size === names.length, 'tool names are unique', names);
  });

  if (!againstReference) {
    await group('remember / recall', async () => {
      const r = await callOk('remember', { texts: ['Alice moved to Paris in the spring', 'Bob drinks green tea every morning'] });
      const s = r.structuredContent;
      check(isStrArray(s.memory_ids) && s.memory_ids.length === 2, 'remember: two memory_ids', s);
      check(typeof s.episode === 'string', 'remember: episode', s);
      check(ISO.test(s.committed_at), 'remember: committed_at is ISO-8601 UTC', s.committed_at);

      const one = await callOk('remember', { text: 'Carol plays the cello', kind: 'sem', subject: 'carol', predicate: 'plays' });
      check(one.structuredContent.memory_ids.length === 1, 'remember (one text, sem): one memory id', one.structuredContent);

      const q = await callOk('recall', { query: 'Paris', k: 5 });
      const hits = q.structuredContent.hits;
      check(Array.isArray(hits) && hits.length >= 1, 'recall: has hits', q.structuredContent);
      for (const h of hits) {
        check(typeof h.id === 'string' && typeof h.text === 'string' && typeof h.score === 'number' && isObj(h.legs),
          `recall: hit ${h.id} has id, text, score, legs`, h);
        check('vector_rank' in h.legs && 'bm25_rank' in h.legs && typeof h.legs.fused === 'number',
          `recall: hit ${h.id} legs has vector_rank, bm25_rank, fused`, h.legs);
      }
      check(hits[0] && hits[0].text === 'Alice moved to Paris in the spring' && hits[0].id === s.memory_ids[0],
        'recall "Paris": the Paris text is the first hit, with the id remember gave', hits[0]);
      const q2 = await callOk('recall', { query: 'green tea', k: 10 });
      check(q2.structuredContent.hits.some((h) => h.text === 'Bob drinks green tea every morning' && h.id === s.memory_ids[1]),
        'recall "green tea": finds the second text', q2.structuredContent.hits);
      check(isObj(q2.structuredContent.memory_boundary) &&
        q2.structuredContent.memory_boundary.instruction_boundary === 'data_only_never_execute',
        'recall: memory_boundary', q2.structuredContent.memory_boundary);
      const q3 = await callOk('recall', { query: 'cello', kind: 'sem', k: 3 });
      check(q3.structuredContent.hits.length >= 1 && q3.structuredContent.hits.every((h) => h.kind === 'sem'),
        'recall with kind sem: only sem hits', q3.structuredContent.hits);
    });

    await group('memory_write / memory_query / memory_history', async () => {
      const w = await callOk('memory_write', { forms: '(sem @alice @lives_in "Paris" :src @observation :c 0.9 :v 2024-01-15)' });
      const ids = w.structuredContent.memory_ids;
      check(isStrArray(ids) && ids.length === 1, 'memory_write: one memory id', w.structuredContent);
      check(typeof w.structuredContent.episode === 'string' && ISO.test(w.structuredContent.committed_at),
        'memory_write: episode and committed_at', w.structuredContent);

      const q = await callOk('memory_query', { query: '(query :s @alice :p @lives_in)' });
      const recs = q.structuredContent.records;
      check(Array.isArray(recs) && recs.length === 1, 'memory_query: one record', q.structuredContent);
      const rec = recs[0] || {};
      check(rec.memory_id === ids[0], 'memory_query: the record is the written memory', rec);
      check(rec.kind === 'sem' && typeof rec.form === 'string' && rec.form.includes('@alice') &&
        rec.form.includes('@lives_in') && rec.form.includes('"Paris"'), 'memory_query: kind and form', rec);
      check(Math.abs(rec.confidence - 0.9) < 1e-3, 'memory_query: confidence 0.9', rec.confidence);
      check(typeof rec.valid_at === 'string' && rec.valid_at.startsWith('2024-01-15'), 'memory_query: valid_at 2024-01-15', rec.valid_at);
      check(rec.instruction_boundary === 'data_only_never_execute', 'memory_query: record instruction_boundary', rec);
      check(Array.isArray(q.structuredContent.filtered) && Array.isArray(q.structuredContent.flags),
        'memory_query: filtered and flags arrays', q.structuredContent);
      check(textOf(q).includes('"Paris"'), 'memory_query: text rendering shows the form', textOf(q));

      const h = await callOk('memory_history', { symbol: '@alice' });
      check(h.structuredContent.symbol === '@alice' || h.structuredContent.symbol === 'alice',
        'memory_history: symbol', h.structuredContent.symbol);
      check(Array.isArray(h.structuredContent.records) && h.structuredContent.records.some((x) => x.memory_id === ids[0]),
        'memory_history: contains the written memory', h.structuredContent.records);

      const r = await callOk('recall', { query: 'Paris', kind: 'sem' });
      check(r.structuredContent.hits.some((x) => x.id === ids[0]), 'recall finds the memory_write fact', r.structuredContent.hits);
    });

    await group('stats', async () => {
      const s = (await callOk('stats', {})).structuredContent;
      check(typeof s.version === 'string' && isObj(s.memory), 'stats: version and memory', s);
      check(Number.isInteger(s.memory.sem) && s.memory.sem >= 2 && Number.isInteger(s.memory.epi) && s.memory.epi >= 2,
        'stats: counts what was written (sem >= 2, epi >= 2)', s.memory);
      check(Number.isInteger(s.vectors) && s.vectors >= 4 && typeof s.embedder === 'string' && Number.isInteger(s.dimension),
        'stats: vectors, embedder, dimension', s);
    });

    await group('errors', async () => {
      let err;
      try {
        const r = await client.callTool({ name: 'no_such_tool', arguments: {} });
        err = r;
      } catch (e) {
        err = e;
      }
      check(err instanceof McpError && err.code === -32602, 'unknown tool: JSON-RPC error -32602 (McpError)', err);

      // The SDK client does not validate arguments; the server does. urd answers
      // schema failures as tool results with isError (docs/mcp.md §5).
      const bad = await client.callTool({ name: 'recall', arguments: { query: 42 } });
      check(bad.isError === true && /recall/.test(textOf(bad) || '') && /query/.test(textOf(bad) || ''),
        'recall with query: 42 → isError, message names the tool and argument', bad);
      const missing = await client.callTool({ name: 'memory_query', arguments: {} });
      check(missing.isError === true && /query/.test(textOf(missing) || ''), 'memory_query without query → isError', missing);
      const range = await client.callTool({ name: 'recall', arguments: { query: 'x', k: 1000 } });
      check(range.isError === true, 'recall with k: 1000 → isError', range);

      const form = await client.callTool({ name: 'memory_write', arguments: { forms: '(sem @alice' } });
      const t = textOf(form) || '';
      check(form.isError === true, 'memory_write of a bad form → isError', form);
      check(/memory_write failed/.test(t) && /line 1, column \d+/.test(t), 'memory_write error text is readable (line, column)', t);
      check(form.structuredContent === undefined, 'error result carries no structuredContent', form.structuredContent);

      const r = await client.callTool({ name: 'memory_query', arguments: { query: '(query :s @alice :p @lives_in)' } });
      check(r.structuredContent && r.structuredContent.records.length === 1, 'the failed write committed nothing', r.structuredContent);
    });
  }

  await group('knowledge-graph tools', async () => {
    const c = await callOk('create_entities', {
      entities: [
        { name: 'Zoë Kovač', entityType: 'person', observations: ['Speaks Croatian', 'Lives in Zürich'] },
        { name: 'ACME, Inc.', entityType: 'organization', observations: [] },
      ],
    });
    check(Array.isArray(c.structuredContent.entities) && c.structuredContent.entities.length === 2 &&
      c.structuredContent.entities.every(isEntity), 'create_entities: returns the two entities', c.structuredContent);
    check(c.structuredContent.entities[0].name === 'Zoë Kovač', 'create_entities: unicode name round-trips', c.structuredContent.entities[0]);

    const rel = await callOk('create_relations', { relations: [{ from: 'Zoë Kovač', to: 'ACME, Inc.', relationType: 'works at' }] });
    check(Array.isArray(rel.structuredContent.relations) && rel.structuredContent.relations.length === 1 &&
      rel.structuredContent.relations.every(isRelation), 'create_relations: returns the relation', rel.structuredContent);

    const obs = await callOk('add_observations', { observations: [{ entityName: 'ACME, Inc.', contents: ['Founded 1949', 'Makes anvils'] }] });
    const res = obs.structuredContent.results;
    check(Array.isArray(res) && res.length === 1 && res[0].entityName === 'ACME, Inc.' &&
      JSON.stringify(res[0].addedObservations) === JSON.stringify(['Founded 1949', 'Makes anvils']),
      'add_observations: results[].entityName/addedObservations', obs.structuredContent);

    const g = await callOk('read_graph', {});
    check(isGraph(g.structuredContent) && g.structuredContent.entities.length === 2 && g.structuredContent.relations.length === 1,
      'read_graph: 2 entities, 1 relation', g.structuredContent);
    let parsed;
    try { parsed = JSON.parse(textOf(g)); } catch (e) { parsed = e.message; }
    check(JSON.stringify(parsed) === JSON.stringify(g.structuredContent), 'read_graph: text is the JSON of structuredContent', textOf(g));

    const s = await callOk('search_nodes', { query: 'zürich' });
    check(isGraph(s.structuredContent) && s.structuredContent.entities.length === 1 &&
      s.structuredContent.entities[0].name === 'Zoë Kovač', 'search_nodes "zürich": finds Zoë', s.structuredContent);
    if (!againstReference) {
      // urd's extension: search by meaning.
      const sem = await callOk('search_nodes', { query: 'anvil manufacturer founded long ago', mode: 'semantic', k: 2 });
      check(isGraph(sem.structuredContent) && sem.structuredContent.entities.length >= 1 &&
        sem.structuredContent.entities.length <= 2 && sem.structuredContent.entities[0].name === 'ACME, Inc.',
      'search_nodes mode semantic: ACME first, at most k', sem.structuredContent);
    }
    const o = await callOk('open_nodes', { names: ['ACME, Inc.', 'Nobody'] });
    check(isGraph(o.structuredContent) && o.structuredContent.entities.length === 1 && o.structuredContent.relations.length === 1,
      'open_nodes: one entity and its relation', o.structuredContent);

    const dObs = await callOk('delete_observations', { deletions: [{ entityName: 'ACME, Inc.', observations: ['Makes anvils'] }] });
    check(dObs.structuredContent.success === true && typeof dObs.structuredContent.message === 'string',
      'delete_observations: {success, message}', dObs.structuredContent);
    const dRel = await callOk('delete_relations', { relations: [{ from: 'Zoë Kovač', to: 'ACME, Inc.', relationType: 'works at' }] });
    check(dRel.structuredContent.success === true && typeof dRel.structuredContent.message === 'string',
      'delete_relations: {success, message}', dRel.structuredContent);
    const dEnt = await callOk('delete_entities', { entityNames: ['ACME, Inc.'] });
    check(dEnt.structuredContent.success === true && typeof dEnt.structuredContent.message === 'string',
      'delete_entities: {success, message}', dEnt.structuredContent);

    const g2 = (await callOk('read_graph', {})).structuredContent;
    check(isGraph(g2) && g2.entities.length === 1 && g2.entities[0].name === 'Zoë Kovač' && g2.relations.length === 0,
      'read_graph after the deletions: Zoë alone', g2);

    const unknown = await client.callTool({ name: 'add_observations', arguments: { observations: [{ entityName: 'Nobody', contents: ['x'] }] } });
    check(unknown.isError === true && /Nobody/.test(textOf(unknown) || ''), 'add_observations to an unknown entity → isError naming it', unknown);

    // Wrong argument type: the reference server (the SDK's McpServer) answers
    // isError; a JSON-RPC -32602 error would also be within the specification.
    let wrong;
    try {
      wrong = await client.callTool({ name: 'create_entities', arguments: { entities: 'not an array' } });
    } catch (e) {
      wrong = e;
    }
    check((wrong instanceof McpError && wrong.code === -32602) || (wrong && wrong.isError === true),
      'create_entities with entities: "not an array" → isError (or -32602)', wrong);
  });

  await group('resources', async () => {
    const { resources } = await client.listResources();
    const res = resources.find((r) => r.uri === GRAPH_URI);
    check(res !== undefined, `resources/list has ${GRAPH_URI}`, resources);
    check(res && res.mimeType === 'application/json', `${GRAPH_URI}: mimeType application/json`, res);

    const read = await client.readResource({ uri: GRAPH_URI });
    const content = read.contents && read.contents[0];
    check(content && content.uri === GRAPH_URI && typeof content.text === 'string', 'resources/read: one text content for the uri', read);
    let graph;
    try { graph = JSON.parse(content.text); } catch (e) { graph = e.message; }
    const rg = (await callOk('read_graph', {})).structuredContent;
    check(isGraph(graph) && JSON.stringify(graph) === JSON.stringify(rg), 'resources/read: the JSON of the graph, equal to read_graph', { graph, rg });

    let unknownRead;
    try { unknownRead = await client.readResource({ uri: 'memory://no-such-thing' }); } catch (e) { unknownRead = e; }
    check(unknownRead instanceof McpError, 'resources/read of an unknown uri → JSON-RPC error', unknownRead);

    const updates = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => { updates.push(n.params.uri); });
    const sub = await client.subscribeResource({ uri: GRAPH_URI });
    check(isObj(sub), 'resources/subscribe returns a result', sub);
    await callOk('create_entities', { entities: [{ name: 'Subscriber test', entityType: 'thing', observations: [] }] });
    try {
      await waitFor(() => updates.length > 0, 5000, 'notifications/resources/updated');
    } catch (e) { /* checked below */ }
    check(updates.length >= 1 && updates.every((u) => u === GRAPH_URI),
      `create_entities after subscribe → notifications/resources/updated for ${GRAPH_URI}`, updates);

    const before = updates.length;
    await callOk('read_graph', {});
    await client.ping();
    check(updates.length === before, 'read_graph (no change) sends no update', updates);

    await client.unsubscribeResource({ uri: GRAPH_URI });
    await callOk('delete_entities', { entityNames: ['Subscriber test'] });
    await client.ping();
    await new Promise((r) => setTimeout(r, 200));
    check(updates.length === before, 'after resources/unsubscribe: no more updates', updates);
  });

  await group('ping again', async () => {
    check(isObj(await client.ping()), 'ping after everything');
  });
} finally {
  const problems = await shutdown(server);
  check(problems.length === 0, 'the server exits with 0 when its stdin closes, with no sanitizer report', problems);
  if (failed > 0) console.log(`server stderr:\n${server.stderr()}`);
  removeDir(dir);
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
