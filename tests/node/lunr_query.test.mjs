// Checks the index written by Rust (src/search) with the real lunr.js 2.3.9.
//
//   SVCGUIDE_INDEX_JS=.../search-index.js SVCGUIDE_DOCS_JS=.../search-docs.js node --test
//
// Optional SVCGUIDE_TOKENS_JSON (written by the Rust test
// `dump_sample_for_node_tests` with SVCGUIDE_SEARCH_DUMP_DIR set) enables the
// equivalence check: lunr.js indexes the same tokens itself, and its
// serialized index and search results must equal ours.
// Without the env vars every test is skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';

const require = createRequire(import.meta.url);
const lunr = require('lunr');

const INDEX_JS = process.env.SVCGUIDE_INDEX_JS;
const DOCS_JS = process.env.SVCGUIDE_DOCS_JS;
const TOKENS_JSON = process.env.SVCGUIDE_TOKENS_JSON;
const SEARCH_JS = new URL('../../theme/search.js', import.meta.url);

const skipIndex = INDEX_JS && DOCS_JS ? false : 'SVCGUIDE_INDEX_JS and SVCGUIDE_DOCS_JS not set';
const skipTokens = skipIndex || (TOKENS_JSON ? false : 'SVCGUIDE_TOKENS_JSON not set');

// Runs a `window.X=...;` script in a fresh context and returns its window.
function runScript(path, extra = {}) {
  const context = vm.createContext({ window: {}, ...extra });
  vm.runInContext(readFileSync(path, 'utf8'), context, { filename: String(path) });
  return context.window;
}

function loadIndex() {
  const warnings = [];
  const warn = console.warn;
  console.warn = (message) => warnings.push(message);
  try {
    const idx = lunr.Index.load(runScript(INDEX_JS).SVCGUIDE_INDEX);
    return { idx, warnings };
  } finally {
    console.warn = warn;
  }
}

// search.js's query logic, run without a page (no form: it binds nothing).
function searchJs() {
  const document = { readyState: 'complete', querySelector: () => null };
  return runScript(SEARCH_JS, { document }).SVCGUIDE_SEARCH;
}

function titles(results, docs) {
  return results.map((r) => docs[r.ref].t);
}

// SVCGUIDE_EXPECTATIONS=present (for the small sample index the Rust tests dump)
// keeps only the expectations whose pages the site has, and says how many it
// dropped; by default (the bundled guide) every expectation must apply, so a
// renamed or lost page fails instead of quietly dropping its checks.
const ONLY_PRESENT = process.env.SVCGUIDE_EXPECTATIONS === 'present';

function applicable(expectations, docs) {
  const known = new Set(Object.values(docs).map((doc) => doc.t));
  const entries = Object.entries(expectations);
  const kept = entries.filter(([, expected]) => [expected].flat().every((t) => known.has(t)));
  const dropped = entries.filter((e) => !kept.includes(e)).map(([query]) => query);
  if (ONLY_PRESENT) {
    if (dropped.length) console.log(`# expectations without their page (dropped): ${dropped.join(', ')}`);
  } else {
    assert.deepEqual(dropped, [], 'expectations whose page is missing from the site (SVCGUIDE_EXPECTATIONS=present allows that)');
  }
  return kept;
}

