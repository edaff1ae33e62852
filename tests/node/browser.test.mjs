// End-to-end tests in real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): the search box on a built site, served under a sub-path on
// 127.0.0.1 and opened from file://, plus an axe-core accessibility check.
// Run by tests/browser.rs with SVCGUIDE_SITE pointing at a built site.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const site = process.env.SVCGUIDE_SITE;
const shots = process.env.SVCGUIDE_SCREENSHOTS;
const skip = !site && 'SVCGUIDE_SITE not set';
const BASE = '/guide/';
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.xml': 'application/xml', '.csv': 'text/csv' };

let server, origin, browser;

before(async () => {
  if (skip) return;
  server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!url.startsWith(BASE)) { res.writeHead(404); res.end(); return; }
    let file = path.join(site, url.slice(BASE.length));
    if (!file.startsWith(site)) { res.writeHead(403); res.end(); return; }
    if (url.endsWith('/')) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404); res.end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
      res.end(data);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** Types a query, checks the first result, presses Enter and returns the landing URL. */
async function searchAndOpen(page, query, expectedTitle) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.focus('#search-input');
  await page.keyboard.type(query, { delay: 20 });
  const first = page.locator('#search-results [role="option"]').first();
  await first.waitFor({ timeout: 10000 });
  const text = await first.innerText();
  assert.ok(text.startsWith(expectedTitle), `first result for ${query}: ${text}`);
  await Promise.all([page.waitForNavigation({ timeout: 10000 }), page.keyboard.press('Enter')]);
  assert.deepEqual(errors, []);
  return page.url();
}

test('search under a sub-path on a web server', { skip }, async () => {
  const page = await browser.newPage();
  await page.goto(`${origin}${BASE}index.html`);
  const url = await searchAndOpen(page, 'spooler', 'Print Spooler');
  assert.equal(url, `${origin}${BASE}article/winnt-services-spooler.html`);
  await page.close();
});

test('search by process name from a nested page opened from disk', { skip }, async () => {
  const page = await browser.newPage();
  await page.goto('file://' + path.join(site, 'article/winnt-services-eventlog.html'));
  const url = await searchAndOpen(page, 'LServer.exe', 'Terminal Services Licensing');
  assert.ok(url.startsWith('file://') && url.endsWith('/article/winnt-services-termservlicensing.html'), url);
  await page.close();
});

test('keyboard: arrows move, Escape closes, nothing found suggests the A-Z list', { skip }, async () => {
  const page = await browser.newPage();
  await page.goto(`${origin}${BASE}index.html`);
  await page.focus('#search-input');
  await page.keyboard.type('svchost', { delay: 10 });
  await page.locator('#search-results [role="option"]').nth(1).waitFor({ timeout: 10000 });
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const active = await page.getAttribute('#search-input', 'aria-activedescendant');
  assert.ok(active, 'an option is active');
  await page.keyboard.press('Escape');
  assert.equal(await page.isHidden('#search-results'), true);
  await page.fill('#search-input', '');
  await page.keyboard.type('zzqqxxnothing', { delay: 5 });
  await page.locator('#search-results a[href$="index.html#az"]').waitFor({ timeout: 10000 });
  await page.close();
});

