// The till: keep the cursor where a scanner gun types, scan with the phone camera where the
// browser can (BarcodeDetector), and keep the receipts list fresh.
(function () {
  "use strict";
  var code = document.querySelector("input[data-scan-target]");
  var amount = document.querySelector("input[name=amount]");
  if (amount && !amount.value) { amount.focus(); } else if (code) { code.focus(); }

  var start = document.querySelector("[data-scan-start]");
  var box = document.querySelector("[data-scan-box]");
  var video = document.querySelector("[data-scan-video]");
  if (start && code && "BarcodeDetector" in window && navigator.mediaDevices) {
    start.classList.remove("pt-hidden");
    start.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        box.classList.remove("pt-hidden");
        video.srcObject = stream;
        video.play();
        var stop = function () { stream.getTracks().forEach(function (t) { t.stop(); }); box.classList.add("pt-hidden"); };
        var look = function () {
          detector.detect(video).then(function (found) {
            var digits = found.length ? String(found[0].rawValue).replace(/\D/g, "") : "";
            if (digits.length === 18) {
              code.value = digits;
              stop();
              if (amount && amount.value) { code.form.requestSubmit(); } else if (amount) { amount.focus(); }
            } else {
              window.requestAnimationFrame(look);
            }
          }).catch(function () { window.requestAnimationFrame(look); });
        };
        look();
      }).catch(function () { start.classList.add("pt-hidden"); });
    });
  }

  var receipts = document.getElementById("receipts");
  if (receipts && window.fetch) {
    var url = receipts.getAttribute("data-refresh-url");
    setInterval(function () {
      if (document.hidden) { return; }
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) { receipts.innerHTML = html; } })
        .catch(function () {});
    }, 5000);
  }
})();
