// "Disabling this service also stops": the page lists a count and the nearest
// services; this lists them all on request. The graph comes from
// graph-data.js, loaded only then, by a <script> element so that it works from
// file:// as well as over http.
(function () {
  "use strict";
  var box = document.getElementById("svc-impact");
  if (!box) return;
  var button = box.querySelector("button.impact-all");
  if (!button) return;
  button.hidden = false;
  var root = box.getAttribute("data-root") || "";
  var key = box.getAttribute("data-key");

  function load(done, failed) {
    if (window.svcguideGraph) return done(window.svcguideGraph);
    var s = document.createElement("script");
    s.src = root + "graph-data.js";
    s.onload = function () {
      if (window.svcguideGraph) done(window.svcguideGraph);
      else failed();
    };
    s.onerror = failed;
    document.head.appendChild(s);
  }

  // Breadth first from this page over "required by": every service that
  // stops with it, with its distance, nearest first, then by title (the data
  // lists services in title order, so their positions sort by title).
  function reach(graph, start) {
    var depth = new Array(graph.pages.length);
    depth[start] = 0;
    var level = [start], found = [];
    for (var d = 1; level.length; d++) {
      var next = [];
      for (var i = 0; i < level.length; i++) {
        var req = graph.requiredBy[level[i]];
        for (var k = 0; k < req.length; k++) {
          var j = req[k];
          if (depth[j] === undefined) {
            depth[j] = d;
            next.push(j);
          }
        }
      }
      next.sort(function (a, b) { return a - b; });
      for (var n = 0; n < next.length; n++) found.push([next[n], d]);
      level = next;
    }
    return found;
  }

  function show(graph) {
    var start = graph.pages.indexOf(key);
    if (start < 0) return failed();
    var list = document.createElement("ul");
    list.className = "refs impact-all-list";
    var last = 0;
    reach(graph, start).forEach(function (entry) {
      var li = document.createElement("li");
      if (entry[1] !== last) {
        last = entry[1];
        var how = document.createElement("span");
        how.className = "depth";
        how.textContent = last === 1 ? "Require it:" : last + " links away:";
        li.appendChild(how);
        li.appendChild(document.createTextNode(" "));
      }
      var a = document.createElement("a");
      a.href = root + graph.pages[entry[0]];
      a.textContent = graph.titles[entry[0]];
      li.appendChild(a);
      list.appendChild(li);
    });
    var near = box.querySelector(".impact-near");
    if (near) near.remove();
    button.parentNode.replaceWith(list);
  }

  function failed() {
    button.disabled = true;
    button.textContent = "The list could not be loaded";
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    button.textContent = "Loading…";
    load(show, failed);
  });
})();
