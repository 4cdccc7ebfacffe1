// The hazard report form: "use my position" puts the phone's GPS fix (WGS-84) into the hidden
// lat/lng fields; asked once on opening so a report takes a few taps.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("locate");
    var lat = document.getElementById("id_lat");
    var lng = document.getElementById("id_lng");
    if (!button || !lat || !lng) { return; }
    if (!navigator.geolocation) { button.hidden = true; return; }
    var shown = document.getElementById("located");
    button.addEventListener("click", function fix() {
      shown.textContent = button.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (p) {
        lat.value = p.coords.latitude.toFixed(6);
        lng.value = p.coords.longitude.toFixed(6);
        shown.textContent = lat.value + ", " + lng.value;
      }, function () { shown.textContent = button.dataset.failed; }, {enableHighAccuracy: true, timeout: 10000});
    });
    if (!lat.value) { button.click(); }
  });
})();
