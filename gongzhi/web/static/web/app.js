// Gongzhi's only page script: progressive enhancement on top of htmx; every page works without it.
(function () {
  "use strict";
  // Confirm destructive actions marked with data-confirm (no inline handlers: the CSP forbids them).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);
})();
