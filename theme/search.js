/* svcguide search box: a prebuilt lunr 2.3.9 index, loaded on first use.
 *
 * Binds to <form class="search" data-root="ROOT/"> holding #search-input and
 * #search-results. Everything is loaded with <script> tags rather than fetch
 * so the site also works from file://. No dependencies, no build step.
 */
(function () {
  'use strict';

  var MAX_RESULTS = 10;
  // Query strings using lunr's own syntax go to idx.search() as typed.
  var LUNR_SYNTAX = /[~^:*+]|(^|\s)-\S/;
  // lunr.tokenizer's separator.
  var SEPARATOR = /[\s\-]+/;

  // ---- Querying (no DOM; exported for tests) ----

  function stemOf(lunr, word) {
    return lunr.stemmer(new lunr.Token(word)).toString();
  }

  // Lowercased, trimmed words, as the index pipeline sees its tokens.
  function queryWords(lunr, text) {
    return lunr.tokenizer(text).map(function (token) {
      return lunr.trimmer(token).toString();
    }).filter(function (word) {
      return word !== '';
    });
  }

  function isStopWord(lunr, word) {
    return !lunr.stopWordFilter(new lunr.Token(word));
  }

  // Every word must match; the last one may also be an unfinished prefix.
  // lunr cannot OR two clauses inside one required clause, so the last
  // word is queried both ways and documents matching neither are dropped.
  function strictSearch(lunr, idx, words) {
    var last = words[words.length - 1];
    var stem = stemOf(lunr, last);
    var results = idx.query(function (q) {
      words.slice(0, -1).forEach(function (word) {
        if (!isStopWord(lunr, word)) {
          q.term(word, { presence: lunr.Query.presence.REQUIRED });
        }
      });
      q.term(last, { boost: 10 });
      q.term(last, { usePipeline: false, wildcard: lunr.Query.wildcard.TRAILING });
    });
    return results.filter(function (result) {
      return Object.keys(result.matchData.metadata).some(function (term) {
        return term === stem || term.lastIndexOf(last, 0) === 0;
      });
    });
  }

  // Typo fallback: every (non stop) word within one edit.
  function fuzzySearch(lunr, idx, words) {
    var kept = words.filter(function (word) { return !isStopWord(lunr, word); });
    if (kept.length === 0) return [];
    return idx.query(function (q) {
      kept.forEach(function (word) {
        q.term(word, { editDistance: 1, presence: lunr.Query.presence.REQUIRED });
      });
    });
  }

  // Returns {results, prefix}: lunr results, best first, and the word that
  // was matched as a prefix (for highlighting), if any.
  function runSearch(lunr, idx, text) {
    text = text.trim();
    if (text === '') return { results: [], prefix: '' };
    if (LUNR_SYNTAX.test(text)) {
      try {
        return { results: idx.search(text), prefix: '' };
      } catch (e) {
        // Not valid lunr syntax after all (e.g. "foo:"): search the words.
      }
    }
    var words = queryWords(lunr, text);
    if (words.length === 0) return { results: [], prefix: '' };
    var results = strictSearch(lunr, idx, words);
    if (results.length === 0 && words.length > 1 && isStopWord(lunr, words[words.length - 1])) {
      words = words.slice(0, -1);
      results = strictSearch(lunr, idx, words);
    }
    if (results.length > 0) return { results: results, prefix: words[words.length - 1] };
    return { results: fuzzySearch(lunr, idx, words), prefix: '' };
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

  // ---- Page ----

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = src;
      script.async = false; // keep execution order: lunr before the index
      script.onload = resolve;
      script.onerror = function () { reject(new Error('cannot load ' + src)); };
      document.head.appendChild(script);
    });
  }

  function SearchBox(form) {
    this.form = form;
    this.input = form.querySelector('#search-input');
    this.list = form.querySelector('#search-results');
    this.root = form.dataset.root || '';
    this.idx = null;
    this.docs = null;
    this.loading = null;
    this.links = [];
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
      if (self.links.length > 0) {
        event.preventDefault();
        self.open();
      }
    });
    document.addEventListener('click', function (event) {
      if (!self.form.contains(event.target)) self.close();
    });
    if (document.activeElement === this.input) load();
  };

  SearchBox.prototype.load = function () {
    var self = this;
    if (this.loading) return this.loading;
    var root = this.root;
    this.loading = Promise.all([
      loadScript(root + 'theme/lunr.js'),
      loadScript(root + 'search-index.js'),
      loadScript(root + 'search-docs.js')
    ]).then(function () {
      self.idx = window.lunr.Index.load(window.SVCGUIDE_INDEX);
      self.docs = window.SVCGUIDE_DOCS;
      self.update();
    }, function () {
      self.showMessage('Search is not available.', false);
    });
    return this.loading;
  };

  SearchBox.prototype.update = function () {
    var text = this.input.value;
    if (!this.idx) return;
    if (text.trim() === '') {
      this.close();
      return;
    }
    var found = runSearch(window.lunr, this.idx, text);
    var shown = found.results.filter(function (result) {
      return this.docs[result.ref];
    }, this).slice(0, MAX_RESULTS);
    if (shown.length === 0) {
      this.showMessage('No results. ', true);
      return;
    }
    this.render(shown, found.prefix);
  };

  SearchBox.prototype.render = function (results, prefix) {
    var self = this;
    this.clear();
    results.forEach(function (result, i) {
      var doc = self.docs[result.ref];
      var terms = Object.keys(result.matchData.metadata);
      var option = document.createElement('li');
      option.id = 'search-result-' + i;
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', 'false');
      var link = document.createElement('a');
      link.href = self.root + doc.u;
      link.tabIndex = -1;
      link.appendChild(titleElement(highlightParts(window.lunr, doc.t, terms, prefix)));
      if (doc.r) link.appendChild(textElement('span', 'search-state', doc.r));
      if (doc.e) link.appendChild(textElement('span', 'search-excerpt', doc.e));
      option.appendChild(link);
      self.list.appendChild(option);
      self.links.push(link);
    });
    this.show();
  };

  // "No results. Browse the A–Z list", or a plain message.
  SearchBox.prototype.showMessage = function (text, withAzLink) {
    this.clear();
    var item = textElement('li', 'search-message', text);
    item.setAttribute('role', 'option');
    item.setAttribute('aria-disabled', 'true');
    if (withAzLink) {
      var link = document.createElement('a');
      link.href = this.root + 'index.html#az';
      link.textContent = 'Browse the A\u2013Z list';
      item.appendChild(link);
    }
    this.list.appendChild(item);
    this.show();
  };

  SearchBox.prototype.onKey = function (event) {
    var count = this.links.length;
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
        if (count === 0) return;
        event.preventDefault();
        this.open();
        break;
      case 'Escape':
      case 'Esc':
        event.preventDefault();
        this.input.value = '';
        this.close();
        break;
    }
  };

  SearchBox.prototype.setActive = function (index) {
    var options = this.list.children;
    for (var i = 0; i < options.length; i++) {
      options[i].setAttribute('aria-selected', i === index ? 'true' : 'false');
      options[i].classList.toggle('active', i === index);
    }
    this.active = index;
    this.input.setAttribute('aria-activedescendant', options[index].id);
    if (options[index].scrollIntoView) options[index].scrollIntoView({ block: 'nearest' });
  };

  // Follows the active result, or the first one.
  SearchBox.prototype.open = function () {
    var link = this.links[this.active >= 0 ? this.active : 0];
    if (link) window.location.href = link.href;
  };

  SearchBox.prototype.show = function () {
    this.list.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  };

  SearchBox.prototype.close = function () {
    this.clear();
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
  };

  SearchBox.prototype.clear = function () {
    while (this.list.firstChild) this.list.removeChild(this.list.firstChild);
    this.links = [];
    this.active = -1;
    this.input.removeAttribute('aria-activedescendant');
  };

  function textElement(tag, className, text) {
    var element = document.createElement(tag);
    element.className = className;
    element.textContent = text;
    return element;
  }

  function titleElement(parts) {
    var title = document.createElement('span');
    title.className = 'search-title';
    parts.forEach(function (part) {
      if (part.mark) {
        var mark = document.createElement('mark');
        mark.textContent = part.text;
        title.appendChild(mark);
      } else {
        title.appendChild(document.createTextNode(part.text));
      }
    });
    return title;
  }

  function init() {
    var form = document.querySelector('form.search');
    if (form && form.querySelector('#search-input') && form.querySelector('#search-results')) {
      new SearchBox(form).bind();
    }
  }

  window.SVCGUIDE_SEARCH = { runSearch: runSearch, highlightParts: highlightParts };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
