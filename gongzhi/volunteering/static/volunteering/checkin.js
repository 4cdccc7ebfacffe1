// The check-in page: fill the hidden latitude/longitude from the phone's location before sending.
(function () {
  "use strict";
  var form = document.getElementById("checkin-form");
  if (!form || !form.dataset.needsLocation || !navigator.geolocation) return;
  var sent = false;
  form.addEventListener("submit", function (event) {
    if (sent) return;
    event.preventDefault();
    var note = document.getElementById("checkin-location");
    if (note) note.hidden = false;
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        form.querySelector("input[name=lat]").value = pos.coords.latitude;
        form.querySelector("input[name=lng]").value = pos.coords.longitude;
        sent = true;
        form.submit();
      },
      function () {
        sent = true;
        form.submit(); // the server explains that a location is needed
      },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
    );
  });
})();
