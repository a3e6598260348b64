// A few lines of our own. Everything works without this file; it only adds comfort.
(function () {
  "use strict";
  // Copy-link buttons: <button data-copy="https://...">. The confirmation text comes,
  // translated, from the button's or the page's data-copied attribute (base.html).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) return;
    event.preventDefault();
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-copied") ||
        document.body.getAttribute("data-copied") || "Kopierad!";
      setTimeout(function () { button.textContent = label; }, 2000);
    });
  });

  // A table wider than the screen scrolls sideways inside .table-scroll: make such a wrapper
  // reachable with the keyboard (arrow keys scroll it) and name it after its table's caption.
  function scrollableTables(root) {
    var wrappers = (root || document).querySelectorAll(".table-scroll");
    Array.prototype.forEach.call(wrappers, function (wrapper) {
      if (wrapper.scrollWidth <= wrapper.clientWidth) return;
      if (!wrapper.hasAttribute("tabindex")) wrapper.setAttribute("tabindex", "0");
      if (!wrapper.hasAttribute("role")) wrapper.setAttribute("role", "region");
      var caption = wrapper.querySelector("caption");
      if (caption && !wrapper.hasAttribute("aria-label")) {
        wrapper.setAttribute("aria-label", caption.textContent.replace(/\s+/g, " ").trim());
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { scrollableTables(document); });
  window.addEventListener("resize", function () { scrollableTables(document); });
  document.addEventListener("htmx:afterSettle", function () { scrollableTables(document); });

  // On a phone a table's rows are cards (app.css): each cell carries its column's name.
  // Cells a template labelled itself keep theirs; a colspan moves the column along.
  function labelCells(root) {
    var tables = (root || document).querySelectorAll("main table");
    Array.prototype.forEach.call(tables, function (table) {
      var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
      if (!head) return;
      var names = [];
      Array.prototype.forEach.call(head.cells, function (cell) {
        var name = cell.textContent.replace(/\s+/g, " ").trim();
        for (var i = 0; i < (cell.colSpan || 1); i++) names.push(name);
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            if (!cell.hasAttribute("data-label") && names[column] && cell.colSpan === 1) {
              cell.setAttribute("data-label", names[column]);
            }
            column += cell.colSpan || 1;
          });
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { labelCells(document); });
  document.addEventListener("htmx:afterSettle", function () { labelCells(document); });

  // A form's answer (a "Tack!" message, the error summary, a flash after a redirect) may land
  // below the fold on a phone: bring the first such element into view and move focus to it,
  // so it is seen and read out. Each element is handled once, on arrival.
  function focusArrival() {
    var target = document.querySelector("[data-focus-on-arrival]:not([data-arrived])");
    if (!target) return;
    Array.prototype.forEach.call(
      document.querySelectorAll("[data-focus-on-arrival]"),
      function (el) { el.setAttribute("data-arrived", ""); });
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "center" });
  }
  document.addEventListener("DOMContentLoaded", focusArrival);
  document.addEventListener("htmx:afterSettle", focusArrival);

  // A link to something inside a folded part of a page ("/teams/x#aktiviteter") opens the
  // fold; not every browser does that by itself.
  function openFoldOfTarget() {
    var id = window.location.hash.slice(1);
    var target = id && document.getElementById(decodeURIComponent(id));
    var fold = target && target.closest("details");
    if (fold && !fold.open) {
      fold.open = true;
      target.scrollIntoView();
    }
  }
  document.addEventListener("DOMContentLoaded", openFoldOfTarget);
  window.addEventListener("hashchange", openFoldOfTarget);

  // htmx swaps no 4xx answer but 422 (the htmx-config meta in base.html). An element that
  // answers some refusal with a fragment of its own, e.g. a queue row saying the entry was
  // handled by someone else, lists those codes: data-swap-status="409".
  document.addEventListener("htmx:beforeSwap", function (event) {
    // detail.elt is the swap's target here; the element that made the request is in the config.
    var requester = event.detail.requestConfig && event.detail.requestConfig.elt;
    var source = requester && requester.closest("[data-swap-status]");
    if (!source) return;
    var codes = source.getAttribute("data-swap-status").split(/\s+/);
    if (codes.indexOf(String(event.detail.xhr.status)) !== -1) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
