/* Bulk actions of the household list (<form data-bulk>): "select all on this page" and the
   number ticked. The form itself is plain: without this script the boxes are ticked one by one
   and the server counts them. */
(function () {
  "use strict";

  document.querySelectorAll("form[data-bulk]").forEach(function (form) {
    var all = form.querySelector("[data-bulk-all]");
    var count = form.querySelector("[data-bulk-count]");
    var number = form.querySelector("[data-bulk-number]");
    var limit = parseInt(form.dataset.bulkLimit, 10) || 0;
    var boxes = form.querySelectorAll("input[type=checkbox][name=selected]");
    if (!count || !number || !boxes.length) {
      return; // an empty page: nothing to tick
    }

    function refresh() {
      var ticked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
      number.textContent = ticked.toLocaleString("vi-VN");
      count.hidden = false;
      count.classList.toggle("text-danger", limit > 0 && ticked > limit);
      if (all) {
        all.checked = ticked > 0 && ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      }
    }

    if (all) {
      all.hidden = false;
      var label = form.querySelector("[data-bulk-all-label]");
      if (label) {
        label.remove();
      }
      all.addEventListener("change", function () {
        boxes.forEach(function (b) { b.checked = all.checked; });
        refresh();
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "selected") {
        refresh();
      }
    });
    refresh();
  });
})();