// query -> title expected first, or among the results.
const EXPECTED_TOP = {
  'print spooler': 'Print Spooler',
  spooler: 'Print Spooler',
  Spooler: 'Print Spooler',
  'LServer.exe': 'Terminal Services Licensing',
  lserver: 'Terminal Services Licensing',
  spoolsv: 'Print Spooler',
  'spoolsv.exe': 'Print Spooler',
  'spoolr~1': 'Print Spooler',
  'terminal services licensing': 'Terminal Services Licensing',
  // Words that stand only in one description of the bundled guide.
  plumbing: 'Remote Procedure Call (RPC)',
  docking: 'Plug and Play',
  subscriber: 'COM+ Event System',
};
const EXPECTED_AMONG = {
  netsvcs: ['Computer Browser'],
  svchost: ['Computer Browser'],
  'svchost.exe': ['Computer Browser'],
  exe: ['Print Spooler', 'Terminal Services Licensing'],
  // Only in Recommended and Default State items ("Automatic, vital part of Windows").
  vital: ['Remote Procedure Call (RPC)', 'Plug and Play', 'Workstation', 'Event Log', 'Task Scheduler',
    'Windows Management Instrumentation', 'Security Accounts Manager', 'DCOM Server Process Launcher',
    'RPC Endpoint Mapper'],
};
// What search.js makes of text typed in the box (prefixes, typos).
const EXPECTED_TYPED = {
  'print spoo': 'Print Spooler',
  'print spooler': 'Print Spooler',
  'the print spooler': 'Print Spooler',
  'Print Spooler for': 'Print Spooler',
  spoolr: 'Print Spooler',
  'spoolr~1': 'Print Spooler',
  'LServer.exe': 'Terminal Services Licensing',
  'lserver.e': 'Terminal Services Licensing',
  lserv: 'Terminal Services Licensing',
  'terminal services lic': 'Terminal Services Licensing',
  'Terminal-Services Licensing': 'Terminal Services Licensing',
  termservice: 'Terminal Services',
  'print spoolr': 'Print Spooler',
  'printer spooling': 'Print Spooler',
};

test('index loads with lunr.Index.load and no version warning', { skip: skipIndex }, () => {
  const { idx, warnings } = loadIndex();
  assert.deepEqual(warnings, []);
  assert.ok(idx.fields.includes('title'));
});

test('lunr queries return the expected services first', { skip: skipIndex }, () => {
  const { idx } = loadIndex();
  const docs = runScript(DOCS_JS).SVCGUIDE_DOCS;
  for (const [query, title] of applicable(EXPECTED_TOP, docs)) {
    const found = titles(idx.search(query), docs);
    assert.equal(found[0], title, `${query} -> ${found.slice(0, 3).join(' | ')}`);
  }
  for (const [query, expected] of applicable(EXPECTED_AMONG, docs)) {
    const found = titles(idx.search(query), docs);
    for (const title of expected) assert.ok(found.includes(title), `${query} -> ${found.join(' | ')}`);
  }
});

test('search.js finds typed prefixes, stop words and typos', { skip: skipIndex }, () => {
  const { idx } = loadIndex();
  const docs = runScript(DOCS_JS).SVCGUIDE_DOCS;
  const { runSearch } = searchJs();
  for (const [text, title] of applicable(EXPECTED_TYPED, docs)) {
    const found = titles(runSearch(lunr, idx, text).results, docs);
    assert.equal(found[0], title, `${text} -> ${found.slice(0, 3).join(' | ')}`);
  }
  assert.equal(runSearch(lunr, idx, 'print zzzzzzzz').results.length, 0);
});

test('doc store has title, url, excerpt and state for every indexed ref', { skip: skipIndex }, () => {
  const index = runScript(INDEX_JS).SVCGUIDE_INDEX;
  const docs = runScript(DOCS_JS).SVCGUIDE_DOCS;
  const refs = new Set(index.fieldVectors.map(([fieldRef]) => fieldRef.slice(fieldRef.indexOf('/') + 1)));
  assert.deepEqual([...refs].sort(), Object.keys(docs).sort());
  for (const doc of Object.values(docs)) {
    assert.equal(typeof doc.t, 'string');
    assert.match(doc.u, /^[^/].*\.html/);
    assert.ok([...doc.e].length <= 160, doc.e);
    assert.ok(doc.r === undefined || doc.r.every((item) => item.length === 3 && item.every((x) => typeof x === 'string')), JSON.stringify(doc.r));
    assert.ok(['s', 'a', 'p', 'g'].includes(doc.k), doc.k);
  }
});

// ---- Equivalence with an index lunr.js builds itself ----

function lunrBuilt(dump) {
  return lunr(function () {
    this.ref('ref');
    for (const field of dump.fields) this.field(field.name, { boost: field.boost });
    for (const doc of dump.docs) this.add(doc);
  });
}

const EQUIVALENCE_QUERIES = [
  'print spooler', 'spooler', 'LServer.exe', 'lserver', 'exe', 'netsvcs', 'svchost',
  'spoolr~1', 'print*', 'serv*', '*host', 'title:server', '+print -fax', 'terminal^5 licensing',
  'computer network', 'pool', 'remote desktop client', 'termservice', 'w32time', 'licensing~2',
];

