// svcguide: the dependency graph page. Pointing at (or tabbing to) a service
// shows its own edges and dims the rest; "Focus on a service" keeps one
// service's neighbourhood shown (graph.html#g-<slug> opens there).
// Without this script the drawing and the list below it are complete.
(function () {
  "use strict";

  function init() {
    var svg = document.querySelector("svg.graph-all");
    if (!svg) return;
    // Node number -> its box; node number -> its edges (built once: linear).
    var boxes = {};
    var edgesOf = {};
    Array.prototype.forEach.call(svg.querySelectorAll("a.g-node[data-n]"), function (a) {
      boxes[a.getAttribute("data-n")] = a;
    });
    Array.prototype.forEach.call(svg.querySelectorAll("path.g-edge[data-from]"), function (path) {
      [path.getAttribute("data-from"), path.getAttribute("data-to")].forEach(function (n) {
        (edgesOf[n] = edgesOf[n] || []).push(path);
      });
    });
    var lit = [];
    var pinned = null;

    function clear() {
      lit.forEach(function (el) { el.classList.remove("g-hot", "g-near", "g-self"); });
      lit = [];
      svg.classList.remove("g-dim");
    }

    // Shows node `n`: its edges and the services at their other ends.
    function light(n) {
      clear();
      var self = boxes[n];
      if (!self) return;
      svg.classList.add("g-dim");
      self.classList.add("g-self");
      lit.push(self);
      (edgesOf[n] || []).forEach(function (path) {
        path.classList.add("g-hot");
        lit.push(path);
        var other = path.getAttribute("data-from") === n ? path.getAttribute("data-to") : path.getAttribute("data-from");
        if (boxes[other] && other !== n) {
          boxes[other].classList.add("g-near");
          lit.push(boxes[other]);
        }
      });
    }

    function nodeOf(target) {
      for (var el = target; el && el !== svg; el = el.parentNode) {
        if (el.getAttribute && el.getAttribute("data-n") !== null) return el.getAttribute("data-n");
      }
      return null;
    }

    function enter(event) {
      var n = nodeOf(event.target);
      if (n !== null) light(n);
    }
    function leave(event) {
      if (nodeOf(event.relatedTarget) !== null) return;
      if (pinned !== null) light(pinned); else clear();
    }
    svg.addEventListener("mouseover", enter);
    svg.addEventListener("focusin", enter);
    svg.addEventListener("mouseout", leave);
    svg.addEventListener("focusout", leave);

    var form = document.querySelector("form.graph-focus");
    var select = form && form.querySelector("select");
    var status = form && form.querySelector("[role=status]");

    function focusOn(anchor, scroll) {
      var box = anchor ? document.getElementById(anchor) : null;
      pinned = box ? box.getAttribute("data-n") : null;
      if (pinned === null) {
        clear();
        if (status) status.textContent = "";
        return;
      }
      light(pinned);
      if (status) {
        var count = (edgesOf[pinned] || []).length;
        status.textContent = "Showing " + count + (count === 1 ? " dependency line" : " dependency lines") + " of " +
          box.querySelector("title").textContent + ".";
      }
      if (scroll && box.scrollIntoView) box.scrollIntoView({ block: "center", inline: "center" });
    }

    if (form && select) {
      form.hidden = false;
      form.addEventListener("submit", function (e) { e.preventDefault(); });
      select.addEventListener("change", function () {
        if (history.replaceState) history.replaceState(null, "", select.value ? "#" + select.value : location.pathname + location.search);
        focusOn(select.value, true);
      });
    }
    // graph.html#g-<slug>, on load and when the address changes in the page.
    function fromHash() {
      var hash = decodeURIComponent((location.hash || "").slice(1));
      if (hash.indexOf("g-") === 0 && document.getElementById(hash)) {
        if (select) select.value = hash;
        focusOn(hash, true);
      }
    }
    window.addEventListener("hashchange", fromHash);
    fromHash();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
