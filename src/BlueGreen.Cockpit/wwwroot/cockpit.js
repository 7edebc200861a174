// Keeps a page fresh without a manual reload: every few seconds, fetch the same URL and swap <main>.
// Paused while the operator is typing or has a <details> open, so nothing moves under their hand.
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseInt(body.getAttribute("data-refresh") || "0", 10);
  var fresh = document.getElementById("fresh");
  if (!seconds) { return; }

  function busy() {
    var a = document.activeElement;
    return (a && (a.tagName === "INPUT" || a.tagName === "SELECT" || a.tagName === "TEXTAREA")) ||
      document.querySelector("main details[open]") !== null;
  }

  function stamp(text, bad) {
    if (!fresh) { return; }
    fresh.textContent = text;
    fresh.className = bad ? "stale" : "";
  }

  function refresh() {
    if (document.hidden || busy()) { return; }
    fetch(location.href, { headers: { "X-Cockpit-Refresh": "1" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.redirected || !r.ok) { throw new Error("HTTP " + r.status); }
        return r.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var next = doc.getElementById("main");
        if (next) {
          document.getElementById("main").replaceWith(document.adoptNode(next));
          stamp("updated " + new Date().toLocaleTimeString() + " · auto-refresh every " + seconds + " s", false);
        }
      })
      .catch(function (e) { stamp("cannot refresh (" + e.message + "): the data shown may be stale", true); });
  }

  setInterval(refresh, seconds * 1000);
})();
