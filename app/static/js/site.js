/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  // Results: one submit applies all ticks (no reload per tick). On wide screens the filter column is open
  // (CSS does it where ::details-content is supported; this covers the other browsers).
  var form = document.querySelector("form#suche");
  var filters = document.querySelector("details[data-filters]");
  if (filters && window.matchMedia) {
    var wide = window.matchMedia("(min-width: 64rem)");
    var sync = function () { if (wide.matches) { filters.open = true; } };
    sync();
    if (wide.addEventListener) { wide.addEventListener("change", sync); }
  }

  // Results: "near me" fills lat/lon from the browser's position (asked only on click, never stored).
  var locate = document.querySelector("[data-locate]");
  if (locate && form && "geolocation" in navigator) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        ["lat", "lon"].forEach(function (name) {
          var input = form.querySelector("input[name=" + name + "]");
          if (!input) {
            input = document.createElement("input");
            input.type = "hidden";
            input.name = name;
            form.appendChild(input);
          }
          input.value = (name === "lat" ? position.coords.latitude : position.coords.longitude).toFixed(4);
        });
        var sort = form.querySelector("#sort");
        if (sort) { sort.value = "distance"; }
        var von = form.querySelector("#von");
        if (von) { von.value = ""; }
        form.submit();
      });
    });
  }

  // Detail: a print button, and select-all on the share link for copying.
  var print = document.querySelector("[data-print]");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
  var copy = document.querySelector("[data-copy]");
  if (copy) {
    copy.addEventListener("focus", function () { copy.select(); });
  }
})();
