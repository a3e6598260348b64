// TV screens: celebrate what just happened in the competition. The polled feed
// (leaderboards/_tv_feed.html) brings new events in a hidden list; each is shown in turn in
// the banner [data-tv-celebration] for a few seconds, which lives outside the polled element
// so the next poll cannot cut it short. With prefers-reduced-motion the CSS leaves the
// animation out: the text simply shows and goes.
(function () {
  "use strict";
  var SHOW_MS = 6000;
  var queue = [];
  var seen = {};
  var showing = false;

  function showNext() {
    var banner = document.querySelector("[data-tv-celebration]");
    if (!banner) return;
    var item = queue.shift();
    if (!item) {
      showing = false;
      banner.hidden = true;
      banner.classList.remove("is-celebrating");
      banner.textContent = "";
      return;
    }
    showing = true;
    banner.classList.remove("is-celebrating");
    banner.innerHTML = "";
    while (item.firstChild) banner.appendChild(item.firstChild);
    banner.setAttribute("data-key", item.getAttribute("data-key"));
    banner.hidden = false;
    void banner.offsetWidth;  // restart the animation for the next event
    banner.classList.add("is-celebrating");
    window.setTimeout(showNext, SHOW_MS);
  }

  function collect() {
    var items = document.querySelectorAll("[data-tv-events] [data-tv-event]");
    for (var i = 0; i < items.length; i++) {
      var key = items[i].getAttribute("data-key");
      if (seen[key]) continue;
      seen[key] = true;
      queue.push(items[i]);
    }
    var lists = document.querySelectorAll("[data-tv-events]");
    for (var j = 0; j < lists.length; j++) lists[j].parentNode.removeChild(lists[j]);
    if (!showing && queue.length) showNext();
  }

  // The ticker is one line: the latest collections that fit, the older ones left out
  // (not just clipped, so nothing reaches past the screen's edge).
  function fitTicker() {
    var tickers = document.querySelectorAll(".tv-ticker");
    for (var i = 0; i < tickers.length; i++) {
      var right = tickers[i].getBoundingClientRect().right;
      var items = tickers[i].querySelectorAll(".tv-ticker-item");
      var full = false;
      for (var j = 0; j < items.length; j++) {
        items[j].hidden = false;
        if (full || items[j].getBoundingClientRect().right > right + 0.5) {
          items[j].hidden = true;
          full = true;
        }
      }
    }
  }

  function update() {
    fitTicker();
    collect();
  }

  document.addEventListener("htmx:afterSettle", update);
  window.addEventListener("resize", fitTicker);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
  window.lokalamalTvFeed = {
    shown: function () {
      var banner = document.querySelector("[data-tv-celebration]");
      return banner && !banner.hidden ? banner.textContent.trim() : "";
    }
  };
})();
