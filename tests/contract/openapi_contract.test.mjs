// docs/openapi.yaml against the live minitwit-server: every answer below is checked
// against the document (path and method documented, status documented for the
// operation, declared headers present and valid, Content-Type documented, body valid),
// and the last test fails if a documented operation or status was never exercised.
// Starts its own servers on free ports with temporary data directories.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract } from './lib/contract.mjs';
import { TOKEN, exchange, holdConnection, startServer } from './lib/harness.mjs';

const binDir = process.env.MINITWIT_BIN_DIR;
const MAX_BODY = 6000;
const SIM = { Authorization: `Basic ${Buffer.from('simulator:super_safe!').toString('base64')}` };
const ADMIN = { Authorization: `Bearer ${TOKEN}` };
const contract = await Contract.load();
const root = mkdtempSync(join(tmpdir(), 'minitwit-contract-'));
const servers = [];
let main, n = 0;

async function server(name, args = [], dataDir = join(root, name)) {
  const s = await startServer(binDir, dataDir, args);
  servers.push(s);
  return s;
}

// Sends one request to a listener of s, checks the answer against the document, and
// asserts the expected status (if not null). Credentials are sent unless auth: false.
async function call(s, listener, method, target, status, { body, auth = true, headers = {}, ...rest } = {}) {
  const sent = { ...(auth ? (listener === 'api' ? SIM : ADMIN) : {}), ...headers };
  const res = await exchange(s[listener], { method, target, body, headers: sent, ...rest });
  const parsed = contract.check(listener, method, target, body, res);
  if (status !== null) assert.equal(res.status, status, `${method} ${target} on ${listener} answered ${res.status}, expected ${status}: ${res.body.slice(0, 300)}`);
  return { body: parsed, headers: res.headers };
}
const api = (...a) => call(main, 'api', ...a);
const admin = (...a) => call(main, 'admin', ...a);

// A request each operation accepts (given the users alice and bob), for the loops that
// send one to every operation.
const bodies = {
  registerUser: () => ({ username: `sample ${++n}`, email: 'sample@example.com', pwd: 'pw' }),
  postUserMessage: () => ({ content: 'a sample message' }),
  changeFollow: () => ({ follow: 'bob' }),
  createSnapshot: () => ({ to: join(root, `sample-snapshot-${++n}`) }),
  createBackup: () => ({ to: join(root, 'sample-backups') }),
  flagMessage: () => ({ message_id: 1, flagged: false }),
};
const sample = (o, query = '') => [o.method, o.path.replace('{username}', 'alice') + query, { body: bodies[o.id]?.() }];
// The loops below send to every operation (of a listener): those documenting the
// status must answer it, and the others must answer something they document.
const ops = (listener) => contract.operations.filter((o) => !listener || o.listener === listener);
const ifDocumented = (o, status) => (String(status) in o.op.responses ? status : null);

before(async () => {
  main = await server('main', ['--max-body', String(MAX_BODY), '--metrics-on-api']);
});

after(async () => {
  const codes = await Promise.all(servers.map((s) => s.stop()));
  rmSync(root, { recursive: true, force: true });
  assert.deepEqual(codes, servers.map(() => 0), 'every server exits 0 on SIGTERM');
});

test('every schema in the document compiles', () => {
  contract.compileAll();
});

