// Live leaderboards: quiet staleness, rare polling in hidden tabs, TV rotation.
// Boards are <section data-board hx-get=... hx-trigger="every Ns, lbRefresh">; htmx does
// the polling, this file only decides when a poll is worth making and what a failed one
// looks like. Listeners are attached once, to the document: swapped boards leak nothing.
(function () {
  "use strict";
  var HIDDEN_TAB_EVERY_MS = 5 * 60 * 1000; // a hidden tab asks at most every five minutes
  var lastPoll = {}; // board id -> time of its last poll
  var offlineBanner = null;

  // hh:mm in the app's zone (Stockholm, from <body data-time-zone>), not the device's:
  // a phone abroad shows the same time as the board the server rendered.
  var hhmmFormat = null;

  function hhmm(date) {
    if (!hhmmFormat) {
      hhmmFormat = new Intl.DateTimeFormat("sv-SE", {
        timeZone: document.body.getAttribute("data-time-zone") || "Europe/Stockholm",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23"
      });
    }
    return hhmmFormat.format(date);
  }

  // The status texts come translated from the board (data-text-updated, data-text-stale,
  // with "{time}" where the time goes); the Swedish ones are the fallback.
  function statusText(status, name, fallback, time) {
    var text = status.getAttribute("data-text-" + name) || fallback;
    return text.replace("{time}", time);
  }

  function boardOf(event) {
    var elt = event.detail && event.detail.elt;
    return elt && elt.closest ? elt.closest("[data-board]") : null;
  }

  function setStale(board, stale) {
    var status = board.querySelector("[data-board-status]");
    if (!status) return;
    if (stale) {
      status.textContent = statusText(status, "stale", "Inte uppdaterad sedan {time}",
                                      status.getAttribute("data-updated"));
      board.classList.add("is-stale");
    } else {
      var now = hhmm(new Date());
      status.setAttribute("data-updated", now);
      status.textContent = statusText(status, "updated", "Uppdaterad {time}", now);
      board.classList.remove("is-stale");
    }
    if (offlineBanner) {
      offlineBanner.hidden = !document.querySelector("[data-board].is-stale");
    }
    if (tv) paginate();  // the offline note takes room from the rows
  }

  function inHiddenSlide(board) {
    return !!board.closest("[hidden]");
  }

  // Skip polls nobody would see: boards on a hidden TV slide, and hidden tabs (except a
  // rare one, so a tab coming back is never far behind; it also refreshes on return).
  document.addEventListener("htmx:confirm", function (event) {
    var board = boardOf(event);
    if (!board || event.detail.verb !== "get") return;
    if (inHiddenSlide(board)) { event.preventDefault(); return; }
    if (document.hidden && Date.now() - (lastPoll[board.id] || 0) < HIDDEN_TAB_EVERY_MS) {
      event.preventDefault();
      return;
    }
    lastPoll[board.id] = Date.now();
  });

  // Only a board may replace a board: a login page, an error page or anything else is
  // not swapped in; the board keeps its figures and says since when.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var board = boardOf(event);
    if (!board) return;
    var xhr = event.detail.xhr;
    var text = xhr && xhr.status === 200 ? xhr.responseText : "";
    if (xhr.status !== 204 && text.indexOf("data-board") === -1) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
      setStale(board, true);
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var board = boardOf(event);
    if (!board) return;
    var xhr = event.detail.xhr;
    if (!event.detail.successful || !xhr || (xhr.status !== 204 && xhr.status !== 200) ||
        (xhr.status === 200 && xhr.responseText.indexOf("data-board") === -1)) {
      setStale(board, true);
    } else if (xhr.status === 204) {
      setStale(board, false);
    }
  });

  ["htmx:sendError", "htmx:timeout", "htmx:responseError"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var board = boardOf(event);
      if (board) setStale(board, true);
    });
  });

  // A fresh board replaced a stale one: the offline note goes when no board is stale.
  document.addEventListener("htmx:afterSettle", function () {
    if (offlineBanner) {
      offlineBanner.hidden = !document.querySelector("[data-board].is-stale");
    }
  });

  function refreshVisible() {
    var boards = document.querySelectorAll("[data-board]");
    for (var i = 0; i < boards.length; i++) {
      if (!inHiddenSlide(boards[i])) window.htmx.trigger(boards[i], "lbRefresh");
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) refreshVisible();
  });
  window.addEventListener("online", refreshVisible);

  // TV mode: one slide (board) at a time, and of a long board as many rows as fit the
  // screen, the rest in pages shown in turn; every page of every board gets `seconds`.
  // The viewer's own row (their workplace or team, .is-mine) is on every page. Only the
  // shown board polls. window.lokalamalTv.next() turns the page now (tests, a remote).
  var tv = null;

  function shownSlide() {
    return tv && tv.slides()[tv.slide];
  }

  // Split the shown board's rows into pages that fit between the table head and the
  // bottom of the rotator, and show the current page (kept when a poll replaced the board).
  function paginate() {
    var slide = shownSlide();
    var body = slide && slide.querySelector("[data-board] tbody");
    tv.pages = 1;
    if (!body) return;
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (row) { row.hidden = false; });
    var bottom = tv.rotator.getBoundingClientRect().bottom;
    var room = bottom - body.getBoundingClientRect().top - 2;
    var pinned = rows.filter(function (row) { return row.classList.contains("is-mine"); });
    var pinnedHeight = pinned.reduce(function (sum, row) { return sum + row.offsetHeight; }, 0);
    var pages = [[]];
    var used = pinnedHeight;
    rows.forEach(function (row) {
      if (pinned.indexOf(row) !== -1) return;
      var height = row.offsetHeight;
      if (used + height > room && pages[pages.length - 1].length) {
        pages.push([]);
        used = pinnedHeight;
      }
      pages[pages.length - 1].push(row);
      used += height;
    });
    tv.pages = pages.length;
    if (tv.page >= pages.length) tv.page = 0;
    rows.forEach(function (row) {
      row.hidden = pinned.indexOf(row) === -1 && pages[tv.page].indexOf(row) === -1;
    });
    var label = document.querySelector("[data-tv-page]");
    if (label) {
      label.hidden = pages.length < 2;
      label.textContent = (tv.rotator.getAttribute("data-text-page") || "{page}/{pages}")
        .replace("{page}", tv.page + 1).replace("{pages}", pages.length);
    }
  }

  function next() {
    var slides = tv.slides();
    if (tv.page + 1 < tv.pages) {
      tv.page += 1;
    } else if (slides.length > 1) {
      slides[tv.slide].hidden = true;
      tv.slide = (tv.slide + 1) % slides.length;
      tv.page = 0;
      slides[tv.slide].hidden = false;
      var board = slides[tv.slide].querySelector("[data-board]");
      if (board) window.htmx.trigger(board, "lbRefresh");
    } else {
      tv.page = 0;
    }
    paginate();
    return {slide: tv.slide, page: tv.page, pages: tv.pages, slides: slides.length};
  }

  function startRotation() {
    offlineBanner = document.querySelector("[data-tv-offline]");
    var rotator = document.querySelector("[data-tv-rotate]");
    if (!rotator) return;
    tv = {
      rotator: rotator, slide: 0, page: 0, pages: 1,
      slides: function () { return rotator.querySelectorAll("[data-tv-slide]"); }
    };
    var seconds = parseInt(rotator.getAttribute("data-seconds"), 10) || 20;
    paginate();
    var timer = window.setInterval(next, seconds * 1000);
    window.lokalamalTv = {
      next: function () {
        window.clearInterval(timer);  // the page just turned: a full turn before the next
        timer = window.setInterval(next, seconds * 1000);
        return next();
      },
      state: function () {
        return {slide: tv.slide, page: tv.page, pages: tv.pages, slides: tv.slides().length};
      }
    };
    // A poll replaced the shown board, the offline note came or went, or the screen
    // changed size: pages are measured again.
    document.addEventListener("htmx:afterSettle", paginate);
    window.addEventListener("resize", paginate);
  }

  if (window.htmx) window.htmx.config.timeout = 10000;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startRotation);
  } else {
    startRotation();
  }
})();
