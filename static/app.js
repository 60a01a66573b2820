// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    // Move focus to the error summary so screen readers and keyboards land on it.
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }

    // Copy buttons beside read-only URLs.
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-copy"));
      var status = document.querySelector('[data-copy-status="' + button.getAttribute("data-copy") + '"]');
      if (!input) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        input.select();
        var done = function () { if (status) { status.textContent = "Copied."; } };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done, function () {
            if (status) { status.textContent = "Select the address and copy it."; }
          });
        } else {
          try { document.execCommand("copy"); done(); } catch (e) {
            if (status) { status.textContent = "Select the address and copy it."; }
          }
        }
      });
    });
    document.querySelectorAll("input.copy-source").forEach(function (input) {
      input.addEventListener("focus", function () { input.select(); });
    });

    // Fill the time zone from the browser when the runner has not set one.
    var tz = document.querySelector("[data-timezone]");
    if (tz && (tz.value === "" || tz.value === "UTC") && window.Intl && Intl.DateTimeFormat) {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone) { tz.value = zone; }
    }

    // The suggested start is next Monday on the runner's own calendar, not the server's (rule 30).
    var start = document.querySelector("[data-default-start]");
    if (start && start.value === start.getAttribute("data-default-start")) {
      var monday = new Date();
      monday.setDate(monday.getDate() + 7 - (monday.getDay() + 6) % 7);
      var pad = function (n) { return (n < 10 ? "0" : "") + n; };
      start.value = monday.getFullYear() + "-" + pad(monday.getMonth() + 1) + "-" + pad(monday.getDate());
    }

    // Say the chosen unit beside the volume questions.
    var names = { km: "(in km)", mi: "(in miles)", min: "(in minutes)" };
    var units = document.querySelectorAll('input[name="unit"]');
    function showUnit() {
      var chosen = document.querySelector('input[name="unit"]:checked');
      document.querySelectorAll("[data-unit-label]").forEach(function (el) {
        el.textContent = chosen ? names[chosen.value] || "" : "";
      });
    }
    units.forEach(function (u) { u.addEventListener("change", showUnit); });
    if (units.length) { showUnit(); }

    // Print every week, not only the open ones.
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll("details.week").forEach(function (d) {
        if (!d.open) { d.setAttribute("data-print-opened", ""); d.open = true; }
      });
    });
    window.addEventListener("afterprint", function () {
      document.querySelectorAll("details[data-print-opened]").forEach(function (d) {
        d.open = false; d.removeAttribute("data-print-opened");
      });
    });
  });
})();
