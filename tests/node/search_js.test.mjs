// Drives theme/search.js against a minimal fake DOM: lazy loading through
// <script> tags, results as you type, highlighting, keyboard and ARIA.
// The index here is built by lunr.js from a few docs (the Rust-built one is
// covered by lunr_query.test.mjs); a real browser test lives elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';

const require = createRequire(import.meta.url);
const lunr = require('lunr');

const THEME = new URL('../../theme/', import.meta.url);
const ROOT = '../';

const DOCS = {
  'winnt-services-spooler': {
    title: 'Print Spooler', names: 'Spooler', images: 'spoolsv.exe', body: 'Queues print jobs.',
    r: 'Disabled, if no printer',
  },
  'winnt-services-fax': { title: 'Fax', names: 'Fax', images: 'fxssvc.exe', body: 'Sends faxes to a printer.', r: 'Manual' },
  'winnt-services-evil': {
    title: 'Evil <img src=x onerror=alert(1)> Printer', names: 'Evil', images: '', body: '', r: '<b>x</b>',
  },
};

function siteFiles() {
  const idx = lunr(function () {
    this.ref('ref');
    this.field('title', { boost: 10 });
    this.field('names', { boost: 8 });
    this.field('images', { boost: 6 });
    this.field('body');
    for (const [ref, doc] of Object.entries(DOCS)) this.add({ ref, ...doc });
  });
  const store = {};
  for (const [ref, doc] of Object.entries(DOCS)) {
    store[ref] = { t: doc.title, u: `article/${ref}.html`, e: doc.body, r: doc.r };
  }
  return {
    [`${ROOT}theme/lunr.js`]: readFileSync(new URL('lunr.js', THEME), 'utf8'),
    [`${ROOT}search-index.js`]: `window.SVCGUIDE_INDEX=${JSON.stringify(idx)};`,
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
  const list = form.appendChild(new Node('ul'));
  list.id = 'search-results';
  list.hidden = true;
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
  return { context, form, input, list, loaded };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

function type(input, text) {
  input.value = text;
  input.dispatch('input');
}

function shown(list) {
  return list.children.map((option) => option.find('SPAN')[0]?.textContent ?? option.textContent);
}

test('loads lunr, index and docs with script tags on first focus', async () => {
  const { input, loaded, list } = page();
  assert.deepEqual(loaded, []);
  input.dispatch('focus');
  input.dispatch('focus');
  assert.deepEqual(loaded, ['../theme/lunr.js', '../search-index.js', '../search-docs.js']);
  await settle();
  assert.equal(list.hidden, true, 'nothing typed yet');
});

test('shows results as you type, with matched words marked', async () => {
  const { input, list } = page();
  input.dispatch('focus');
  await settle();
  type(input, 'print spoo');
  assert.equal(list.hidden, false);
  assert.equal(input.getAttribute('aria-expanded'), 'true');
  assert.deepEqual(shown(list), ['Print Spooler']);
  const option = list.children[0];
  assert.equal(option.getAttribute('role'), 'option');
  const link = option.find('A')[0];
  assert.equal(link.href, '../article/winnt-services-spooler.html');
  assert.deepEqual(option.find('MARK').map((m) => m.textContent), ['Print', 'Spooler']);
  assert.deepEqual(option.find('SPAN').map((s) => s.className), ['search-title', 'search-state', 'search-excerpt']);
  assert.equal(option.find('SPAN')[1].textContent, 'Disabled, if no printer');
});

test('typing before the index is loaded still shows results', async () => {
  const { input, list } = page();
  type(input, 'spooler');
  await settle();
  assert.deepEqual(shown(list), ['Print Spooler']);
});

test('falls back to fuzzy matching and accepts lunr syntax', async () => {
  const { input, list } = page();
  input.dispatch('focus');
  await settle();
  type(input, 'spoolr');
  assert.deepEqual(shown(list), ['Print Spooler']);
  type(input, 'spoolr~1');
  assert.deepEqual(shown(list), ['Print Spooler']);
  type(input, 'title:');
  assert.equal(list.hidden, false, 'a broken lunr query does not throw');
});

test('untrusted text is rendered as text', async () => {
  const { input, list } = page();
  input.dispatch('focus');
  await settle();
  type(input, 'evil');
  assert.deepEqual(shown(list), ['Evil <img src=x onerror=alert(1)> Printer']);
  assert.deepEqual(list.find('IMG'), []);
  assert.equal(list.find('SPAN')[1].textContent, '<b>x</b>');
});

test('arrow keys move the active option, Enter opens it', async () => {
  const { context, input, list } = page();
  input.dispatch('focus');
  await settle();
  type(input, 'print');
  assert.equal(list.children.length, 3);
  assert.ok(input.dispatch('keydown', { key: 'ArrowDown' }).defaultPrevented);
  assert.equal(input.getAttribute('aria-activedescendant'), 'search-result-0');
  input.dispatch('keydown', { key: 'ArrowDown' });
  assert.equal(input.getAttribute('aria-activedescendant'), 'search-result-1');
  assert.deepEqual(list.children.map((o) => o.getAttribute('aria-selected')), ['false', 'true', 'false']);
  assert.ok(list.children[1].classList.contains('active'));
  input.dispatch('keydown', { key: 'ArrowUp' });
  input.dispatch('keydown', { key: 'ArrowUp' });
  assert.equal(input.getAttribute('aria-activedescendant'), 'search-result-2', 'wraps around');
  assert.ok(input.dispatch('keydown', { key: 'Enter' }).defaultPrevented);
  assert.equal(context.location.href, list.children[2].find('A')[0].href);
});

test('Enter without an active option opens the first result', async () => {
  const { context, input, list } = page();
  input.dispatch('focus');
  await settle();
  type(input, 'fax');
  input.dispatch('keydown', { key: 'Enter' });
  assert.equal(context.location.href, '../article/winnt-services-fax.html');
  assert.equal(list.children.length, 1);
});

test('Escape clears the box and closes the list', async () => {
  const { input, list } = page();
  input.dispatch('focus');
  await settle();
  type(input, 'spooler');
  input.dispatch('keydown', { key: 'ArrowDown' });
  input.dispatch('keydown', { key: 'Escape' });
  assert.equal(input.value, '');
  assert.equal(list.hidden, true);
  assert.equal(list.children.length, 0);
  assert.equal(input.getAttribute('aria-expanded'), 'false');
  assert.equal(input.getAttribute('aria-activedescendant'), null);
});

test('no match offers the A-Z list', async () => {
  const { input, list } = page();
  input.dispatch('focus');
  await settle();
  type(input, 'qqqqqqqq');
  assert.equal(list.children.length, 1);
  assert.equal(list.textContent, 'No results. Browse the A\u2013Z list');
  assert.equal(list.find('A')[0].href, '../index.html#az');
  input.dispatch('keydown', { key: 'Enter' });
});

test('a missing index says search is unavailable', async () => {
  const { input, list, context } = page();
  context.document.head.appendChild = (script) => setImmediate(() => script.onerror());
  input.dispatch('focus');
  await settle();
  assert.equal(list.textContent, 'Search is not available.');
});
