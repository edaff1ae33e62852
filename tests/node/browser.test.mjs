// End-to-end tests in real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): the search box on a built site, served under a sub-path on
// 127.0.0.1 and opened from file://, plus an axe-core accessibility check.
// Run by tests/suite/browser.rs with SVCGUIDE_SITE pointing at a built site.
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

test('keyboard: arrows move, Escape closes then clears, Tab leaves and closes', { skip }, async () => {
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
  assert.equal(await page.isHidden('#search-popup'), true);
  assert.equal(await page.inputValue('#search-input'), 'svchost', 'the first Escape keeps the text');
  await page.keyboard.press('Escape');
  assert.equal(await page.inputValue('#search-input'), '');
  await page.keyboard.type('spooler', { delay: 10 });
  await page.locator('#search-results [role="option"]').first().waitFor({ timeout: 10000 });
  await page.keyboard.press('Tab');
  assert.equal(await page.isHidden('#search-popup'), true, 'Tab closes the list');
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  assert.notEqual(focused, 'search-input', 'the focus moved on');
  await page.close();
});

for (const [scheme, start] of [['http', () => `${origin}${BASE}index.html`], ['file', () => 'file://' + path.join(site, 'article/winnt-services-eventlog.html')]]) {
  test(`Enter with no result keeps the query on search.html (${scheme})`, { skip }, async () => {
    const page = await browser.newPage();
    await page.goto(start());
    await page.focus('#search-input');
    await page.keyboard.type('zzqqxxnothing', { delay: 5 });
    await page.locator('#search-az').waitFor({ timeout: 10000 });
    assert.match(await page.textContent('#search-status'), /No results/);
    await Promise.all([page.waitForNavigation({ timeout: 10000 }), page.keyboard.press('Enter')]);
    assert.match(page.url(), /search\.html\?q=zzqqxxnothing$/);
    assert.equal(await page.inputValue('#search-page-input'), 'zzqqxxnothing');
    await page.waitForFunction(() => /No results/.test(document.querySelector('#search-page-status').textContent));
    await page.close();
  });

  test(`search.html lists every result with a count, the svchost group first (${scheme})`, { skip }, async () => {
    const page = await browser.newPage();
    const url = scheme === 'http' ? `${origin}${BASE}search.html?q=svchost+-k+netsvcs` : 'file://' + path.join(site, 'search.html') + '?q=svchost+-k+netsvcs';
    await page.goto(url);
    await page.waitForFunction(() => / results? for /.test(document.querySelector('#search-page-status').textContent), null, { timeout: 10000 });
    const status = await page.textContent('#search-page-status');
    const count = Number(status.match(/^(\d+) results? for/)[1]);
    const titles = await page.locator('#search-page-results > li h2').allInnerTexts();
    assert.equal(titles.length, count, status);
    assert.ok(count > 10, `${count} results`);
    assert.match(titles[0], /netsvcs \(svchost group\)/);
    const href = await page.getAttribute('#search-page-results > li h2 a', 'href');
    assert.equal(href, 'processes.html#group-netsvcs');
    await page.close();
  });
}

test('the dropdown shows structured results, a count and a "show all" option', { skip }, async () => {
  const page = await browser.newPage();
  const requested = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname.replace(BASE, '')));
  await page.goto(`${origin}${BASE}index.html`);
  await page.focus('#search-input');
  await page.keyboard.type('spooler', { delay: 10 });
  const first = page.locator('#search-results [role="option"]').first();
  await first.waitFor({ timeout: 10000 });
  assert.equal(await first.locator('.search-title').innerText(), 'Print Spooler');
  const codes = await first.locator('.search-meta code').allInnerTexts();
  assert.equal(codes[0], 'Spooler');
  assert.match(codes[1], /^spools.\.exe$/i, codes.join(', '));
  assert.match(await first.locator('.search-state').innerText(), /Automatic|Manual|Disabled/);
  assert.equal(await page.locator('#search-results a, #search-results button').count(), 0, 'no nested interactive elements');
  assert.match(await page.textContent('#search-status'), /^\d+ name match/);
  assert.ok(requested.includes('search-names.js') && !requested.includes('search-index.js'), requested.join(' '));
  // A word only the text holds brings the full index in.
  await page.fill('#search-input', '');
  await page.keyboard.type('plumbing', { delay: 10 });
  await page.locator('#search-results #search-all').waitFor({ timeout: 10000 });
  await page.waitForFunction(() => /^\d+ results?/.test(document.querySelector('#search-status').textContent));
  assert.ok(requested.includes('search-index.js'));
  assert.match(await page.textContent('#search-all'), /^Show all \d+ results?/);
  await page.close();
});

test('accessibility: no serious or critical violations with search results open', { skip }, async () => {
  for (const scheme of ['light', 'dark']) {
    const page = await browser.newPage({ colorScheme: scheme });
    await page.goto(`${origin}${BASE}article/winnt-services-rpcss.html`);
    await page.focus('#search-input');
    await page.keyboard.type('remote', { delay: 10 });
    await page.locator('#search-results [role="option"]').nth(1).waitFor({ timeout: 10000 });
    await page.keyboard.press('ArrowDown');
    assert.deepEqual(await axeViolations(page), [], scheme);
    if (shots) {
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: 900 });
        await page.screenshot({ path: path.join(shots, `search-open-${scheme}-${width}.png`) });
      }
    }
    await page.close();
  }
});

