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
  // lists services in title order, so their positions sort by title). Each
  // link holds on some Windows versions (position * 128 + version bits): a
  // service is reached on the versions all links of a path hold on, and walks
  // on when it is reached on more; its distance is the first level that
  // reaches it (as the page's count and nearest list, src/impact.rs).
  function reach(graph, start) {
    var n = graph.pages.length;
    var depth = new Array(n), on = new Array(n), queued = new Array(n);
    depth[start] = 0;
    on[start] = 127;
    // Each level passes on the versions its services had when it began.
    var level = [[start, 127]], found = [];
    for (var d = 1; level.length; d++) {
      var next = [], fresh = [];
      for (var i = 0; i < level.length; i++) {
        var from = level[i][1];
        var req = graph.requiredBy[level[i][0]];
        for (var k = 0; k < req.length; k++) {
          var j = Math.floor(req[k] / 128), versions = from & (req[k] % 128);
          var had = on[j] || 0;
          if ((versions & ~had) === 0) continue;
          if (!had && depth[j] === undefined) {
            depth[j] = d;
            fresh.push(j);
          }
          on[j] = had | versions;
          if (queued[j] !== d) {
            queued[j] = d;
            next.push(j);
          }
        }
      }
      fresh.sort(function (a, b) { return a - b; });
      for (var f = 0; f < fresh.length; f++) found.push([fresh[f], d]);
      level = next.map(function (j) { return [j, on[j]]; });
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
