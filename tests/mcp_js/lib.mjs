// Helpers shared by e2e.mjs and kg_diff.mjs: spawning a server behind the official
// MCP TypeScript SDK client, recording the raw messages, and readable JSON diffs.
// Plain Node 18 (Debian 12's nodejs): no APIs newer than that.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

// A transport that forwards to StdioClientTransport and keeps every JSON-RPC
// message it sees, both ways, so that a test can look at the raw wire (the SDK
// client does not keep the negotiated protocol version, for example).
export class RecordingTransport {
  constructor(params) {
    this.inner = new StdioClientTransport(params);
    this.received = [];
    this.sent = [];
    this.inner.onmessage = (m) => {
      this.received.push(m);
      if (this.onmessage) this.onmessage(m);
    };
    this.inner.onerror = (e) => { if (this.onerror) this.onerror(e); };
    this.inner.onclose = () => { if (this.onclose) this.onclose(); };
  }
  get pid() { return this.inner.pid; }
  get stderr() { return this.inner.stderr; }
  get sessionId() { return undefined; }
  async start() {
    await this.inner.start();
    // The child process is private to StdioClientTransport; its exit status is
    // what shutdown() reports (undefined if a later SDK hides the process).
    this.proc = this.inner._process;
    if (this.proc) this.proc.once('exit', (code, signal) => { this.exit = { code, signal }; });
  }
  send(message, options) {
    this.sent.push(message);
    return this.inner.send(message, options);
  }
  close() { return this.inner.close(); }
}

export function makeTempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
}

// Spawns `command args` and connects an SDK client to it (the SDK sends
// initialize and notifications/initialized). stderr is collected, so that a
// failure can show it.
export async function connect(name, command, args, env) {
  const params = { command, args, stderr: 'pipe' };
  if (env) params.env = env;
  const transport = new RecordingTransport(params);
  let stderr = '';
  transport.stderr.on('data', (d) => { stderr += d.toString(); });
  const client = new Client({ name: `urd-${name}-test`, version: '1.0.0' }, { capabilities: {} });
  try {
    await client.connect(transport);
  } catch (e) {
    throw new Error(`${name}: could not connect to ${command} ${args.join(' ')}: ${e.message}\nstderr:\n${stderr}`);
  }
  return { client, transport, stderr: () => stderr };
}

// Closes the client (the SDK ends the server's stdin, then signals it after 2 s)
// and waits for the server's exit. Returns problems found: an exit other than 0,
// or a sanitizer report in its stderr.
export async function shutdown(server) {
  await server.client.close();
  try {
    await waitFor(() => server.transport.exit !== undefined || !server.transport.proc, 5000, 'the server to exit');
  } catch (e) { /* reported below */ }
  await new Promise((r) => setTimeout(r, 50));  // the last stderr chunks
  const problems = [];
  const exit = server.transport.exit;
  if (exit && (exit.code !== 0 || exit.signal)) {
    problems.push(`server exited with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`} after stdin closed`);
  } else if (!exit && server.transport.proc) {
    problems.push('server did not exit within 5 s after stdin closed');
  }
  if (/AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|ThreadSanitizer|runtime error:/.test(server.stderr())) {
    problems.push('sanitizer report in the server\'s stderr');
  }
  return problems;
}

export function show(v) {
  return util.inspect(v, { depth: null, breakLength: 100, maxArrayLength: null, maxStringLength: null });
}

// A structural diff of two JSON values: a list of "path: expected X, got Y" lines
// (empty when equal). `unordered` is a set of paths (as produced here, with [] for
// any array index, e.g. "$.entities" or "$.entities[].observations") whose arrays
// are compared as multisets.
export function jsonDiff(expected, got, unordered = new Set(), p = '$', out = []) {
  if (Array.isArray(expected) && Array.isArray(got)) {
    const generic = genericPath(p);
    const key = (v) => JSON.stringify(canonical(v, `${generic}[]`, unordered));
    if (unordered.has(generic)) {
      const ek = expected.map(key).sort();
      const gk = got.map(key).sort();
      for (const m of multisetMinus(ek, gk)) out.push(`${p}: missing ${m}`);
      for (const x of multisetMinus(gk, ek)) out.push(`${p}: unexpected ${x}`);
      return out;
    }
    if (expected.length !== got.length) {
      out.push(`${p}: expected ${expected.length} elements, got ${got.length}`);
      const ek = expected.map(key);
      const gk = got.map(key);
      for (const m of multisetMinus(ek, gk)) out.push(`    missing    ${m}`);
      for (const x of multisetMinus(gk, ek)) out.push(`    unexpected ${x}`);
      out.push(`    expected ${JSON.stringify(expected)}`);
      out.push(`    got      ${JSON.stringify(got)}`);
      return out;
    }
    const ek = expected.map(key);
    const gk = got.map(key);
    if (ek.join('\n') !== gk.join('\n') && [...ek].sort().join('\n') === [...gk].sort().join('\n')) {
      out.push(`${p}: the same elements in another order`);
      out.push(`    expected ${JSON.stringify(expected)}`);
      out.push(`    got      ${JSON.stringify(got)}`);
      return out;
    }
    for (let i = 0; i < expected.length; i++) jsonDiff(expected[i], got[i], unordered, `${p}[${i}]`, out);
    return out;
  }
  if (isObject(expected) && isObject(got)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(got)]);
    for (const k of [...keys].sort()) {
      if (!(k in got)) out.push(`${p}.${k}: missing (expected ${JSON.stringify(expected[k])})`);
      else if (!(k in expected)) out.push(`${p}.${k}: unexpected ${JSON.stringify(got[k])}`);
      else jsonDiff(expected[k], got[k], unordered, `${p}.${k}`, out);
    }
    return out;
  }
  if (JSON.stringify(expected) !== JSON.stringify(got)) {
    out.push(`${p}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
  }
  return out;
}

function genericPath(p) {
  return p.replace(/\[\d+\]/g, '[]');
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// v with sorted object keys, and sorted arrays where the path is unordered, so
// that equal values (under `unordered`) serialize equally.
function canonical(v, p, unordered) {
  if (Array.isArray(v)) {
    const items = v.map((x) => canonical(x, `${p}[]`, unordered));
    if (unordered.has(p)) items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    return items;
  }
  if (isObject(v)) {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = canonical(v[k], `${p}.${k}`, unordered);
    return o;
  }
  return v;
}

function multisetMinus(a, b) {
  const counts = new Map();
  for (const x of b) counts.set(x, (counts.get(x) || 0) + 1);
  const out = [];
  for (const x of a) {
    const c = counts.get(x) || 0;
    if (c > 0) counts.set(x, c - 1);
    else out.push(x);
  }
  return out;
}

// Waits until pred() is true, polling; rejects after ms.
export async function waitFor(pred, ms, what) {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
