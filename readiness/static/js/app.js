/* Progressive enhancements only: every page works without this file. No inline script (CSP). */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    // GOV.UK error summary: move focus to it so screen readers announce the problems first.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }

    // New-round form: a "sent to how many practitioners" box only for the agencies that get a
    // link (ticked, and not recorded in the workshop); without script every box shows.
    var sizes = document.querySelector("[data-link-sizes]");
    if (sizes && sizes.closest("form")) {
      var roundForm = sizes.closest("form");
      var ticked = function (name, value) {
        return Array.prototype.some.call(roundForm.querySelectorAll("input[name=" + name + "]"),
          function (input) { return input.checked && input.value === value; });
      };
      var showSizes = function () {
        var mode = roundForm.querySelector("input[name=mode]:checked");
        var modeValue = mode ? mode.value : "";
        var any = false;
        sizes.querySelectorAll("[data-size-for]").forEach(function (group) {
          var agency = group.getAttribute("data-size-for");
          var linked = ticked("agencies", agency) && modeValue !== "workshop" &&
            !(modeValue === "mixed" && ticked("in_workshop", agency));
          group.hidden = !linked;
          any = any || linked;
        });
        sizes.hidden = !any;
      };
      roundForm.addEventListener("change", showSizes);
      showSizes();
    }

    // Copy buttons for invitation links.
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var input = document.getElementById(button.getAttribute("data-copy-target"));
        var status = document.getElementById(button.getAttribute("data-copy-status"));
        if (!input) { return; }
        input.select();
        var done = function () {
          if (status) { status.textContent = button.getAttribute("data-copied-text"); }
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done, function () {
            document.execCommand("copy");
            done();
          });
        } else {
          document.execCommand("copy");
          done();
        }
      });
    });

    // Wide tables scroll sideways inside their region (role=region, tabindex=0): one that
    // does says so above it, and its right edge is marked while columns are still hidden
    // there. Without script the region still scrolls, only without the cue.
    var scrollHint = document.body.getAttribute("data-scroll-hint");
    var wraps = document.querySelectorAll(".table-wrap");
    var markWrap = function (wrap) {
      var more = wrap.scrollWidth - wrap.clientWidth > 1;
      var atEnd = wrap.scrollLeft + wrap.clientWidth >= wrap.scrollWidth - 1;
      wrap.classList.toggle("table-wrap--more", more && !atEnd);
      var hint = wrap.previousElementSibling;
      if (!hint || !hint.classList.contains("scroll-hint")) {
        if (!more || !scrollHint) { return; }
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.setAttribute("aria-hidden", "true");  // the region's label already says what it is
        hint.textContent = scrollHint;
        wrap.parentNode.insertBefore(hint, wrap);
      }
      hint.hidden = !more;
    };
    wraps.forEach(function (wrap) {
      markWrap(wrap);
      wrap.addEventListener("scroll", function () { markWrap(wrap); }, { passive: true });
    });
    window.addEventListener("resize", function () { wraps.forEach(markWrap); });

    // A second click on a submit button sends nothing twice (the server refuses it anyway);
    // a page restored by the Back button may be sent again.
    window.addEventListener("pageshow", function () {
      document.querySelectorAll("form[data-submitted]").forEach(function (form) {
        form.removeAttribute("data-submitted");
      });
    });
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.getAttribute("data-submitted") === "true") {
          event.preventDefault();
          return;
        }
        form.setAttribute("data-submitted", "true");
      });
    });
  });
})();
