/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  // Results: apply filter and sort changes at once (the "Filter anwenden" button stays for keyboard users).
  var form = document.querySelector("form[data-autosubmit]");
  if (form) {
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target && (target.type === "checkbox" || target.id === "sort" || target.id === "von")) {
        if (target.id === "von" && target.value) {
          var sort = form.querySelector("#sort");
          if (sort) { sort.value = "distance"; }
        }
        form.submit();
      }
    });
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
