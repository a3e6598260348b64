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
})();
