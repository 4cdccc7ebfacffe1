// The rider's pass page: renews the pass before it expires, marks it expired when it has, and
// keeps a copy for when the network drops (through the service worker at /passes/sw.js).
// A static file, because the content-security policy forbids inline script.
(function () {
  "use strict";
  var holder = document.getElementById("pass");
  if (!holder) { return; }
  var cardUrl = holder.getAttribute("data-card-url");
  var POLL_MS = 60 * 1000;

  function card() { return holder.querySelector(".pass-card"); }
  function now() { return Math.floor(Date.now() / 1000); }
  function num(el, name) { return el ? parseInt(el.getAttribute(name) || "0", 10) : 0; }

  function markExpiry() {
    var c = card();
    if (!c) { return; }
    var until = num(c, "data-valid-until");
    var expired = until > 0 && now() >= until;
    c.classList.toggle("pass-expired", expired);
    var note = c.querySelector(".pass-expired-note");
    if (note) { note.hidden = !expired; }
  }

  function setOffline(offline) {
    var el = holder.querySelector(".pass-offline");
    if (el) { el.hidden = !offline; }
  }

  function renew(force) {
    var c = card();
    var renewAt = num(c, "data-renew-at");
    if (!force && renewAt > 0 && now() < renewAt) { markExpiry(); return; }
    fetch(cardUrl, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (response.status === 401) { window.location.reload(); return null; }
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      setOffline(response.headers.get("X-Gz-From-Cache") === "1");
      return response.text();
    }).then(function (html) {
      if (html === null) { return; }
      var box = document.createElement("div");
      box.innerHTML = html;
      var fresh = box.querySelector(".pass-card");
      if (fresh && card()) { card().replaceWith(fresh); }
      markExpiry();
    }).catch(function () { setOffline(true); markExpiry(); });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(holder.getAttribute("data-sw-url"), {
      scope: holder.getAttribute("data-sw-scope")
    }).catch(function () { /* private mode or an old browser: the page still works online */ });
  }
  if (navigator.onLine === false) { setOffline(true); }
  window.addEventListener("online", function () { renew(true); });
  window.addEventListener("offline", function () { setOffline(true); });
  markExpiry();
  renew(false);
  window.setInterval(function () { renew(false); }, POLL_MS);
})();
