// The review form by keyboard (issue 15, the review queue): the number keys toggle the
// indicators in their order on the form (1–9, then 0, - and = for the 10th to 12th), each shown
// beside its box; typing in a text or number field is left alone. Tab follows the form, the
// space bar toggles the focused box as any checkbox, Ctrl+Enter saves with the first button.
// No inline script (CSP).
(function () {
  "use strict";
  var KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-", "="];

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return el.isContentEditable;
    return ["checkbox", "radio", "button", "submit", "reset", "hidden"].indexOf(el.type) < 0;
  }

  function setUp(form) {
    var boxes = Array.prototype.filter.call(
      form.querySelectorAll("input[type=checkbox]"),
      function (box) { return box.name.indexOf("ind_") === 0 && !box.disabled; }
    ).slice(0, KEYS.length);
    var byKey = {};
    boxes.forEach(function (box, i) {
      byKey[KEYS[i]] = box;
      var hint = document.createElement("kbd");
      hint.className = "review-key ms-1";
      hint.textContent = KEYS[i];
      hint.setAttribute("aria-hidden", "true");
      var label = form.querySelector("label[for='" + box.id + "']");
      (label || box).insertAdjacentElement("afterend", hint);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        // Ctrl+Enter: the form's first submit button ("Lưu và sang hộ tiếp theo" in a queue)
        var submit = form.querySelector("button[type=submit]");
        if (submit) {
          event.preventDefault();
          form.requestSubmit(submit);
        }
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      var box = byKey[event.key];
      if (!box) return;
      event.preventDefault();
      box.focus();
      box.click(); // a click, so the form's change (the live preview) follows
    });
    var first = form.querySelector("#id_income_per_capita");
    if (first && !form.querySelector(".invalid-feedback") && !document.activeElement.closest("form")) {
      first.focus();
    }
  }

  function start() {
    var form = document.querySelector("form[data-review-keys]");
    if (form) setUp(form);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
