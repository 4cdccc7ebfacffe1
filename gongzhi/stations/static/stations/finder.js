// "Use where I am now" on the finder: asks the phone for its position and submits the form with
// it. Without this file (or without permission) the community list does the same job.
(function () {
  "use strict";

  function start() {
    var form = document.getElementById("finder-form");
    var button = document.getElementById("locate");
    var status = document.getElementById("locate-status");
    if (!form || !button || !navigator.geolocation) { return; }
    var lat = form.querySelector("input[name=lat]");
    var lng = form.querySelector("input[name=lng]");
    var community = form.querySelector("select[name=community]");
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.getAttribute("data-locating");
      navigator.geolocation.getCurrentPosition(function (position) {
        // The W3C Geolocation API reports WGS-84, which is what the server stores and expects.
        lat.value = position.coords.latitude.toFixed(6);
        lng.value = position.coords.longitude.toFixed(6);
        form.submit();
      }, function () {
        status.textContent = button.getAttribute("data-denied");
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
    if (community) {
      // Picking a community means "search from there", not from the phone's last position.
      community.addEventListener("change", function () { lat.value = ""; lng.value = ""; });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
