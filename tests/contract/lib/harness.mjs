// The real minitwit-server on free ports, and a small HTTP/1.1 client that sends exactly
// the bytes asked for (no pooling, headers of any size, no Host if asked) and reads the
// whole answer: one request per connection, like the simulator.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';

export const TOKEN = 'contract-test-token-0123456789';

// Starts minitwit-server and resolves once it printed its ready line.
export function startServer(binDir, dataDir, args = []) {
  if (!binDir) throw new Error('MINITWIT_BIN_DIR must name the directory holding minitwit-server');
  // Only what the test says: no MINITWIT_* setting leaks in from the environment.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MINITWIT_')));
  env.MINITWIT_ADMIN_TOKEN = TOKEN;
  const proc = spawn(join(binDir, 'minitwit-server'), [
    '--data-dir', dataDir, '--api-listen', '127.0.0.1:0', '--web-listen', '127.0.0.1:0',
    '--admin-listen', '127.0.0.1:0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready after 30 s:\n${out}`)), 30000);
    const onData = (chunk) => {
      out = (out + chunk).slice(-20000);
      const m = out.match(/listening api=(\S+) web=(\S+) admin=(\S+) data-dir=/);
      if (m) {
        clearTimeout(timer);
        resolve({
          api: m[1], admin: m[3], dataDir,
          log: () => out,
          // SIGTERM, then the exit code (0 when it stopped cleanly).
          stop: async () => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM'); return exited; },
        });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited (${code}) before it was ready:\n${out}`)); });
  });
}

function parseAnswer(bytes) {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`incomplete HTTP answer: ${JSON.stringify(bytes.toString('latin1').slice(0, 300))}`);
  const [statusLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const m = statusLine.match(/^HTTP\/1\.[01] (\d{3})/);
  if (!m) throw new Error(`not an HTTP status line: ${statusLine}`);
  const headers = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase(), value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  let body = bytes.subarray(end + 4);
  if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    if (body.length < n) throw new Error(`answer body cut short: ${body.length} of ${n} bytes`);
    body = body.subarray(0, n);
  }
  return { status: Number(m[1]), headers, body: body.toString('utf8') };
}

// One request on its own connection ("Connection: close"); resolves with
// { status, headers (lower-case names), body (text) }. With send: false nothing is sent
// and whatever the server says on accepting is read.
export function exchange(hostPort, { method = 'GET', target = '/', headers = {}, body, host = true, send = true } = {}) {
  const colon = hostPort.lastIndexOf(':');
  const payload = body === undefined ? null : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  let head = `${method} ${target} HTTP/1.1\r\n${host ? `Host: ${hostPort}\r\n` : ''}Connection: close\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  if (payload || method === 'POST') head += `Content-Length: ${payload ? payload.length : 0}\r\n`;
  return new Promise((resolve, reject) => {
    const chunks = [];
    const socket = connect(Number(hostPort.slice(colon + 1)), hostPort.slice(0, colon).replace(/^\[|\]$/g, ''));
    socket.setTimeout(10000, () => socket.destroy(new Error(`no complete answer to ${method} ${target} within 10 s`)));
    socket.on('connect', () => { if (send) socket.write(Buffer.concat([Buffer.from(head + '\r\n'), payload ?? Buffer.alloc(0)])); });
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (e) => (chunks.length ? null : reject(e)));
    socket.on('close', () => {
      try { resolve(parseAnswer(Buffer.concat(chunks))); } catch (e) { reject(e); }
    });
  });
}

// A kept-alive connection that has been answered once (so the server counts it as
// open); destroy() it when done.
export function holdConnection(hostPort, target) {
  const colon = hostPort.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(hostPort.slice(colon + 1)), hostPort.slice(0, colon));
    let got = Buffer.alloc(0);
    socket.on('connect', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: ${hostPort}\r\n\r\n`));
    socket.on('data', (c) => {
      got = Buffer.concat([got, c]);
      try { if (parseAnswer(got).status) resolve(socket); } catch { /* not complete yet */ }
    });
    socket.on('error', reject);
  });
}
