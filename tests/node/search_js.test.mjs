// Drives theme/search.js against a minimal fake DOM: lazy loading through
// <script> tags (names index first, full index only when needed), structured
// results, ranking, typo rules, keyboard and ARIA.
// The indexes here are built by lunr.js from a few docs (the Rust-built one is
// covered by lunr_query.test.mjs); a real browser test lives in browser.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';

const require = createRequire(import.meta.url);
const lunr = require('lunr');

const THEME = new URL('../../theme/', import.meta.url);
const ROOT = '../';

const svc = (title, names, images, groups, body, r) => ({ k: 's', title, names, images, groups, body, r });
const DOCS = {
  'winnt-services-spooler': svc('Print Spooler', 'Spooler', 'spoolsv.exe', '', 'Queues print jobs.',
    [['WinXP', 'disabled', 'Disabled, if no printer'], ['', 'automatic', 'Automatic']]),
  'winnt-services-fax': svc('Fax', 'Fax', 'fxssvc.exe', '', 'Sends faxes to a printer.', [['', 'manual', 'Manual']]),
  'winnt-services-evil': svc('Evil <img src=x onerror=alert(1)> Printer', 'Evil', '', '', '', [['', '', '<b>x</b>']]),
  'winnt-services-windefend': svc('Windows Defender', 'WinDefend', 'svchost.exe', 'secsvcs',
    'Scans for spyware. Disable it when another scanner is installed.', [['', 'disabled', 'Disabled, if another scanner runs']]),
  'winnt-services-dnscache': svc('DNS Client', 'Dnscache', 'svchost.exe', 'netsvcs',
    'Caches names. Many services depend on it.', [['', 'automatic', 'Automatic']]),
  'winnt-services-remoteregistry': svc('Remote Registry Service', 'RemoteRegistry', 'svchost.exe', 'regsvc',
    'Lets remote users change the registry.', [['', 'disabled', 'Disabled']]),
  'winnt-services-termservice': svc('Remote Desktop Services', 'TermService', 'svchost.exe', 'netsvcs',
    'Remote desktop sessions; stores settings in the registry service keys.', [['', 'manual', 'Manual']]),
  // "application" stems to "applic": typing "applicati" is past the stem.
  'winnt-services-aelookupsvc': svc('Application Experience', 'AeLookupSvc', 'svchost.exe', 'netsvcs',
    'Checks programs for compatibility.', [['', 'manual', 'Manual']]),
  'processes#group-netsvcs': { k: 'g', title: 'svchost -k netsvcs (svchost group)', names: 'netsvcs', images: 'svchost.exe',
    groups: 'netsvcs', body: 'DNS Client, Remote Desktop Services', p: ['svchost.exe -k netsvcs'] },
};

// Like the Rust tokenizer, identifier parts are indexed too (svchost.exe: svchost, exe).
const parts = (text) => text.split(' ').flatMap((w) => (w.includes('.') ? [w, ...w.split('.')] : [w])).join(' ');

function index(fields) {
  return lunr(function () {
    this.ref('ref');
    for (const [name, boost] of fields) this.field(name, { boost });
    for (const [ref, doc] of Object.entries(DOCS)) this.add({ ref, ...doc, images: parts(doc.images) });
  });
}

const NAME_FIELDS = [['title', 10], ['names', 8], ['images', 6], ['groups', 5]];

function siteFiles() {
  const store = {};
  for (const [ref, doc] of Object.entries(DOCS)) {
    store[ref] = { t: doc.title, u: ref.startsWith('processes#') ? `processes.html#${ref.slice(10)}` : `article/${ref}.html`,
      k: doc.k, n: doc.names ? [doc.names] : [], p: doc.p || (doc.images ? [doc.images] : []), r: doc.r, e: doc.body };
  }
  return {
    [`${ROOT}theme/lunr.js`]: readFileSync(new URL('lunr.js', THEME), 'utf8'),
    [`${ROOT}search-names.js`]: `window.SVCGUIDE_NAMES=${JSON.stringify(index(NAME_FIELDS))};`,
    [`${ROOT}search-index.js`]: `window.SVCGUIDE_INDEX=${JSON.stringify(index([...NAME_FIELDS, ['body', 1]]))};`,
    [`${ROOT}search-docs.js`]: `window.SVCGUIDE_DOCS=${JSON.stringify(store)};`,
  };
}

