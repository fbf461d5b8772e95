// Cascade's own script: small progressive enhancements; every page works without it.
(function () {
  "use strict";
  // Controls that exist only for browsers without JavaScript hide themselves (see app.css).
  document.documentElement.classList.add("js");

  // After a boosted navigation replaces the page, move focus to the new content so that
  // keyboard and screen reader users start from the top of it, as after a full page load.
  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail || {};
    if (detail.boosted && detail.target === document.body) {
      var main = document.getElementById("main");
      if (main && !main.contains(document.activeElement)) {
        main.focus({ preventScroll: true });
      }
    }
  });
})();