test('simulator API: registration, messages, follows, latest', async () => {
  assert.deepEqual((await api('GET', '/latest', 200, { auth: false })).body, { latest: -1 });
  for (const name of ['alice', 'bob', 'Roger Histand'])
    await api('POST', '/register?latest=1', 204, { auth: false, body: { username: name, email: `${name}@example.com`, pwd: 'pw' } });
  await api('POST', '/register', 204, { auth: false, body: { username: 'plain', email: 'p@x', pwd: 'pw' }, headers: { 'Content-Type': 'text/plain' } });
  assert.deepEqual((await api('GET', '/latest?latest=99', 200)).body, { latest: 1 }, 'GET /latest does not store its own');
  await api('GET', '/latest?latest=%zz', 400);

  for (const body of ['not json', '[1]', { username: 'x', email: 'x@x', pwd: 7 }, { email: 'a@b', pwd: 'x' },
    { username: 'x', email: 'no-at', pwd: 'x' }, { username: 'x', email: 'x@x', pwd: '' }, { username: 'alice', email: 'a@b', pwd: 'x' }])
    await api('POST', '/register', 400, { auth: false, body });

  await api('POST', '/msgs/alice?latest=2', 204, { body: { content: 'Hello "world" — ünïcode 😀' } });
  await api('POST', '/msgs/Roger%20Histand', 204, { body: { content: '' } });
  await api('POST', '/msgs/nobody', 404, { body: { content: 'x' } });
  await api('POST', '/msgs/nobody', 404, { body: 'not json' });
  for (const body of ['{', {}, { content: 7 }, { content: 'x'.repeat(4097) }]) await api('POST', '/msgs/alice', 400, { body });
  await api('POST', '/msgs/alice', 403, { auth: false, body: { content: 'x' } });

  const all = (await api('GET', '/msgs?no=10&latest=3', 200)).body;
  assert.deepEqual(all.map((m) => [m.user, m.content]), [['Roger Histand', ''], ['alice', 'Hello "world" — ünïcode 😀']]);
  assert.equal((await api('GET', '/msgs?no=1', 200)).body.length, 1);
  assert.deepEqual((await api('GET', '/msgs?no=-5', 200)).body, []);
  assert.equal((await api('GET', '/msgs/alice?no=abc', 200)).body.length, 1);
  await api('GET', '/msgs/bob', 200);
  await api('GET', '/msgs/nobody', 404);
  await api('GET', '/msgs?no=%g', 400);
  await api('GET', '/msgs', 403, { auth: false });
  await api('GET', '/msgs/alice', 403, { auth: false, headers: { Authorization: 'Basic c2ltdWxhdG9yOndyb25n' } });
  assert.deepEqual((await api('GET', '/latest', 200)).body, { latest: 3 });

  await api('POST', '/fllws/alice', 204, { body: { follow: 'bob' } });
  await api('POST', '/fllws/alice', 204, { body: { follow: 'Roger Histand' } });
  await api('POST', '/fllws/alice', 204, { body: { unfollow: 'Roger Histand' } });
  await api('POST', '/fllws/alice', 204, { body: { follow: 'bob', unfollow: 'bob' } });  // follow wins
  await api('POST', '/fllws/alice', 404, { body: { follow: 'nobody' } });
  await api('POST', '/fllws/nobody', 404, { body: { follow: 'alice' } });
  for (const body of ['x', {}, { follow: 3 }]) await api('POST', '/fllws/alice', 400, { body });
  await api('POST', '/fllws/alice', 403, { auth: false, body: { follow: 'bob' } });
  assert.deepEqual((await api('GET', '/fllws/alice', 200)).body, { follows: ['bob'] });
  assert.deepEqual((await api('GET', '/fllws/Roger%20Histand?no=5', 200)).body, { follows: [] });
  await api('GET', '/fllws/nobody', 404);
  await api('GET', '/fllws/alice?latest=%', 400);
  await api('GET', '/fllws/alice', 403, { auth: false });

  const metrics = await api('GET', '/metrics', 200, { auth: false, headers: { 'X-Request-Id': 'my-own-id' } });
  assert.equal(metrics.headers['x-request-id'], 'my-own-id');
});

test('admin listener: health, metrics, stats, snapshot, backup, flag', async () => {
  await admin('GET', '/health/live', 200, { auth: false });
  await admin('GET', '/health/ready', 200, { auth: false });
  await admin('GET', '/metrics', 200);
  const stats = (await admin('GET', '/admin/stats', 200)).body;
  assert.equal(stats.users, 4);
  for (const [method, target] of [['GET', '/metrics'], ['GET', '/admin/stats'], ['POST', '/admin/snapshot'], ['POST', '/admin/backup'], ['POST', '/admin/flag']]) {
    await admin(method, target, 401, { auth: false });
    await admin(method, target, 401, { headers: { Authorization: 'Bearer wrong' } });
  }

  const snapshot = join(root, 'snapshot');
  assert.equal((await admin('POST', '/admin/snapshot', 200, { body: { to: snapshot } })).body.path, snapshot);
  await admin('POST', '/admin/snapshot', 409, { body: { to: snapshot } });
  await admin('POST', '/admin/snapshot', 503, { body: { to: '/proc/no-such-dir/snapshot' } });
  await admin('POST', '/admin/backup', 200, { body: { to: join(root, 'backups') } });
  await admin('POST', '/admin/backup', 200, { body: { to: join(root, 'backups') } });
  await admin('POST', '/admin/backup', 503, { body: { to: '/proc/no-such-dir/backups' } });
  for (const target of ['/admin/snapshot', '/admin/backup'])
    for (const body of ['', '{', {}, { to: '' }, { to: 5 }]) await admin('POST', target, 400, { body });

  await admin('POST', '/admin/flag', 204, { body: { message_id: 1, flagged: true } });
  assert.equal((await api('GET', '/msgs/alice', 200)).body.length, 0, 'a flagged message is hidden');
  await admin('POST', '/admin/flag', 204, { body: { message_id: 1, flagged: false } });
  await admin('POST', '/admin/flag', 404, { body: { message_id: 999, flagged: true } });
  for (const body of ['x', {}, { message_id: 0, flagged: true }, { message_id: 1, flagged: 'yes' }, { message_id: -1, flagged: true }])
    await admin('POST', '/admin/flag', 400, { body });
});