// Just enough DOM for search.js.
class Node {
  constructor(tagName) {
    this.tagName = tagName.toUpperCase();
    this.childNodes = [];
    this.parentNode = null;
    this.attributes = {};
    this.listeners = {};
    this.dataset = {};
    this.hidden = false;
    this.className = '';
    this.id = '';
    this.value = '';
    this.classes = new Set();
    this.classList = {
      toggle: (name, on) => (on ? this.classes.add(name) : this.classes.delete(name)),
      contains: (name) => this.classes.has(name),
    };
  }
  get children() { return this.childNodes.filter((n) => n instanceof Node); }
  get firstChild() { return this.childNodes[0] || null; }
  appendChild(child) { child.parentNode = this; this.childNodes.push(child); return child; }
  removeChild(child) { this.childNodes.splice(this.childNodes.indexOf(child), 1); child.parentNode = null; return child; }
  setAttribute(name, value) { this.attributes[name] = String(value); }
  hasAttribute(name) { return name in this.attributes; }
  getAttribute(name) { return name in this.attributes ? this.attributes[name] : null; }
  removeAttribute(name) { delete this.attributes[name]; }
  addEventListener(type, fn) { (this.listeners[type] ||= []).push(fn); }
  dispatch(type, props = {}) {
    const event = { type, target: this, defaultPrevented: false, preventDefault() { this.defaultPrevented = true; }, ...props };
    for (const fn of this.listeners[type] || []) fn(event);
    return event;
  }
  contains(node) { for (let n = node; n; n = n.parentNode) if (n === this) return true; return false; }
  querySelector(selector) {
    for (const child of this.children) {
      if (selector === `#${child.id}`) return child;
      const found = child.querySelector(selector);
      if (found) return found;
    }
    return null;
  }
  get textContent() { return this.childNodes.map((n) => n.textContent).join(''); }
  set textContent(text) { this.childNodes = [{ textContent: String(text), parentNode: this }]; }
  set innerHTML(_) { throw new Error('search.js must not use innerHTML'); }
  find(tagName) {
    return this.children.flatMap((c) => [...(c.tagName === tagName ? [c] : []), ...c.find(tagName)]);
  }
}

function page() {
  const files = siteFiles();
  const loaded = [];
  const form = new Node('form');
  form.dataset.root = ROOT;
  const input = form.appendChild(new Node('input'));
  input.id = 'search-input';
  const popup = form.appendChild(new Node('div'));
  popup.id = 'search-popup';
  popup.hidden = true;
  const status = popup.appendChild(new Node('p'));
  status.id = 'search-status';
  const list = popup.appendChild(new Node('ul'));
  list.id = 'search-results';
  const head = new Node('head');
  const context = { location: { href: 'start' }, console };
  context.window = context;
  context.Promise = Promise;
  context.document = {
    readyState: 'complete',
    head,
    activeElement: null,
    createElement: (tag) => new Node(tag),
    createTextNode: (text) => ({ textContent: text, parentNode: null }),
    querySelector: (selector) => (selector === 'form.search' ? form : null),
    addEventListener() {},
  };
  // A script tag "loads" by running the file in the page context.
  head.appendChild = (script) => {
    loaded.push(script.src);
    setImmediate(() => {
      if (!(script.src in files)) return script.onerror();
      vm.runInContext(files[script.src], context, { filename: script.src });
      script.onload();
    });
    return script;
  };
  vm.createContext(context);
  vm.runInContext(readFileSync(new URL('search.js', THEME), 'utf8'), context);
  return { context, form, input, popup, status, list, loaded };
}

// Lets every queued script load (each runs on a setImmediate, in order) and what
// it starts run to the end. Turns of the event loop, not a timer: a 30 ms timer
// fired before the loads on a loaded machine, and the results came out empty.
const settle = async () => {
  for (let turn = 0; turn < 20; turn++) await new Promise(setImmediate);
};

function type(input, text) {
  input.value = text;
  input.dispatch('input');
}

// Types, waits for any index the query needs, and returns the titles shown.
async function search(p, text) {
  type(p.input, text);
  await settle();
  return shown(p.list);
}

function shown(list) {
  return list.children.filter((o) => o.id.startsWith('search-result-'))
    .map((option) => option.find('SPAN')[0]?.textContent ?? option.textContent);
}

async function ready() {
  const p = page();
  p.input.dispatch('focus');
  await settle();
  return p;
}

test('focus loads lunr, the names index and the doc store; not the full index', async () => {
  const { input, loaded, popup } = page();
  assert.deepEqual(loaded, []);
  input.dispatch('focus');
  input.dispatch('focus');
  assert.deepEqual(loaded, ['../theme/lunr.js', '../search-names.js', '../search-docs.js']);
  await settle();
  assert.equal(popup.hidden, true, 'nothing typed yet');
});

