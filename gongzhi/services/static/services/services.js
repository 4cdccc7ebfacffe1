// The order form's "use my position": fills the hidden lat/lng from the phone's GPS (WGS-84).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("locate");
    if (!button || !navigator.geolocation) {
      if (button) { button.hidden = true; }
      return;
    }
    var note = document.getElementById("located");
    button.addEventListener("click", function () {
      note.textContent = button.getAttribute("data-locating");
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("id_lat").value = pos.coords.latitude.toFixed(6);
        document.getElementById("id_lng").value = pos.coords.longitude.toFixed(6);
        note.textContent = pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
      }, function () {
        note.textContent = button.getAttribute("data-failed");
      }, {enableHighAccuracy: true, timeout: 10000});
    });
  });
})();
