/* Small enhancements of the layout; every page works without them. */
(function () {
  "use strict";

  function setUpGlobalFilters() {
    var form = document.getElementById("global-filters");
    if (!form) return;
    var range = form.querySelector("select[name=range]");
    var custom = form.querySelector(".custom-range");
    range.addEventListener("change", function () {
      if (range.value === "custom") {
        custom.classList.remove("is-collapsed");
        var since = custom.querySelector("input[name=since]");
        if (since) since.focus();
      } else {
        form.requestSubmit();
      }
    });
    custom.querySelectorAll("input").forEach(function (input) {
      input.addEventListener("change", function () { range.value = "custom"; });
    });
    // Keep shared links short: drop the unused custom bounds and an empty service.
    form.addEventListener("submit", function () {
      if (range.value !== "custom") {
        custom.querySelectorAll("input").forEach(function (input) { input.disabled = true; });
      }
      var service = form.querySelector("input[name=service]");
      if (service && !service.value.trim()) service.disabled = true;
    });
  }

  // Buttons and links that ask first carry data-confirm="question".
  function setUpConfirmations() {
    document.addEventListener("submit", function (event) {
      var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
      if (question && !window.confirm(question)) event.preventDefault();
    }, true);
  }

  function start() {
    setUpGlobalFilters();
    setUpConfirmations();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
