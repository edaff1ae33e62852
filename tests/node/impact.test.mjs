// Drives theme/impact.js ("List all" under "Disabling this service also
// stops") against a minimal fake DOM and hand-made graphs whose links hold on
// some Windows versions (src/impact.rs walks the same way).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const SOURCE = readFileSync(new URL('../../theme/impact.js', import.meta.url), 'utf8');
const ALL = 127;
const XP = 1 << 2;
const W7 = 1 << 5;

class El {
  constructor(tag) {
    this.tagName = tag.toUpperCase();
    this.children = [];
    this.attrs = {};
    this.listeners = {};
    this.textContent = '';
    this.hidden = false;
  }
  getAttribute(name) { return this.attrs[name] ?? null; }
  appendChild(child) { this.children.push(child); child.parentNode = this; return child; }
  addEventListener(type, fn) { this.listeners[type] = fn; }
  querySelector(sel) { return sel === 'button.impact-all' ? this.button : null; }
  replaceWith(other) { this.replacedBy = other; }
  remove() {}
}

// Lists what "List all" shows for the page at `key`: [title, depth] pairs.
function listAll(graph, key) {
  const box = new El('div');
  box.attrs = { 'data-root': '../', 'data-key': key };
  const button = new El('button');
  const para = new El('p');
  para.appendChild(button);
  box.button = button;
  const window = {};
  const document = {
    getElementById: (id) => (id === 'svc-impact' ? box : null),
    createElement: (tag) => new El(tag),
    createTextNode: (text) => ({ textContent: text }),
    head: { appendChild: (script) => { window.svcguideGraph = graph; script.onload(); } },
  };
  vm.runInNewContext(SOURCE, { window, document });
  button.listeners.click();
  const list = para.replacedBy;
  assert.ok(list, button.textContent);
  let depth = 0;
  return list.children.map((li) => {
    const how = li.children.find((c) => c.className === 'depth');
    if (how) depth = how.textContent === 'Require it:' ? 1 : parseInt(how.textContent, 10);
    return [li.children.find((c) => c.tagName === 'A').textContent, depth];
  });
}

// Services a..: required-by links as [from, to, versions].
function graph(names, links) {
  const requiredBy = names.map(() => []);
  for (const [from, to, versions] of links) requiredBy[from].push(to * 128 + versions);
  return { pages: names.map((n) => `article/${n}.html`), titles: names, requiredBy };
}

test('a path holds only on the versions all its links hold on', () => {
  // endpoint -(7 only)-> rpc -(XP only)-> indexing; rpc -(all)-> dcom.
  const g = graph(['endpoint', 'rpc', 'indexing', 'dcom'], [[0, 1, W7], [1, 2, XP], [1, 3, ALL]]);
  assert.deepEqual(listAll(g, 'article/endpoint.html'), [['rpc', 1], ['dcom', 2]]);
  assert.deepEqual(listAll(g, 'article/rpc.html'), [['indexing', 1], ['dcom', 1]]);
});

test('a service reached again on more versions walks on, and is listed at its first depth', () => {
  // 6 -> 0 (all), 6 -> 2 (one version), 0 -> 2 (all), 2 -> 3 (another version):
  // 3 is reached only along 6, 0, 2 (depth 3), not at depth 2 through 6, 2.
  const v1 = 1 << 0, v2 = 1 << 1;
  const g = graph(['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6'],
    [[6, 0, ALL], [6, 2, v2], [0, 2, ALL], [2, 3, v1]]);
  assert.deepEqual(listAll(g, 'article/n6.html'), [['n0', 1], ['n2', 1], ['n3', 3]]);
});

test('links that hold everywhere list everything reachable, nearest first, then by position', () => {
  const g = graph(['a', 'b', 'c', 'd'], [[0, 2, ALL], [0, 1, ALL], [1, 3, ALL], [3, 0, ALL]]);
  assert.deepEqual(listAll(g, 'article/a.html'), [['b', 1], ['c', 1], ['d', 2]]);
});