for (const width of [1280, 1920]) {
  test(`per-version tables fit their column at ${width} px, the header sticks`, { skip }, async () => {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.goto(`${origin}${BASE}os/xp.html`);
    const fit = await page.evaluate(() => {
      const table = document.querySelector('#os-table');
      const main = document.querySelector('main');
      const style = getComputedStyle(main);
      const right = main.getBoundingClientRect().right - parseFloat(style.paddingRight);
      const cells = [...table.querySelectorAll('th, td')];
      return {
        table: table.getBoundingClientRect().right, right,
        scroll: table.parentElement.scrollWidth - table.parentElement.clientWidth,
        overflowing: cells.filter((c) => c.scrollWidth > c.clientWidth + 1).length,
        doc: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      };
    });
    assert.ok(fit.table <= fit.right + 1, JSON.stringify(fit));
    assert.equal(fit.scroll, 0, JSON.stringify(fit));
    assert.equal(fit.overflowing, 0, JSON.stringify(fit));
    assert.equal(fit.doc, 0, JSON.stringify(fit));
    await page.evaluate(() => window.scrollTo(0, document.querySelector('#os-table tbody tr:nth-child(20)').offsetTop));
    const top = await page.evaluate(() => document.querySelector('#os-table thead th').getBoundingClientRect().top);
    assert.ok(Math.abs(top) <= 1, `header top ${top}`);
    await page.close();
  });
}

test('per-version table: the recommended filter and its counts agree', { skip }, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${origin}${BASE}os/xp.html`);
  const options = await page.locator('#filter-recommended option').allInnerTexts();
  assert.ok(options.length > 1, options.join(', '));
  const disabled = options.find((o) => o.startsWith('Disabled ('));
  assert.ok(disabled, options.join(', '));
  await page.selectOption('#filter-recommended', 'disabled');
  const shown = await page.locator('#os-table tbody tr:not([hidden])').count();
  assert.equal(`Disabled (${shown})`, disabled);
  const states = await page.locator('#os-table tbody tr:not([hidden]) td:nth-child(4)').allInnerTexts();
  assert.ok(states.every((t) => /Disabled/.test(t)), states.join(' | '));
  assert.match(await page.textContent('.table-tools [role=status]'), new RegExp(`Showing ${shown} of`));
  await page.close();
});

test('graph: hovering a service lights its edges and dims the rest; #g-<slug> focuses one', { skip }, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${origin}${BASE}graph.html`);
  await page.hover('svg.graph-all #g-winnt-services-rpcss');
  assert.equal(await page.evaluate(() => document.querySelector('svg.graph-all').classList.contains('g-dim')), true);
  const hot = await page.locator('svg.graph-all .g-edge.g-hot').count();
  const n = await page.getAttribute('#g-winnt-services-rpcss', 'data-n');
  const own = await page.locator(`svg.graph-all .g-edge[data-from="${n}"], svg.graph-all .g-edge[data-to="${n}"]`).count();
  assert.ok(hot > 0 && hot === own, `${hot} lit, ${own} its own`);
  await page.goto(`${origin}${BASE}graph.html#g-winnt-services-spooler`);
  assert.equal(await page.inputValue('#graph-focus'), 'g-winnt-services-spooler');
  assert.match(await page.textContent('.graph-focus [role=status]'), /Print Spooler/);
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
  // Default state, a number column: the row's data-states ranked in the
  // order of the states (not stated last).
  await header(2).locator('button').click();
  assert.equal(await header(0).getAttribute('aria-sort'), null, 'one sorted column at a time');
  const ORDER = ['automatic', 'manual', 'disabled', 'not_installed', 'not_available', 'not_stated'];
  const ranks = (await rows()).map((r) => ORDER.indexOf(r.states[0]));
  assert.ok(ranks.every((v) => v >= 0), `states: ${ranks}`);
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

for (const [name, rel] of [['home page', 'index.html'], ['service page', 'article/winnt-services-rpcss.html'], ['Windows XP page', 'os/xp.html'], ['graph page', 'graph.html'], ['search page', 'search.html?q=remote']]) {
  for (const scheme of ['light', 'dark']) {
    test(`accessibility: ${name} (${scheme}) has no serious or critical violations`, { skip }, async (t) => {
      if (!fs.existsSync(path.join(site, rel.split('?')[0]))) { t.skip(`${rel} is not built`); return; }
      const page = await browser.newPage({ colorScheme: scheme });
      await page.goto(`${origin}${BASE}${rel}`);
      assert.deepEqual(await axeViolations(page), []);
      if (shots) {
        for (const width of [390, 1280]) {
          await page.setViewportSize({ width, height: 900 });
          await page.screenshot({ path: path.join(shots, `${rel.replace(/\W/g, '_')}-${scheme}-${width}.png`), fullPage: true });
        }
        if (scheme === 'light') {
          await page.emulateMedia({ media: 'print' });
          await page.setViewportSize({ width: 794, height: 1123 });
          await page.screenshot({ path: path.join(shots, `${rel.replace(/\W/g, '_')}-print.png`), fullPage: true });
          await page.emulateMedia({ media: 'screen' });
        }
      }
      await page.close();
    });
  }
}