// tables.js on a Windows version page: sorting by a text and a number column,
// both ways, and filtering by words and by default state, each checked against
// the rows' own cells (not against tables.js's logic).
test('version table: sort by column, filter by words and state', { skip }, async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}${BASE}os/xp.html`);
  await page.locator('form.table-tools').waitFor({ state: 'visible', timeout: 10000 });
  const rows = () => page.$$eval('#os-table tbody tr', (trs) => trs.map((tr) => ({
    hidden: tr.hidden,
    cells: [...tr.cells].map((c) => c.textContent.trim()),
    values: [...tr.cells].map((c) => c.getAttribute('data-value')),
    states: (tr.getAttribute('data-states') || '').split(' ').filter(Boolean),
  })));
  const before = await rows();
  assert.ok(before.length >= 5, `${before.length} rows`);
  const status = () => page.textContent('form.table-tools [role=status]');
  assert.equal(await status(), `${before.length} services`);

  // Service name, ascending then descending.
  const header = (n) => page.locator('#os-table thead th').nth(n);
  const collate = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  await header(0).locator('button').click();
  assert.equal(await header(0).getAttribute('aria-sort'), 'ascending');
  const up = (await rows()).map((r) => r.cells[0]);
  assert.deepEqual([...up].sort((a, b) => collate.compare(a, b)), up, 'ascending by name');
  assert.deepEqual([...up].sort(), before.map((r) => r.cells[0]).sort(), 'the same rows');
  await header(0).locator('button').click();
  assert.equal(await header(0).getAttribute('aria-sort'), 'descending');
  const down = (await rows()).map((r) => r.cells[0]);
  assert.deepEqual(down, [...up].reverse(), 'descending is ascending reversed');
  // Default state, a number column (data-value ranks the states).
  await header(2).locator('button').click();
  assert.equal(await header(0).getAttribute('aria-sort'), null, 'one sorted column at a time');
  const ranks = (await rows()).map((r) => Number(r.values[2] ?? NaN));
  assert.ok(ranks.every((v) => !Number.isNaN(v)), `numbers: ${ranks}`);
  for (let i = 1; i < ranks.length; i++) assert.ok(ranks[i - 1] <= ranks[i], `ascending ranks: ${ranks}`);

  // Filter by a short name: exactly the rows holding that text stay.
  const word = before.map((r) => r.cells[1]).find((w) => w && w.length > 3);
  await page.fill('form.table-tools input[name=q]', word);
  const filtered = await rows();
  const shown = filtered.filter((r) => !r.hidden);
  const holding = filtered.filter((r) => r.cells.join(' ').toLowerCase().includes(word.toLowerCase()));
  assert.ok(shown.length >= 1 && shown.length < before.length, `${word}: ${shown.length}`);
  assert.deepEqual(shown.map((r) => r.cells[0]), holding.map((r) => r.cells[0]), word);
  assert.equal(await status(), `Showing ${shown.length} of ${before.length} services`);
  // And by state: every shown row has it.
  await page.fill('form.table-tools input[name=q]', '');
  const option = await page.$$eval('form.table-tools select[name=state] option', (os) => os.map((o) => o.value).filter(Boolean)[0]);
  assert.ok(option, 'a state to filter by');
  await page.selectOption('form.table-tools select[name=state]', option);
  const byState = await rows();
  const withState = byState.filter((r) => r.states.includes(option));
  assert.ok(withState.length >= 1, option);
  assert.deepEqual(byState.filter((r) => !r.hidden), withState, option);
  await page.selectOption('form.table-tools select[name=state]', '');
  assert.ok((await rows()).every((r) => !r.hidden));
  assert.equal(await status(), `${before.length} services`);
  assert.deepEqual(errors, []);
  await page.close();
});

async function axeViolations(page) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
}

test('accessibility check is live: a planted violation is reported', { skip }, async () => {
  const page = await browser.newPage();
  await page.goto(`${origin}${BASE}index.html`);
  await page.evaluate(() => { const i = document.createElement('img'); i.src = 'x.png'; document.querySelector('main').append(i); });
  const found = await axeViolations(page);
  assert.ok(found.some((v) => v.startsWith('image-alt')), found.join('\n'));
  await page.close();
});

for (const [name, rel] of [['home page', 'index.html'], ['service page', 'article/winnt-services-rpcss.html'], ['Windows XP page', 'os/xp.html']]) {
  for (const scheme of ['light', 'dark']) {
    test(`accessibility: ${name} (${scheme}) has no serious or critical violations`, { skip }, async (t) => {
      if (!fs.existsSync(path.join(site, rel))) { t.skip(`${rel} is not built`); return; }
      const page = await browser.newPage({ colorScheme: scheme });
      await page.goto(`${origin}${BASE}${rel}`);
      assert.deepEqual(await axeViolations(page), []);
      if (shots) {
        for (const width of [390, 1280]) {
          await page.setViewportSize({ width, height: 900 });
          await page.screenshot({ path: path.join(shots, `${rel.replace(/\W/g, '_')}-${scheme}-${width}.png`), fullPage: true });
        }
      }
      await page.close();
    });
  }
}
