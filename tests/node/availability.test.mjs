// A service page's default-state table in real headless Chromium: one row per
// Windows version the service exists on, each edition or service-pack variant
// listed in its row, inferred versions badged. Run by tests/suite/availability.rs
// with SVCGUIDE_SITE pointing at the built availability fixture; screenshots
// go to SVCGUIDE_SCREENSHOTS when it is set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';

const site = process.env.SVCGUIDE_SITE;
const shots = process.env.SVCGUIDE_SCREENSHOTS;
const skip = !site && 'SVCGUIDE_SITE not set';
let browser;

before(async () => {
  if (skip) return;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => { await browser?.close(); });

/** The table's rows as [version, [variant texts], badge shown]. Several
 * variants are a list; one is the cell's text; none says "Not stated". */
async function tableRows(page) {
  return page.$$eval('table.by-os tbody tr', (rows) => rows.map((tr) => [
    tr.querySelector('th a').textContent.trim(),
    tr.querySelector('td li')
      ? [...tr.querySelectorAll('td li')].map((li) => li.textContent.replace(/\s+/g, ' ').trim())
      : tr.querySelector('td .none') ? [] : [tr.querySelector('td').textContent.replace(/\s+/g, ' ').trim()],
    !!tr.querySelector('.badge.inferred') && getComputedStyle(tr.querySelector('.badge.inferred')).display !== 'none',
  ]));
}

for (const [width, scheme] of [[1280, 'light'], [390, 'light'], [1280, 'dark']]) {
  test(`edition variants are listed in their row (${width} px, ${scheme})`, { skip }, async () => {
    const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme: scheme });
    await page.goto('file://' + path.join(site, 'article/edition-svc.html'));
    assert.deepEqual(await tableRows(page), [
      ['Windows NT 4.0', [], false],
      ['Windows XP', ['Pro: Automatic', 'Home: Not available', 'SP2+: Disabled'], false],
      ['Windows Vista', ['Manual (Trigger Start)'], false],
    ]);
    // Every variant is on screen, not clipped or hidden in a collapsed block.
    for (const li of await page.locator('table.by-os td').all()) {
      assert.ok(await li.isVisible(), await li.innerText());
    }
    if (shots) await page.screenshot({ path: path.join(shots, `availability-editions-${width}-${scheme}.png`), fullPage: true });
    await page.close();
  });
}

test('inferred versions carry a visible badge and say what they rest on', { skip }, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto('file://' + path.join(site, 'article/inferred-svc.html'));
  const rows = await tableRows(page);
  assert.deepEqual(rows.map((r) => [r[0], r[2]]),
    [['Windows Vista', true], ['Windows 7', true], ['Windows 8', true]]);
  const note = await page.locator('.inferred-note').innerText();
  assert.match(note, /written on 1 July 2007, when Windows Vista was current/);
  assert.ok(await page.locator('.inferred-note').isVisible());
  if (shots) await page.screenshot({ path: path.join(shots, 'availability-inferred-1280.png'), fullPage: true });
  await page.close();
});
