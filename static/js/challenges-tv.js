// TV mode for a challenge: show when the server cannot be reached, and when we last heard
// from it. htmx keeps polling after an error, so the screen recovers by itself.
(function () {
  "use strict";
  function banner() { return document.getElementById("tv-offline"); }
  function setOffline(offline) {
    var el = banner();
    if (el) el.hidden = !offline;
    document.body.classList.toggle("tv-is-offline", offline);
  }
  function stamp() {
    var el = document.querySelector("[data-tv-updated]");
    // The clock in the page's language (Swedish unless the page says English) and in the
    // app's zone (Stockholm), whatever the device's zone.
    var locale = document.documentElement.lang === "en" ? "en-GB" : "sv-SE";
    var timeZone = document.body.getAttribute("data-time-zone") || "Europe/Stockholm";
    if (el) el.textContent = new Date().toLocaleTimeString(locale, {timeZone: timeZone});
  }
  document.addEventListener("htmx:sendError", function () { setOffline(true); });
  document.addEventListener("htmx:responseError", function () { setOffline(true); });
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 200 && xhr.status < 300) {
      setOffline(false);
      if (xhr.status === 204) stamp();
    }
  });
  window.addEventListener("offline", function () { setOffline(true); });
})();
