// svcguide: sortable and filterable tables, as a progressive enhancement.
// Without this script the tables are plain, complete <table>s.
(function () {
  "use strict";

  function cellKey(row, col) {
    var cell = row.cells[col];
    if (!cell) return "";
    var v = cell.getAttribute("data-value");
    return v !== null ? v : cell.textContent.trim().toLowerCase();
  }

  function makeSortable(table) {
    var head = table.tHead && table.tHead.rows[0];
    var body = table.tBodies[0];
    if (!head || !body) return;
    var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
    Array.prototype.forEach.call(head.cells, function (th, col) {
      var kind = th.getAttribute("data-sort");
      if (!kind) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      var icon = document.createElement("span");
      icon.className = "sort-icon";
      icon.setAttribute("aria-hidden", "true");
      button.appendChild(icon);
      th.appendChild(button);
      // A column sorted by a state's rank in ORDER, read from a row attribute
      // (`data-rank="data-states"`), rather than a `data-value` on every cell.
      var rankFrom = th.getAttribute("data-rank");
      // The first state is the row's own; the others are its variants'.
      var key = rankFrom ? function (row) { return rank((row.getAttribute(rankFrom) || "").split(" ")[0]); }
                         : function (row) { return cellKey(row, col); };
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(head.cells, function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.forEach(function (r, i) { r._pos = i; });
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          var c = kind === "num" ? Number(x) - Number(y) : collator.compare(x, y);
          if (c === 0) c = collator.compare(cellKey(a, 0), cellKey(b, 0));
          if (c === 0) c = a._pos - b._pos;
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  // The index of the column whose header reads `label`, or -1.
  function columnOf(table, label) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) return -1;
    for (var i = 0; i < head.cells.length; i++) {
      if (head.cells[i].textContent.trim() === label) return i;
    }
    return -1;
  }

  // The states of a row's cell in column `column`, from the row's
  // `data-<name>` attribute when it has one, else from the state badges
  // (`state state-<id>`) in the cell.
  function cellStates(row, attribute, column) {
    var given = row.getAttribute(attribute);
    if (given !== null) return given.split(" ").filter(Boolean);
    var cell = column >= 0 ? row.cells[column] : null;
    var found = [];
    if (!cell) return found;
    Array.prototype.forEach.call(cell.querySelectorAll(".state"), function (badge) {
      Array.prototype.forEach.call(badge.classList, function (name) {
        var id = name.indexOf("state-") === 0 ? name.slice(6) : "";
        if (id && found.indexOf(id) === -1) found.push(id);
      });
    });
    return found;
  }

  // Fills a state filter's options from the rows, each with the number of
  // rows it keeps (so the counts are those the filter then shows).
  function fillOptions(select, rows, key) {
    var counts = {};
    var labels = {};
    rows.forEach(function (r) {
      r[key].forEach(function (id) {
        counts[id] = (counts[id] || 0) + 1;
        if (!labels[id]) {
          var badge = r.querySelector(".state-" + id);
          labels[id] = badge ? badge.textContent.trim() : id;
        }
      });
    });
    ORDER.concat(Object.keys(counts).filter(function (id) {
      return ORDER.indexOf(id) === -1;
    }).sort()).forEach(function (id) {
      if (!counts[id]) return;
      var option = document.createElement("option");
      option.value = id;
      option.textContent = (NAMES[id] || labels[id]) + " (" + counts[id] + ")";
      select.appendChild(option);
    });
  }

  var ORDER = ["automatic", "manual", "disabled", "not_installed", "not_available"];
  // A state's place in ORDER; any other value (`not_stated`) sorts after them.
  function rank(id) {
    var at = ORDER.indexOf(id);
    return at < 0 ? ORDER.length : at;
  }
  var NAMES = { automatic: "Automatic", manual: "Manual", disabled: "Disabled",
    not_installed: "Not installed", not_available: "Not available" };

  function makeFilterable(form) {
    var table = document.getElementById(form.getAttribute("data-table"));
    if (!table || !table.tBodies[0]) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var text = form.querySelector("input[name=q]");
    var state = form.querySelector("select[name=state]");
    var recommended = form.querySelector("select[name=recommended]");
    var status = form.querySelector("[role=status]");
    var recommendedColumn = columnOf(table, recommended ? recommended.getAttribute("data-column") : "Recommended");
    rows.forEach(function (r) {
      r._text = r.textContent.toLowerCase();
      r._recommended = cellStates(r, "data-recommended", recommendedColumn);
    });
    if (recommended) fillOptions(recommended, rows, "_recommended");
    function apply() {
      var words = (text ? text.value : "").toLowerCase().split(/\s+/).filter(Boolean);
      var want = state ? state.value : "";
      var wantRecommended = recommended ? recommended.value : "";
      var shown = 0;
      rows.forEach(function (r) {
        var ok = words.every(function (w) { return r._text.indexOf(w) !== -1; });
        if (ok && want) {
          ok = (r.getAttribute("data-states") || "").split(" ").indexOf(want) !== -1;
        }
        if (ok && wantRecommended) {
          ok = r._recommended.indexOf(wantRecommended) !== -1;
        }
        r.hidden = !ok;
        if (ok) shown++;
      });
      if (status) {
        status.textContent = shown === rows.length
          ? rows.length + " services"
          : "Showing " + shown + " of " + rows.length + " services";
      }
    }
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    if (text) text.addEventListener("input", apply);
    if (state) state.addEventListener("change", apply);
    if (recommended) recommended.addEventListener("change", apply);
    form.hidden = false;
    apply();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("form.table-tools[data-table]"), makeFilterable);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
