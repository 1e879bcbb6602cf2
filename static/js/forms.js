/* A form's error summary (templates/_partials/form_errors.html): on a page that comes back with
   errors, the summary is scrolled into view and the first field in error gets the focus, so that
   on a phone the officer lands on what to fix rather than at the top of a long page. The
   summary's links focus their field. */
(function () {
  "use strict";

  function fieldOf(link) {
    var id = decodeURIComponent((link.getAttribute("href") || "").slice(1));
    return id ? document.getElementById(id) : null;
  }

  function inView(element) {
    var box = element.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= (window.innerHeight || document.documentElement.clientHeight);
  }

  function focusField(field) {
    field.focus({ preventScroll: true });
    if (!inView(field)) {
      field.scrollIntoView({ block: "center" });
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-error-link]");
    var field = link && fieldOf(link);
    if (field) {
      event.preventDefault();
      focusField(field);
    }
  });

  function start() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.scrollIntoView({ block: "start" });
    var link = summary.querySelector("a[data-error-link]");
    var field = link && fieldOf(link);
    if (field) {
      focusField(field);
    } else {
      summary.focus({ preventScroll: true });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