test('a name query is answered by the names index alone', async () => {
  const p = await ready();
  assert.deepEqual(await search(p, 'spooler'), ['Print Spooler']);
  assert.ok(!p.loaded.includes('../search-index.js'), p.loaded.join());
  assert.equal(p.status.textContent, '1 name match.');
  const all = p.list.children.at(-1);
  assert.equal(all.id, 'search-all');
  assert.equal(all.textContent, 'Search the full text for \u201cspooler\u201d');
});

test('a stop word alone asks for more and loads nothing else', async () => {
  const p = await ready();
  assert.deepEqual(await search(p, 'a'), []);
  assert.equal(p.status.textContent, 'Keep typing\u2026');
  assert.deepEqual(await search(p, 'the'), []);
  assert.ok(!p.loaded.includes('../search-index.js'), p.loaded.join());
});

test('typing a name letter by letter never needs the full index', async () => {
  const p = await ready();
  for (const doc of Object.values(DOCS).filter((d) => !d.title.includes('<'))) {
    for (let n = 1; n <= doc.title.length; n++) {
      type(p.input, doc.title.slice(0, n));
      await new Promise(setImmediate);
    }
    assert.ok(!p.loaded.includes('../search-index.js'), `${doc.title}: ${p.loaded.join()}`);
    assert.equal(shown(p.list)[0], doc.title);
  }
});

test('a result is structured plain text: title, short name and process in code, states with labels, excerpt', async () => {
  const p = await ready();
  type(p.input, 'print spoo');
  assert.equal(p.popup.hidden, false);
  assert.equal(p.input.getAttribute('aria-expanded'), 'true');
  assert.deepEqual(shown(p.list), ['Print Spooler']);
  const option = p.list.children[0];
  assert.equal(option.getAttribute('role'), 'option');
  assert.deepEqual(option.find('A'), [], 'no link inside an option (nested-interactive)');
  assert.deepEqual(option.find('MARK').map((m) => m.textContent), ['Print', 'Spooler']);
  assert.deepEqual(option.find('CODE').map((c) => c.textContent), ['Spooler', 'spoolsv.exe']);
  const state = option.find('SPAN').find((s) => s.className === 'search-state');
  assert.equal(state.textContent, 'WinXP: Disabled, if no printer Automatic');
  assert.deepEqual(state.find('SPAN').filter((s) => s.className.startsWith('state ')).map((s) => s.className),
    ['state state-disabled', 'state state-automatic']);
  assert.equal(option.find('SPAN').find((s) => s.className === 'search-excerpt').textContent, 'Queues print jobs.');
});

test('typing before the names index is loaded shows a loading state, then results', async () => {
  const { input, list, status } = page();
  type(input, 'spooler');
  assert.equal(status.textContent, 'Loading search\u2026');
  await settle();
  assert.deepEqual(shown(list), ['Print Spooler']);
});

test('a word no name holds loads the full index, then shows every match with a count', async () => {
  const p = await ready();
  type(p.input, 'jobs');
  assert.equal(p.status.textContent, 'Searching the full text\u2026');
  await settle();
  assert.ok(p.loaded.includes('../search-index.js'));
  assert.deepEqual(shown(p.list), ['Print Spooler']);
  assert.equal(p.status.textContent, '1 result.');
  assert.equal(p.list.children.at(-1).textContent, 'Show all 1 result');
});

test('typos are forgiven only for words the guide does not have', async () => {
  const p = await ready();
  assert.deepEqual(await search(p, 'spoolr'), ['Print Spooler']);
  // "defender" is a word of the guide: it never becomes "depend" (DNS Client's text).
  const found = await search(p, 'disable windows defender');
  assert.equal(found[0], 'Windows Defender');
  assert.ok(!found.includes('DNS Client'), found.join(' | '));
  assert.deepEqual(await search(p, 'defender'), ['Windows Defender']);
});

test('a typo is a slip of the fingers, not another word', () => {
  const { context } = page();
  const { isSlip } = context.window.SVCGUIDE_SEARCH;
  assert.equal(isSlip('spoolr', 'spooler'), true, 'a letter left out');
  assert.equal(isSlip('spoooler', 'spooler'), true, 'a letter doubled');
  assert.equal(isSlip('dhpc', 'dhcp'), true, 'two letters swapped');
  assert.equal(isSlip('fsx', 'fax'), true, 'a neighbouring key');
  assert.equal(isSlip('defend', 'depend'), false, 'f and p are far apart: another word');
  assert.equal(isSlip('print', 'paint'), false);
});

