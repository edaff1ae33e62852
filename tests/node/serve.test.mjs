// Live reload and the error overlay of `svcguide serve` in real headless Chromium
// (playwright-core), both straight and behind a reverse proxy that serves the
// preview under a sub-path. Run by tests/suite/serve.rs with SVCGUIDE_SERVE_URL (the
// server) and SVCGUIDE_SERVE_CONTENT (the content folder it watches).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const url = process.env.SVCGUIDE_SERVE_URL;
const content = process.env.SVCGUIDE_SERVE_CONTENT;
const skip = !(url && content) && 'SVCGUIDE_SERVE_URL / SVCGUIDE_SERVE_CONTENT not set';
const WAIT = 30000;

let browser, proxy, proxied;
const upstreams = new Set();

before(async () => {
  if (skip) return;
  // A reverse proxy: /guide/* → the server's /*, streamed (event streams included).
  const target = new URL(url);
  proxy = http.createServer((req, res) => {
    if (!req.url.startsWith('/guide/')) { res.writeHead(404); res.end(); return; }
    const up = http.request({
      host: target.hostname, port: target.port, method: req.method,
      path: req.url.slice('/guide'.length), headers: req.headers,
    }, (r) => { res.writeHead(r.statusCode, r.headers); r.pipe(res); });
    up.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
    // An event stream never ends: drop the upstream side when the browser goes.
    res.on('close', () => up.destroy());
    upstreams.add(up);
    req.pipe(up);
  });
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
  proxied = `http://127.0.0.1:${proxy.address().port}/guide/`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (proxy) { proxy.closeAllConnections(); proxy.close(); }
  for (const up of upstreams) up.destroy();
});

function edit(rel, from, to) {
  const file = path.join(content, rel);
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `${from} not in ${rel}`);
  fs.writeFileSync(file, text.replace(from, to));
}

async function reloadsOnSave(base, word) {
  const page = await browser.newPage();
  await page.goto(`${base}article/svc-event.html`);
  // Wait for the event stream to be open before saving.
  await page.waitForFunction(() => document.documentElement.dataset.svcguideLive === 'open',
    null, { timeout: WAIT });
  await page.evaluate(() => { window.__before = true; });
  edit('services/svc-event.html.md', 'the Event Viewer shows.', `the Event Viewer shows. ${word}.`);
  await page.waitForFunction((w) => !window.__before && document.body.innerText.includes(w),
    word, { timeout: WAIT });
  await page.close();
}

test('a saved article reloads the open page', { skip }, async () => {
  await reloadsOnSave(url, 'Reloaded directly');
});

test('live reload works behind a reverse proxy under a sub-path', { skip }, async () => {
  await reloadsOnSave(proxied, 'Reloaded through the proxy');
});

test('a broken article shows the overlay, fixing it clears it', { skip }, async () => {
  const page = await browser.newPage();
  await page.goto(`${url}article/svc-rpc.html`);
  await page.waitForFunction(() => document.documentElement.dataset.svcguideLive === 'open',
    null, { timeout: WAIT });
  const file = path.join(content, 'services/svc-event.html.md');
  const good = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, good.replace("title: 'Event Log'", 'title: [<i>broken'));
  const overlay = await page.waitForSelector('#svcguide-overlay', { timeout: WAIT });
  const text = await overlay.innerText();
  assert.match(text, /services\/svc-event\.html\.md:\d+:\d+/);
  assert.match(text, /<i>broken|frontmatter/);
  assert.equal(await page.$('#svcguide-overlay i'), null, 'overlay text is escaped');
  fs.writeFileSync(file, good);
  await page.waitForFunction(() => !document.getElementById('svcguide-overlay'), null, { timeout: WAIT });
  await page.close();
});
