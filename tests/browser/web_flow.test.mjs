// A person's path through MiniTwit in a real browser (Debian's Chromium, driven by
// playwright-core): sign up, sign in, post, follow, read, unfollow, sign out.
// Starts its own minitwit-server on free ports with a temporary data directory, and
// saves a screenshot of every page under $SCREENSHOT_DIR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const binDir = process.env.MINITWIT_BIN_DIR;
const shots = process.env.SCREENSHOT_DIR ?? join(tmpdir(), 'minitwit-screenshots');
let server, dataDir, web, api, browser;

function startServer() {
  dataDir = mkdtempSync(join(tmpdir(), 'minitwit-browser-'));
  const proc = spawn(join(binDir, 'minitwit-server'), [
    '--data-dir', join(dataDir, 'data'), '--api-listen', '127.0.0.1:0',
    '--web-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('server not ready:\n' + out)), 20000);
    const onData = (chunk) => {
      out += chunk;
      const m = out.match(/listening api=(\S+) web=(\S+) admin=(\S+)/);
      if (m) { clearTimeout(timer); resolve({ proc, api: m[1], web: m[2] }); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

async function simulator(method, path, body) {
  const res = await fetch(`http://${api}${path}`, {
    method, body: body && JSON.stringify(body),
    headers: { Authorization: 'Basic c2ltdWxhdG9yOnN1cGVyX3NhZmUh', 'Content-Type': 'application/json' },
  });
  assert.equal(res.status, 204, `${method} ${path}`);
}

before(async () => {
  ({ proc: server, api, web } = await startServer());
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.on('exit', resolve));
    server.kill('SIGTERM');
    assert.equal(await exited, 0, 'server exits 0 on SIGTERM');
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('sign up, sign in, post, follow, unfollow, sign out', async () => {
  // Someone to follow, created through the simulator API: web and API share the log.
  await simulator('POST', '/register', { username: 'Other Person', email: 'other@example.com', pwd: 'pw' });
  await simulator('POST', '/msgs/Other%20Person', { content: 'Hello from the other side' });

  const page = await browser.newPage();
  const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const flashes = () => page.locator('ul.flashes li').allInnerTexts();

  await page.goto(`http://${web}/public`);
  assert.equal(await page.title(), 'Public Timeline | MiniTwit');
  assert.match(await page.locator('ul.messages').innerText(), /Hello from the other side/);
  await shot('01-public-logged-out');

  // Sign up, filling the inputs by position as the course's browser tests do.
  await page.click('text=sign up');
  assert.equal(await page.title(), 'Sign Up | MiniTwit');
  const inputs = page.locator('input');
  await inputs.nth(0).fill('Jane Doe');
  await inputs.nth(1).fill('jane@example.com');
  await inputs.nth(2).fill('secret');
  await inputs.nth(3).fill('secret');
  await shot('02-sign-up');
  await inputs.nth(4).press('Enter');
  await page.waitForURL(/\/login$/);
  assert.deepEqual(await flashes(), ['You were successfully registered and can login now']);
  await shot('03-registered');

  await page.fill('input[name=username]', 'Jane Doe');
  await page.fill('input[name=password]', 'secret');
  await page.click('div.actions input[type=submit]');
  await page.waitForURL(new RegExp(`^http://${web}/$`));
  assert.deepEqual(await flashes(), ['You were logged in']);
  assert.equal(await page.title(), 'My Timeline | MiniTwit');
  assert.match(await page.locator('div.navigation').innerText(), /sign out \[Jane Doe\]/);
  await shot('04-my-timeline');

  await page.fill('div.twitbox input[name=text]', 'My first <post> & "quotes"');
  await page.click('div.twitbox input[type=submit]');
  await page.waitForURL(new RegExp(`^http://${web}/$`));
  assert.deepEqual(await flashes(), ['Your message was recorded']);
  const mine = page.locator('ul.messages li').first();
  assert.match(await mine.innerText(), /Jane Doe\s+My first <post> & "quotes"\s+— \d{4}-\d\d-\d\d @ \d\d:\d\d/);
  assert.doesNotMatch(await page.locator('ul.messages').innerText(), /Hello from the other side/);
  await shot('05-posted');

  await page.goto(`http://${web}/public`);
  await page.click('ul.messages a:text("Other Person")');
  await page.waitForURL(/Other%20Person$/);
  assert.equal(await page.title(), "Other Person's Timeline | MiniTwit");
  assert.match(await page.locator('div.followstatus').innerText(), /You are not yet following this user\./);
  await shot('06-other-profile');
  await page.click('a.follow');
  await page.waitForURL(/Other%20Person$/);
  assert.deepEqual(await flashes(), ['You are now following "Other Person"']);
  assert.match(await page.locator('div.followstatus').innerText(), /You are currently following this user\./);
  await shot('07-following');

  await page.click('text=my timeline');
  const timeline = await page.locator('ul.messages').innerText();
  assert.match(timeline, /Hello from the other side/);
  assert.match(timeline, /My first <post>/);
  assert.ok(timeline.indexOf('My first <post>') < timeline.indexOf('Hello from the other side'), 'newest first');
  await shot('08-timeline-with-followed');

  await page.goto(`http://${web}/Other%20Person`);
  await page.click('a.unfollow');
  await page.waitForURL(/Other%20Person$/);
  assert.deepEqual(await flashes(), ['You are no longer following "Other Person"']);
  await page.click('text=my timeline');
  assert.doesNotMatch(await page.locator('ul.messages').innerText(), /Hello from the other side/);
  await shot('09-unfollowed');

  await page.click('text=sign out');
  await page.waitForURL(/\/public$/);
  assert.deepEqual(await flashes(), ['You were logged out']);
  assert.match(await page.locator('div.navigation').innerText(), /sign in/);
  // The flash is shown exactly once.
  await page.reload();
  assert.deepEqual(await flashes(), []);
  await shot('10-signed-out');
});
