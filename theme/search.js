/* svcguide search: two prebuilt lunr 2.3.9 indexes, loaded as they are needed.
 *
 * - search-names.js (titles, short names, processes, svchost groups) and
 *   search-docs.js (what a result shows) load when the search box gets focus:
 *   they answer name queries on their own.
 * - search-index.js (every field, the text too) loads only when a query needs
 *   it: a word no name holds, no name match, or the results page.
 *
 * Binds to <form class="search" data-root="ROOT/"> holding #search-input (it
 * adds #search-popup, #search-status and #search-results), and to the results page
 * (#search-page). Everything is loaded with <script> tags rather than fetch so
 * the site also works from file://. No dependencies, no build step.
 */
(function () {
  'use strict';

  var MAX_SHOWN = 8;
  // Query strings using lunr's own syntax go to idx.search() as typed.
  var LUNR_SYNTAX = /[~^:*+]/;
  // A command line switch ("-k", "/s"): not a word to look for.
  var SWITCH = /^[-\/][a-z]{1,2}$/i;
  // lunr.tokenizer's separator.
  var SEPARATOR = /[\s\-]+/;
  // Words nearly every title holds: they do not make a name match.
  var GENERIC = ['servic', 'window', 'microsoft'];

  // ---- Querying (no DOM; exported for tests) ----

  function stemOf(lunr, word) {
    return lunr.stemmer(new lunr.Token(word)).toString();
  }

  // Lowercased, trimmed words, as the index pipeline sees its tokens;
  // command line switches are left out.
  function queryWords(lunr, text) {
    return text.split(/\s+/).filter(function (part) {
      return !SWITCH.test(part);
    }).join(' ').split(SEPARATOR).map(function (word) {
      return lunr.trimmer(new lunr.Token(word.toLowerCase())).toString();
    }).filter(function (word) {
      return word !== '';
    });
  }

  function isStopWord(lunr, word) {
    return !lunr.stopWordFilter(new lunr.Token(word));
  }

  function hasTerm(idx, term) {
    return Object.prototype.hasOwnProperty.call(idx.invertedIndex, term);
  }

  // Whether some term of the index starts with `word`.
  function hasPrefix(lunr, idx, word) {
    return idx.tokenSet.intersect(lunr.TokenSet.fromString(word + '*')).toArray().length > 0;
  }

  // How each word is looked for: 'exact' (its stem is a term of the index),
  // 'prefix' (unfinished, or ending differently) or 'typo' (the index has
  // neither: only then is a slip of the fingers mended, so a word of the
  // guide never becomes another); 'none' when nothing near it is found.
  // The words of every result's names (titles, short names, programs), each
  // with its stem: a word being typed ("applicati") is matched against these,
  // since the index holds only stems ("applic"). Made once per doc store.
  var nameVocabulary = { docs: null, words: [] };
  function namesOf(lunr, docs) {
    if (nameVocabulary.docs === docs) return nameVocabulary.words;
    var seen = {};
    var words = [];
    Object.keys(docs || {}).forEach(function (ref) {
      nameWords(lunr, docs[ref]).forEach(function (word) {
        if (!seen[word]) {
          seen[word] = true;
          words.push([word, stemOf(lunr, word)]);
        }
      });
    });
    nameVocabulary = { docs: docs, words: words };
    return words;
  }

  function plan(lunr, idx, words, docs) {
    return words.map(function (word, i) {
      var last = i === words.length - 1;
      var stem = stemOf(lunr, word);
      var planned = { word: word, stem: stem, prefix: word };
      if (hasTerm(idx, stem)) {
        planned.how = last ? 'prefix' : 'exact';
        return planned;
      }
      // An unfinished or differently ended word: "spooling" finds "spooler"
      // through "spool" (the last word, or any word of three letters or more).
      var prefix = hasPrefix(lunr, idx, word) ? word : hasPrefix(lunr, idx, stem) ? stem : '';
      if (prefix !== '' && (last || prefix.length >= 3)) {
        planned.how = 'prefix';
        planned.prefix = prefix;
        return planned;
      }
      if (last) {
        // Past the stem of a name: "applicati" is on its way to "application".
        var stems = namesOf(lunr, docs).filter(function (pair) {
          return pair[0].lastIndexOf(word, 0) === 0 && hasTerm(idx, pair[1]);
        }).map(function (pair) { return pair[1]; });
        if (stems.length > 0) {
          planned.how = 'typed';
          planned.candidates = stems.filter(function (t, k) { return stems.indexOf(t) === k; });
          return planned;
        }
      }
      planned.candidates = idx.tokenSet.intersect(lunr.TokenSet.fromFuzzyString(stem, 1)).toArray()
        .filter(function (term) { return isSlip(stem, term); });
      planned.how = planned.candidates.length > 0 ? 'typo' : 'none';
      return planned;
    });
  }

  var KEY_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

  // Whether two keys sit side by side on a QWERTY keyboard.
  function neighbours(a, b) {
    var pa = null;
    var pb = null;
    KEY_ROWS.forEach(function (row, r) {
      if (row.indexOf(a) !== -1) pa = [r, row.indexOf(a)];
      if (row.indexOf(b) !== -1) pb = [r, row.indexOf(b)];
    });
    return pa !== null && pb !== null && Math.abs(pa[0] - pb[0]) <= 1 && Math.abs(pa[1] - pb[1]) <= 1;
  }

  // Whether `typed` is `term` with one slip of the fingers: a letter left
  // out, doubled or added, two letters swapped, or a key's neighbour hit.
  // Anything else ("defend" for "depend": f and p are far apart) is another
  // word, not a typo.
  function isSlip(typed, term) {
    if (typed === term) return true;
    if (Math.abs(typed.length - term.length) === 1) return true;
    if (typed.length !== term.length) return false;
    var diff = [];
    for (var i = 0; i < typed.length; i++) {
      if (typed[i] !== term[i]) diff.push(i);
    }
    if (diff.length === 1) return neighbours(typed[diff[0]], term[diff[0]]);
    return diff.length === 2 && diff[1] === diff[0] + 1 &&
      typed[diff[0]] === term[diff[1]] && typed[diff[1]] === term[diff[0]];
  }

  // Whether every word can be found in `idx` without an edit (true when
  // there is no word to look for yet: "a", "the").
  function answers(lunr, idx, text, docs) {
    var words = contentWords(lunr, queryWords(lunr, text));
    return plan(lunr, idx, words, docs).every(function (p) {
      return p.how === 'exact' || p.how === 'prefix' || p.how === 'typed';
    });
  }

  function contentWords(lunr, words) {
    return words.filter(function (word) { return !isStopWord(lunr, word); });
  }

  // lunr results for the planned words; every word required, or (`any`)
  // each one optional.
  function lunrQuery(lunr, idx, planned, any) {
    var presence = any ? lunr.Query.presence.OPTIONAL : lunr.Query.presence.REQUIRED;
    var results = idx.query(function (q) {
      planned.forEach(function (p) {
        if (p.how === 'exact') {
          q.term(p.word, { presence: presence });
        } else if (p.how === 'typo' || p.how === 'typed') {
          // The slips' terms, any of them (checked below when all are required).
          p.candidates.forEach(function (term) {
            q.term(term, { usePipeline: false });
          });
        } else {
          // lunr cannot OR two clauses inside one required clause: the stem
          // and the prefix are both asked for, and documents with neither dropped.
          q.term(p.word, { boost: 10 });
          q.term(p.prefix, { usePipeline: false, wildcard: lunr.Query.wildcard.TRAILING });
        }
      });
    });
    var loose = planned.filter(function (p) { return p.how !== 'exact'; });
    if (any || loose.length === 0) return results;
    return results.filter(function (result) {
      return loose.every(function (p) {
        return Object.keys(result.matchData.metadata).some(function (term) {
          if (p.candidates) return p.candidates.indexOf(term) !== -1;
          return term === p.stem || term.lastIndexOf(p.prefix, 0) === 0;
        });
      });
    });
  }

  // The words a document is named by: title, short names, process images
  // (and, for an svchost group, its command line).
  function nameWords(lunr, doc) {
    var texts = [doc.t].concat(doc.n || []);
    (doc.p || []).forEach(function (line) {
      texts.push(doc.k === 'g' ? line : line.split(' ')[0]);
    });
    var words = [];
    texts.forEach(function (text) {
      text.toLowerCase().split(/[^a-z0-9_]+/).forEach(function (w) {
        if (w !== '') words.push(w);
      });
    });
    return words;
  }

  // How well a document's names answer the words: 3 the query is one of its
  // names, 2 every word is in its names, 1 some are, 0 none.
  function nameTier(lunr, doc, words, lastIsPrefix) {
    var names = nameWords(lunr, doc);
    var stems = names.map(function (w) { return stemOf(lunr, w); });
    var normal = function (text) {
      return contentWords(lunr, queryWords(lunr, text)).join(' ').replace(/\.exe$/, '');
    };
    var phrase = normal(words.join(' '));
    var whole = [doc.t.replace(/\s*\(.*\)$/, '')].concat(
      doc.n || [],
      (doc.p || []).map(function (p) { return doc.k === 'g' ? p : p.split(' ')[0]; })
    ).map(normal);
    if (whole.indexOf(phrase) !== -1) {
      return { tier: 3, hits: words.length };
    }
    var hits = 0;
    var counted = 0;
    words.forEach(function (word, i) {
      var stem = stemOf(lunr, word);
      if (GENERIC.indexOf(stem) !== -1) return;
      counted++;
      var found = stems.indexOf(stem) !== -1 || names.indexOf(word) !== -1 ||
        (lastIsPrefix && i === words.length - 1 && names.some(function (n) { return n.lastIndexOf(word, 0) === 0; }));
      if (found) hits++;
    });
    if (counted > 0 && hits === counted) return { tier: 2, hits: hits };
    return { tier: hits > 0 ? 1 : 0, hits: hits };
  }

  // Name matches first (whole name, then every word, then most words), then
  // lunr's score.
  function rank(lunr, docs, results, words, lastIsPrefix) {
    return results.map(function (r) {
      var t = docs[r.ref] ? nameTier(lunr, docs[r.ref], words, lastIsPrefix) : { tier: 0, hits: 0 };
      return { ref: r.ref, score: r.score, tier: t.tier, hits: t.hits, matchData: r.matchData };
    }).sort(function (a, b) {
      return (b.tier - a.tier) || (b.hits - a.hits) || (b.score - a.score) ||
        (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0);
    });
  }

  // Returns {results, prefix}: results, best first, each {ref, score, tier,
  // matchData}, and the word that was matched as a prefix (for highlighting).
  function runSearch(lunr, idx, text, docs) {
    docs = docs || {};
    text = text.trim();
    var none = { results: [], prefix: '' };
    if (text === '') return none;
    var words = queryWords(lunr, text);
    if (LUNR_SYNTAX.test(text)) {
      try {
        return { results: rank(lunr, docs, idx.search(text), [], false), prefix: '' };
      } catch (e) {
        // Not valid lunr syntax after all (e.g. "foo:"): search the words.
        words = queryWords(lunr, text.replace(/[~^:*+]/g, ' '));
      }
    }
    var content = contentWords(lunr, words);
    if (content.length === 0) return none;
    var planned = plan(lunr, idx, content, docs);
    // A word the guide does not have, even with a typo mended: nothing holds every word.
    if (planned.some(function (p) { return p.how === 'none'; })) return none;
    var lastHow = planned[planned.length - 1].how;
    var lastIsPrefix = lastHow === 'prefix' || lastHow === 'typed';
    var results = lunrQuery(lunr, idx, planned, false);
    if (results.length === 0 && content.length > 1) {
      // No page has every word: pages with most of them.
      results = lunrQuery(lunr, idx, planned, true);
    }
    return {
      results: rank(lunr, docs, results, content, lastIsPrefix),
      prefix: lastIsPrefix ? content[content.length - 1] : ''
    };
  }

  // Splits a title into [{text, mark}] parts, marking the words whose index
  // term matched (or that start with the prefix being typed).
  function highlightParts(lunr, title, matchedTerms, prefix) {
    return title.split(/([\s\-]+)/).filter(function (text) {
      return text !== '';
    }).map(function (text) {
      var word = lunr.trimmer(new lunr.Token(text.toLowerCase())).toString();
      var mark = word !== '' && !SEPARATOR.test(text) &&
        (matchedTerms.indexOf(stemOf(lunr, word)) !== -1 ||
         (prefix !== '' && word.lastIndexOf(prefix, 0) === 0));
      return { text: text, mark: mark };
    });
  }

  // ---- Loading ----

  var loaded = {};

  function loadScript(src) {
    if (loaded[src]) return loaded[src];
    loaded[src] = new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = src;
      script.async = false; // keep execution order: lunr before the indexes
      script.onload = resolve;
      script.onerror = function () { reject(new Error('cannot load ' + src)); };
      document.head.appendChild(script);
    });
    return loaded[src];
  }

  // The names index and the doc store (with lunr).
  function loadNames(root) {
    return Promise.all([
      loadScript(root + 'theme/lunr.js'),
      loadScript(root + 'search-names.js'),
      loadScript(root + 'search-docs.js')
    ]).then(function () {
      if (!window.SVCGUIDE_NAMES_IDX) window.SVCGUIDE_NAMES_IDX = window.lunr.Index.load(window.SVCGUIDE_NAMES);
      return { idx: window.SVCGUIDE_NAMES_IDX, docs: window.SVCGUIDE_DOCS };
    });
  }

  // The full index (after the names, which bring lunr and the doc store).
  function loadFull(root) {
    return loadNames(root).then(function () {
      return loadScript(root + 'search-index.js');
    }).then(function () {
      if (!window.SVCGUIDE_FULL_IDX) window.SVCGUIDE_FULL_IDX = window.lunr.Index.load(window.SVCGUIDE_INDEX);
      return window.SVCGUIDE_FULL_IDX;
    });
  }

  // ---- Rendering a result (plain text from the doc store) ----

  function textElement(tag, className, text) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    element.textContent = text;
    return element;
  }

  function titleElement(tag, parts) {
    var title = document.createElement(tag);
    title.className = 'search-title';
    parts.forEach(function (part) {
      if (part.mark) {
        title.appendChild(textElement('mark', '', part.text));
      } else {
        title.appendChild(document.createTextNode(part.text));
      }
    });
    return title;
  }

  var KIND = { p: 'Program', g: 'svchost group', a: 'Article' };

  // Short names and command lines, in <code>.
  function metaElement(doc) {
    var meta = document.createElement('span');
    meta.className = 'search-meta';
    if (KIND[doc.k]) meta.appendChild(textElement('span', 'search-kind', KIND[doc.k]));
    var codes = (doc.k === 'g' || doc.k === 'p') ? (doc.p || []) : (doc.n || []).concat(doc.p || []);
    codes.slice(0, 4).forEach(function (text) {
      meta.appendChild(document.createTextNode(' '));
      meta.appendChild(textElement('code', '', text));
    });
    return meta;
  }

  // "WinXP: [Disabled], if no printer" for up to `max` items.
  function stateElement(doc, max) {
    var items = doc.r || [];
    var box = document.createElement('span');
    box.className = 'search-state';
    items.slice(0, max).forEach(function (item, i) {
      var line = document.createElement('span');
      line.className = 'search-rec';
      if (item[0]) line.appendChild(textElement('span', 'os', item[0] + ': '));
      var text = item[2];
      var cut = item[1] ? text.indexOf(', ') : -1;
      var state = cut === -1 ? text : text.slice(0, cut);
      line.appendChild(textElement('span', item[1] ? 'state state-' + item[1] : '', state));
      if (cut !== -1) line.appendChild(document.createTextNode(text.slice(cut)));
      if (i > 0) box.appendChild(document.createTextNode(' '));
      box.appendChild(line);
    });
    if (items.length > max) box.appendChild(textElement('span', 'search-more', ' +' + (items.length - max) + ' more'));
    return box;
  }

  // The parts of a result: title (as `titleTag`), names, state, excerpt.
  function fillResult(container, titleNode, doc) {
    container.appendChild(titleNode);
    container.appendChild(metaElement(doc));
    if (doc.r && doc.r.length) container.appendChild(stateElement(doc, 2));
    if (doc.e) container.appendChild(textElement('span', 'search-excerpt', doc.e));
  }

  function plural(n, one, many) {
    return n + ' ' + (n === 1 ? one : many);
  }

  // ---- The search box ----

  function SearchBox(form) {
    this.form = form;
    this.input = form.querySelector('#search-input');
    this.popup = form.querySelector('#search-popup');
    this.status = form.querySelector('#search-status');
    this.list = form.querySelector('#search-results');
    this.root = form.dataset.root || '';
    this.names = null;   // {idx, docs}
    this.full = null;    // the full index, once loaded
    this.loading = null;
    this.loadingFull = false;
    this.failed = false;
    this.options = [];   // [{element, href}]
    this.active = -1;
  }

  SearchBox.prototype.bind = function () {
    var self = this;
    var load = function () { self.load(); };
    this.input.addEventListener('focus', load);
    this.input.addEventListener('input', function () {
      self.load();
      self.update();
    });
    this.input.addEventListener('keydown', function (event) { self.onKey(event); });
    this.form.addEventListener('submit', function (event) {
      // With results, Enter opens one; without, the form goes to the
      // results page with the query (search.html?q=…).
      if (self.options.length > 0 && self.hasResults) {
        event.preventDefault();
        self.open();
      }
    });
    this.list.addEventListener('mousedown', function (event) {
      event.preventDefault(); // keep the focus in the box
    });
    this.list.addEventListener('click', function (event) {
      for (var node = event.target; node && node !== self.list; node = node.parentNode) {
        var at = self.indexOf(node);
        if (at !== -1) {
          self.go(self.options[at].href);
          return;
        }
      }
    });
    document.addEventListener('click', function (event) {
      if (!self.form.contains(event.target)) self.close();
    });
    this.form.addEventListener('focusout', function (event) {
      if (event.relatedTarget && !self.form.contains(event.relatedTarget)) self.close();
    });
    if (document.activeElement === this.input) load();
  };

  SearchBox.prototype.indexOf = function (element) {
    for (var i = 0; i < this.options.length; i++) {
      if (this.options[i].element === element) return i;
    }
    return -1;
  };

  SearchBox.prototype.load = function () {
    var self = this;
    if (this.loading) return this.loading;
    if (this.input.value.trim() !== '') this.showStatus('Loading search\u2026');
    this.loading = loadNames(this.root).then(function (names) {
      self.names = names;
      self.update();
    }, function () {
      self.failed = true;
      self.showStatus('Search is not available.');
    });
    return this.loading;
  };

  // Loads the full index, then searches again.
  SearchBox.prototype.loadFull = function () {
    var self = this;
    if (this.loadingFull) return;
    this.loadingFull = true;
    loadFull(this.root).then(function (full) {
      self.full = full;
      self.update();
    }, function () {
      self.full = self.names.idx; // names only, rather than nothing
      self.update();
    });
  };

  SearchBox.prototype.update = function () {
    var text = this.input.value;
    if (text.trim() === '') {
      this.close();
      return;
    }
    if (this.failed) return;
    if (!this.names) {
      this.showStatus('Loading search\u2026');
      return;
    }
    var lunr = window.lunr;
    var idx = this.full || this.names.idx;
    if (LUNR_SYNTAX.test(text) && !this.full) {
      // lunr's own syntax may name any field: the full index answers it.
      this.loadFull();
      this.showStatus('Searching the full text\u2026');
      return;
    }
    if (!LUNR_SYNTAX.test(text) && contentWords(lunr, queryWords(lunr, text)).length === 0) {
      // Only words like "a" or "the" so far: nothing to look for yet.
      this.showStatus('Keep typing\u2026');
      return;
    }
    if (!this.full && !answers(lunr, this.names.idx, text, this.names.docs)) {
      // A word no name holds: only the full text can answer (and only it
      // may tell a typo from a word of the guide).
      this.loadFull();
      this.showStatus('Searching the full text\u2026');
      return;
    }
    var found = runSearch(lunr, idx, text, this.names.docs);
    found.results = found.results.filter(function (r) { return this.names.docs[r.ref]; }, this);
    if (!this.full && found.results.length === 0) {
      this.loadFull();
      this.showStatus('Searching the full text\u2026');
      return;
    }
    this.render(found, text, !!this.full);
  };

  SearchBox.prototype.render = function (found, text, complete) {
    var self = this;
    this.clear();
    var results = found.results;
    var pageUrl = this.root + 'search.html?q=' + encodeURIComponent(text.trim());
    this.hasResults = results.length > 0;
    if (results.length === 0) {
      this.status.textContent = 'No results for \u201c' + text.trim() + '\u201d.';
      this.addOption('search-az', this.root + 'index.html#az', function (li) {
        li.appendChild(textElement('span', 'search-title', 'Browse the A\u2013Z list'));
      });
      this.show();
      return;
    }
    var count = complete ? plural(results.length, 'result', 'results')
      : plural(results.length, 'name match', 'name matches');
    this.status.textContent = count + (results.length > MAX_SHOWN ? ', best ' + MAX_SHOWN + ' shown' : '') + '.';
    results.slice(0, MAX_SHOWN).forEach(function (result, i) {
      var doc = self.names.docs[result.ref];
      var terms = Object.keys(result.matchData.metadata);
      self.addOption('search-result-' + i, self.root + doc.u, function (li) {
        fillResult(li, titleElement('span', highlightParts(window.lunr, doc.t, terms, found.prefix)), doc);
      });
    });
    this.addOption('search-all', pageUrl, function (li) {
      li.className = 'search-all';
      li.appendChild(textElement('span', 'search-title', complete
        ? 'Show all ' + plural(results.length, 'result', 'results')
        : 'Search the full text for \u201c' + text.trim() + '\u201d'));
    });
    this.show();
  };

  SearchBox.prototype.addOption = function (id, href, fill) {
    var li = document.createElement('li');
    li.id = id;
    li.setAttribute('role', 'option');
    li.setAttribute('aria-selected', 'false');
    fill(li);
    this.list.appendChild(li);
    this.options.push({ element: li, href: href });
  };

  SearchBox.prototype.showStatus = function (text) {
    this.clear();
    this.hasResults = false;
    this.status.textContent = text;
    this.show();
  };

  SearchBox.prototype.isOpen = function () {
    return !this.popup.hidden;
  };

  SearchBox.prototype.onKey = function (event) {
    var count = this.options.length;
    switch (event.key) {
      case 'ArrowDown':
      case 'Down':
        if (count === 0) return;
        event.preventDefault();
        this.show();
        this.setActive((this.active + 1) % count);
        break;
      case 'ArrowUp':
      case 'Up':
        if (count === 0) return;
        event.preventDefault();
        this.setActive(this.active <= 0 ? count - 1 : this.active - 1);
        break;
      case 'Enter':
        if (this.active >= 0 || (count > 0 && this.hasResults && this.isOpen())) {
          event.preventDefault();
          this.open();
        }
        // Otherwise the form goes to the results page, query kept.
        break;
      case 'Escape':
      case 'Esc':
        event.preventDefault();
        if (this.isOpen()) {
          this.close();
        } else {
          this.input.value = '';
        }
        break;
      case 'Tab':
        this.close(); // the focus moves on; the list does not stay behind
        break;
    }
  };

  SearchBox.prototype.setActive = function (index) {
    for (var i = 0; i < this.options.length; i++) {
      var element = this.options[i].element;
      element.setAttribute('aria-selected', i === index ? 'true' : 'false');
      element.classList.toggle('active', i === index);
    }
    this.active = index;
    var element = this.options[index].element;
    this.input.setAttribute('aria-activedescendant', element.id);
    if (element.scrollIntoView) element.scrollIntoView({ block: 'nearest' });
  };

  // Follows the active option, or the first one.
  SearchBox.prototype.open = function () {
    var option = this.options[this.active >= 0 ? this.active : 0];
    if (option) this.go(option.href);
  };

  SearchBox.prototype.go = function (href) {
    window.location.href = href;
  };

  SearchBox.prototype.show = function () {
    this.popup.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  };

  SearchBox.prototype.close = function () {
    this.clear();
    this.status.textContent = '';
    this.popup.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
  };

  SearchBox.prototype.clear = function () {
    while (this.list.firstChild) this.list.removeChild(this.list.firstChild);
    this.options = [];
    this.active = -1;
    this.input.removeAttribute('aria-activedescendant');
  };

  // ---- The results page (search.html?q=…) ----

  function queryFromLocation() {
    var search = window.location.search || '';
    var match = /[?&]q=([^&]*)/.exec(search);
    if (!match) return '';
    try {
      return decodeURIComponent(match[1].replace(/\+/g, ' '));
    } catch (e) {
      return '';
    }
  }

  function ResultsPage(section) {
    this.section = section;
    this.root = section.dataset.root || '';
    this.input = section.querySelector('#search-page-input');
    this.status = section.querySelector('#search-page-status');
    this.list = section.querySelector('#search-page-results');
  }

  ResultsPage.prototype.run = function () {
    var self = this;
    var text = queryFromLocation();
    if (this.input) this.input.value = text;
    var box = document.querySelector('#search-input');
    if (box) box.value = text;
    if (text.trim() === '') {
      this.status.textContent = 'Type words to look for: a service\u2019s name, short name, program or svchost group.';
      return;
    }
    this.status.textContent = 'Loading search\u2026';
    Promise.all([loadNames(this.root), loadFull(this.root)]).then(function (both) {
      var found = runSearch(window.lunr, both[1], text, both[0].docs);
      found.results = found.results.filter(function (r) { return both[0].docs[r.ref]; });
      self.show(text, found, both[0].docs);
    }, function () {
      self.status.textContent = 'Search is not available.';
    });
  };

  ResultsPage.prototype.show = function (text, found, docs) {
    var self = this;
    var results = found.results;
    this.status.textContent = results.length === 0
      ? 'No results for \u201c' + text.trim() + '\u201d.'
      : plural(results.length, 'result', 'results') + ' for \u201c' + text.trim() + '\u201d.';
    while (this.list.firstChild) this.list.removeChild(this.list.firstChild);
    results.forEach(function (result) {
      var doc = docs[result.ref];
      var terms = Object.keys(result.matchData.metadata);
      var item = document.createElement('li');
      item.className = 'search-hit';
      var heading = document.createElement('h2');
      var link = document.createElement('a');
      link.href = self.root + doc.u;
      link.appendChild(titleElement('span', highlightParts(window.lunr, doc.t, terms, found.prefix)));
      heading.appendChild(link);
      fillResult(item, heading, doc);
      self.list.appendChild(item);
    });
  };

  function element(tag, attributes) {
    var made = document.createElement(tag);
    Object.keys(attributes).forEach(function (name) { made.setAttribute(name, attributes[name]); });
    return made;
  }

  // The results popup and the combobox roles are added here rather than
  // written by the page template: they only mean something once this script
  // runs, and every page of a 10,000-article guide would carry them. A
  // template that writes its own popup keeps it.
  function enhance(form) {
    var input = form.querySelector('#search-input');
    if (!input) return false;
    if (!form.querySelector('#search-results')) {
      var popup = element('div', { id: 'search-popup', 'class': 'search-popup' });
      popup.hidden = true;
      popup.appendChild(element('p', { id: 'search-status', 'class': 'search-status', role: 'status', 'aria-live': 'polite' }));
      popup.appendChild(element('ul', { id: 'search-results', role: 'listbox', 'aria-label': 'Search results' }));
      form.appendChild(popup);
    }
    var roles = { role: 'combobox', 'aria-controls': 'search-results', 'aria-expanded': 'false', 'aria-autocomplete': 'list' };
    Object.keys(roles).forEach(function (name) {
      if (!input.hasAttribute(name)) input.setAttribute(name, roles[name]);
    });
    return true;
  }

  function init() {
    var form = document.querySelector('form.search');
    if (form && enhance(form)) new SearchBox(form).bind();
    var page = document.querySelector('#search-page');
    if (page) new ResultsPage(page).run();
  }

  window.SVCGUIDE_SEARCH = {
    runSearch: runSearch, highlightParts: highlightParts, queryWords: queryWords, answers: answers, isSlip: isSlip
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