test('serialized index is byte-identical to lunr.js toJSON for the same tokens', { skip: skipTokens }, () => {
  const dump = JSON.parse(readFileSync(TOKENS_JSON, 'utf8'));
  const ours = readFileSync(INDEX_JS, 'utf8').replace(/^window\.SVCGUIDE_INDEX=/, '').replace(/;$/, '');
  const theirs = JSON.stringify(lunrBuilt(dump)).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  assert.equal(ours, theirs);
});

test('loaded index ranks like the lunr.js-built one', { skip: skipTokens }, () => {
  const dump = JSON.parse(readFileSync(TOKENS_JSON, 'utf8'));
  const built = lunrBuilt(dump);
  const { idx } = loadIndex();
  let found = 0;
  for (const query of EQUIVALENCE_QUERIES) {
    const ours = idx.search(query);
    const theirs = built.search(query);
    found += theirs.length > 0 ? 1 : 0;
    assert.deepEqual(ours.map((r) => r.ref), theirs.map((r) => r.ref), query);
    ours.forEach((r, i) => assert.ok(Math.abs(r.score - theirs[i].score) < 1e-6, `${query} ${r.ref}`));
    const metadata = (results) => JSON.stringify(results.map((r) => r.matchData.metadata));
    assert.equal(metadata(ours), metadata(theirs), query);
  }
  assert.ok(found >= EQUIVALENCE_QUERIES.length / 2, `only ${found} queries found something`);
});

test('our tokens start from what lunr.tokenizer makes of each field', { skip: skipTokens }, () => {
  const dump = JSON.parse(readFileSync(TOKENS_JSON, 'utf8'));
  for (const doc of dump.docs) {
    for (const { name } of dump.fields) {
      // lunr's tokens, less those that trim to nothing (we skip those).
      const expected = lunr.tokenizer(doc.raw[name]).map(String)
        .filter((t) => lunr.trimmer(new lunr.Token(t)).toString() !== '');
      const ours = doc[name];
      let at = 0;
      for (const token of expected) {
        at = ours.indexOf(token, at);
        assert.ok(at >= 0, `${doc.ref}/${name}: ${token} missing from ${JSON.stringify(ours)}`);
        at += 1;
      }
    }
  }
});

// With services.json beside the index: a process or svchost group query must put
// a service that runs in it first.
const servicesJson = process.env.SVCGUIDE_SERVICES_JSON;
test('process and group queries put a service of that process first', { skip: (skipIndex || !servicesJson) && 'needs SVCGUIDE_SERVICES_JSON' }, () => {
  const { idx } = loadIndex();
  const docs = runScript(DOCS_JS).SVCGUIDE_DOCS;
  const services = JSON.parse(readFileSync(servicesJson, 'utf8')).services;
  // A result's service by its page: refs are short numbers, the doc store has the URL.
  const byUrl = Object.fromEntries(services.map((s) => [s.url.replace(/^\//, ''), s]));
  const serviceOf = (ref) => byUrl[docs[ref]?.u];
  const runsIn = (ref, test) => (serviceOf(ref)?.processes || []).some(test);
  for (const [query, test] of [
    ['netsvcs', (p) => (p.group || '').toLowerCase() === 'netsvcs'],
    ['svchost', (p) => (p.image || '').toLowerCase().startsWith('svchost')],
    ['LServer.exe', (p) => (p.image || '').toLowerCase() === 'lserver.exe'],
    ['lsass', (p) => (p.image || '').toLowerCase() === 'lsass.exe'],
  ]) {
    // The processes page's own entries (programs, svchost groups) aside.
    const found = idx.search(query).filter((r) => !['p', 'g'].includes(docs[r.ref]?.k));
    if (!services.some((s) => (s.processes || []).some(test))) {
      assert.ok(ONLY_PRESENT, `no service of the site runs in ${query} (SVCGUIDE_EXPECTATIONS=present allows that)`);
      continue;
    }
    assert.ok(found.length > 0 && runsIn(found[0].ref, test), `${query} -> ${found.slice(0, 3).map((r) => docs[r.ref]?.u).join(' | ')}`);
  }
});
