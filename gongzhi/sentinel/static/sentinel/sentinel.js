// The sentinel report form: "use my position" fills the hidden lat/lng from the phone's GPS
// (WGS-84); with a category chosen, open leads nearby are shown ("is this the same?").
(function () {
  "use strict";
  function nearby(form) {
    var lat = document.getElementById("id_lat").value;
    var lng = document.getElementById("id_lng").value;
    var picked = form.querySelector("input[name=category]:checked");
    var box = document.getElementById("nearby");
    if (!lat || !lng || !picked || !box) { return; }
    var url = form.getAttribute("data-nearby") + "?category=" + encodeURIComponent(picked.value) +
      "&lat=" + encodeURIComponent(lat) + "&lng=" + encodeURIComponent(lng);
    fetch(url, {credentials: "same-origin"}).then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { box.innerHTML = html; });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("lead-form");
    var button = document.getElementById("locate");
    if (!form) { return; }
    form.addEventListener("change", function (e) {
      if (e.target && e.target.name === "category") { nearby(form); }
    });
    if (!button || !navigator.geolocation) {
      if (button) { button.hidden = true; }
      return;
    }
    var note = document.getElementById("located");
    function locate() {
      note.textContent = button.getAttribute("data-locating");
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("id_lat").value = pos.coords.latitude.toFixed(6);
        document.getElementById("id_lng").value = pos.coords.longitude.toFixed(6);
        note.textContent = pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
        nearby(form);
      }, function () {
        note.textContent = button.getAttribute("data-failed");
      }, {enableHighAccuracy: true, timeout: 10000});
    }
    button.addEventListener("click", locate);
    if (!document.getElementById("id_lat").value) { locate(); }  // under 30 seconds: ask at once
  });
})();
