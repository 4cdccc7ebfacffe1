// The organiser's scan of a volunteer's personal code: the cursor waits where a scanner gun
// types; where the browser can (BarcodeDetector), the phone camera reads the QR and submits.
(function () {
  "use strict";
  var code = document.querySelector("input[data-scan-target]");
  var start = document.querySelector("[data-scan-start]");
  var box = document.querySelector("[data-scan-box]");
  var video = document.querySelector("[data-scan-video]");
  if (!code || !start || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  start.hidden = false;
  start.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      box.hidden = false;
      video.srcObject = stream;
      video.play();
      var look = function () {
        detector.detect(video).then(function (found) {
          var value = found.length ? String(found[0].rawValue) : "";
          if (value.indexOf("GZV:") === 0) {
            stream.getTracks().forEach(function (t) { t.stop(); });
            box.hidden = true;
            code.value = value;
            code.form.requestSubmit();
          } else {
            window.requestAnimationFrame(look);
          }
        }).catch(function () { window.requestAnimationFrame(look); });
      };
      look();
    }).catch(function () { start.hidden = true; });
  });
})();
