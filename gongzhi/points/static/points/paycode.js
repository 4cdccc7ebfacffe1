// The pay code page: count down, draw a fresh code before the old one lapses, and open the
// receipt as soon as a till has taken the points. Without script the page still works: the
// "New code" button reloads it.
(function () {
  "use strict";
  var box = document.getElementById("paycode");
  if (!box || !window.fetch) { return; }
  var headers = {};
  try { headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}"); } catch (e) { headers = {}; }
  var newUrl = box.getAttribute("data-new-url");
  var stateUrl = box.getAttribute("data-state-url");
  var seconds = parseInt(box.getAttribute("data-seconds"), 10) || 0;
  var timer = box.querySelector("[data-timer]");
  var digits = box.querySelector("[data-digits]");
  var qr = box.querySelector(".qr");
  var expiredNote = box.querySelector("[data-expired-note]");
  var refreshing = false;

  function refresh() {
    if (refreshing) { return; }
    refreshing = true;
    fetch(newUrl, { method: "POST", headers: headers, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        qr.innerHTML = data.qr;  // an SVG drawn by the server from digits only
        digits.textContent = data.grouped;
        stateUrl = data.state_url;
        seconds = data.seconds;
        box.classList.remove("expired");
        expiredNote.classList.add("pt-hidden");
      })
      .catch(function () { /* keep the old code; the next tick tries again */ })
      .then(function () { refreshing = false; });
  }

  function poll() {
    fetch(stateUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.state === "used" && data.receipt_url) { window.location.assign(data.receipt_url); }
      })
      .catch(function () {});
  }

  setInterval(function () {
    seconds = Math.max(0, seconds - 1);
    timer.textContent = String(seconds);
    if (seconds <= 10 && !document.hidden) { refresh(); }
    if (seconds === 0) { box.classList.add("expired"); expiredNote.classList.remove("pt-hidden"); }
  }, 1000);
  setInterval(poll, 2000);
})();
