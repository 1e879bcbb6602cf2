/* The page behaviours that were inline handlers, so that the Content-Security-Policy can forbid
   inline scripts (docs/decisions.md, "Logins and headers"). Each is switched on by a data-
   attribute in the templates; nothing here knows a particular page. */
(function () {
  "use strict";

  // <select data-autosubmit>: choosing a value submits its form (language, year, report).
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) {
      select.form.submit();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // <form data-confirm="question">: asks before sending.
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    // <form data-progress="#id">: shows that element and starts its htmx polling (hx-get) while
    // the upload or the import runs; data-disable-on-submit stops a second click.
    if (form.dataset.progress) {
      document.body.dataset.importing = "1";
      var progress = document.querySelector(form.dataset.progress);
      if (progress) {
        progress.classList.remove("d-none");
        if (window.htmx && progress.hasAttribute("hx-get")) {
          progress.setAttribute("hx-trigger", "every 1s");
          window.htmx.process(progress);
        }
      }
    }
    if (form.hasAttribute("data-disable-on-submit")) {
      form.querySelectorAll("button").forEach(function (button) {
        button.disabled = true;
      });
    }
  });
})();