test('transport limits, other methods and unknown paths, on both listeners', async () => {
  for (const o of ops()) {
    const [method, target, opts] = sample(o);
    await call(main, o.listener, method, target, ifDocumented(o, 431), { ...opts, headers: { 'X-Padding': 'x'.repeat(9000) } });
    await call(main, o.listener, method, target, ifDocumented(o, 400), { ...opts, host: false });
    await call(main, o.listener, method, target, ifDocumented(o, 400), { headers: { 'Content-Length': 'many' } });
    if (o.op.requestBody) await call(main, o.listener, method, target, ifDocumented(o, 413), { body: 'x'.repeat(MAX_BODY + 1) });
  }
  for (const o of ops()) {
    const other = o.item.post ? 'PUT' : 'DELETE';
    await call(main, o.listener, other, o.path.replace('{username}', 'alice'), o.item['x-other-methods']?.[o.listener] ? 404 : 405);
  }
  for (const target of ['/', '/nope', '/msgs/', '/msgs/alice/extra', '/fllws', '/health', '/register/x'])
    await api('GET', target, 404);
  for (const target of ['/', '/nope', '/admin/nope', '/admin', '/health/live/x', '/latest'])
    await admin('GET', target, 404);
});

test('--api-allow: clients outside the list get 403 saying why', async () => {
  const denied = await server('denied', ['--api-allow', '10.0.0.0/8', '--metrics-on-api']);
  for (const o of ops('api')) {
    const [method, target, opts] = sample(o);
    await call(denied, 'api', method, target, ifDocumented(o, 403), opts);
  }
  await call(denied, 'api', 'GET', '/nope', 403);  // checked before routing
  await call(denied, 'admin', 'GET', '/health/ready', 200);
});

test('--api-rate-limit: over the budget, 429 with Retry-After', async () => {
  const limited = await server('limited', ['--api-rate-limit', '0.01', '--api-rate-burst', '1', '--metrics-on-api']);
  await call(limited, 'api', 'GET', '/latest', 200);
  for (const o of ops('api')) {
    const [method, target, opts] = sample(o);
    const res = await call(limited, 'api', method, target, ifDocumented(o, 429), opts);
    if (res.status === 429) assert.ok(Number(res.headers['retry-after']) >= 1);
  }
  await call(limited, 'api', 'DELETE', '/msgs', 429);  // checked before routing
});

test('--max-connections: one more connection gets 503 at once, on both listeners', async () => {
  const crowded = await server('crowded', ['--max-connections', '1']);
  const held = await holdConnection(crowded.admin, '/health/live');
  try {
    for (const o of ops()) {
      const res = await exchange(crowded[o.listener], { send: false });  // answered before any request is read
      contract.check(o.listener, o.method, o.path.replace('{username}', 'alice'), undefined, res);
      assert.equal(res.status, 503, res.body);
    }
  } finally {
    held.destroy();
  }
});

test('a full disk: writes, and requests storing latest, get 503; reads work', async () => {
  // On a copy of the main server's data (users and a message), keeping more free disk than there is.
  const full = await server('full', ['--min-free-disk-mb', '100000000'], join(root, 'snapshot'));
  for (const id of ['registerUser', 'postUserMessage', 'changeFollow', 'listMessages', 'listUserMessages', 'listFollows']) {
    const [method, target, opts] = sample(contract.operations.find((x) => x.id === id), '?latest=7');
    await call(full, 'api', method, target, 503, opts);
  }
  await call(full, 'api', 'GET', '/msgs/alice', 200);
  await call(full, 'admin', 'POST', '/admin/flag', 503, { body: { message_id: 1, flagged: true } });
  await call(full, 'admin', 'GET', '/health/ready', 200);
});

test('every documented operation and status was exercised', (t) => {
  const cut = '(after a failure above, the rest of that test was not sent)';
  assert.deepEqual(contract.unexercised(), [], `documented operations that no request exercised ${cut}`);
  const unseen = contract.unseenStatuses();
  for (const s of unseen) t.diagnostic(`never provoked: ${s}`);
  assert.deepEqual(unseen, [], `documented statuses that no request provoked ${cut}`);
});