test('exact and prefix matches of names rank first', async () => {
  const p = await ready();
  const found = await search(p, 'remote registry service');
  assert.equal(found[0], 'Remote Registry Service', found.join(' | '));
  const group = await search(p, 'svchost -k netsvcs');
  assert.equal(group[0], 'svchost -k netsvcs (svchost group)', group.join(' | '));
  assert.ok(group.includes('DNS Client'));
});

test('untrusted text is rendered as text', async () => {
  const p = await ready();
  assert.deepEqual(await search(p, 'evil'), ['Evil <img src=x onerror=alert(1)> Printer']);
  assert.deepEqual(p.list.find('IMG'), []);
  assert.deepEqual(p.list.find('B'), []);
});

test('arrow keys move the active option, Enter opens it', async () => {
  const p = await ready();
  type(p.input, 'print');
  const options = p.list.children;
  assert.equal(options.length, 3, 'two results and "search the full text"');
  assert.ok(p.input.dispatch('keydown', { key: 'ArrowDown' }).defaultPrevented);
  assert.equal(p.input.getAttribute('aria-activedescendant'), 'search-result-0');
  p.input.dispatch('keydown', { key: 'ArrowDown' });
  assert.equal(p.input.getAttribute('aria-activedescendant'), 'search-result-1');
  assert.deepEqual(options.map((o) => o.getAttribute('aria-selected')), ['false', 'true', 'false']);
  assert.ok(options[1].classList.contains('active'));
  p.input.dispatch('keydown', { key: 'ArrowUp' });
  p.input.dispatch('keydown', { key: 'ArrowUp' });
  assert.equal(p.input.getAttribute('aria-activedescendant'), 'search-all', 'wraps around');
  assert.ok(p.input.dispatch('keydown', { key: 'Enter' }).defaultPrevented);
  assert.equal(p.context.location.href, '../search.html?q=print');
});

test('Enter without an active option opens the first result; a click opens its option', async () => {
  const p = await ready();
  type(p.input, 'fax');
  p.input.dispatch('keydown', { key: 'Enter' });
  assert.equal(p.context.location.href, '../article/winnt-services-fax.html');
  p.list.dispatch('click', { target: p.list.children[0].find('SPAN')[0] });
  assert.equal(p.context.location.href, '../article/winnt-services-fax.html');
});

test('Enter with no result keeps the query: the form goes to search.html?q=', async () => {
  const p = await ready();
  await search(p, 'qqqqqqqq');
  assert.equal(p.status.textContent, 'No results for \u201cqqqqqqqq\u201d.');
  assert.deepEqual(p.list.children.map((o) => o.textContent), ['Browse the A\u2013Z list']);
  const key = p.input.dispatch('keydown', { key: 'Enter' });
  assert.equal(key.defaultPrevented, false);
  const submit = p.form.dispatch('submit');
  assert.equal(submit.defaultPrevented, false, 'the browser submits the form with q');
  assert.equal(p.input.value, 'qqqqqqqq');
});

test('Escape closes the list first, and clears the text on a second press', async () => {
  const p = await ready();
  type(p.input, 'spooler');
  p.input.dispatch('keydown', { key: 'ArrowDown' });
  p.input.dispatch('keydown', { key: 'Escape' });
  assert.equal(p.input.value, 'spooler');
  assert.equal(p.popup.hidden, true);
  assert.equal(p.list.children.length, 0);
  assert.equal(p.input.getAttribute('aria-expanded'), 'false');
  assert.equal(p.input.getAttribute('aria-activedescendant'), null);
  p.input.dispatch('keydown', { key: 'Escape' });
  assert.equal(p.input.value, '');
});

test('Tab leaves the box and closes the list', async () => {
  const p = await ready();
  type(p.input, 'spooler');
  const key = p.input.dispatch('keydown', { key: 'Tab' });
  assert.equal(key.defaultPrevented, false, 'the focus moves on');
  assert.equal(p.popup.hidden, true);
  assert.equal(p.input.getAttribute('aria-expanded'), 'false');
});

test('a missing index says search is unavailable', async () => {
  const { input, status, context } = page();
  context.document.head.appendChild = (script) => setImmediate(() => script.onerror());
  input.value = 'x';
  input.dispatch('focus');
  await settle();
  assert.equal(status.textContent, 'Search is not available.');
});
