/* The household form's member rows (templates/households/household_form.html): add a row
   from the formset's empty form and drop a new one without saving, count the members from
   the rows, show the removal reason when an existing member is ticked for removal, the split
   household's fields when a reason is "split", ask before saving a removal, and add the rows of
   a restored draft (drafts.js). */
(function () {
  "use strict";

  function setup(form) {
    var rows = form.querySelector("[data-member-rows]");
    var template = form.querySelector("template[data-member-template]");
    var total = form.querySelector("input[name$='-TOTAL_FORMS']");
    var addButton = form.querySelector("[data-add-member]");
    var splitPanel = form.querySelector("[data-split-panel]");
    if (!rows || !template || !total) {
      return;
    }

    function removed(row) {
      var box = row.querySelector("input[name$='-DELETE']");
      return box && box.checked;
    }

    function refresh() {
      var number = 0;
      var count = 0;
      var split = false;
      rows.querySelectorAll("[data-member-row]").forEach(function (row) {
        var gone = removed(row);
        var existing = row.hasAttribute("data-existing");
        row.hidden = gone && !existing;
        row.classList.toggle("member-row-removed", gone && existing);
        if (!row.hidden) {
          number += 1;
          var label = row.querySelector("[data-member-number]");
          if (label) {
            label.textContent = number;
          }
        }
        var name = row.querySelector("input[name$='-full_name']");
        if (!gone && (existing || (name && name.value.trim()))) {
          count += 1;
        }
        var reasonBox = row.querySelector("[data-remove-reason]");
        if (reasonBox) {
          reasonBox.hidden = !gone;
          var reason = reasonBox.querySelector("select");
          if (gone && reason && reason.value === "split") {
            split = true;
          }
        }
      });
      var shown = form.querySelector("[data-member-count]");
      if (shown) {
        shown.textContent = count;
      }
      if (splitPanel) {
        splitPanel.hidden = !split && !splitPanel.querySelector(".invalid-feedback");
      }
    }

    function addRow(focus) {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      showButtons(row);
      refresh();
      var first = row.querySelector("input:not([type=hidden]), select");
      if (first && focus !== false) {
        first.focus();
      }
    }

    function showButtons(scope) {
      scope.querySelectorAll("[data-drop-member]").forEach(function (button) {
        button.hidden = false;
      });
    }

    if (addButton) {
      addButton.hidden = false;
      addButton.addEventListener("click", addRow);
    }
    // A draft restored (drafts.js) with rows added in the page before: the rows again, empty,
    // for the draft's values to be written into.
    form.addEventListener("draft:rows", function (event) {
      var prefix = total.name.slice(0, -"-TOTAL_FORMS".length);
      if (event.detail.prefix !== prefix) {
        return;
      }
      while (parseInt(total.value, 10) < event.detail.count) {
        addRow(false);
      }
    });
    form.querySelectorAll("[data-no-js]").forEach(function (note) {
      note.hidden = true;
    });
    showButtons(rows);
    // Editing a household: its blank spare row (there for pages without scripts) is put away;
    // "add a member" gives one when needed. Unchanged, it is ignored by the formset anyway.
    if (rows.querySelector("[data-member-row][data-existing]")) {
      rows.querySelectorAll("[data-member-row]:not([data-existing])").forEach(function (row) {
        var name = row.querySelector("input[name$='-full_name']");
        var box = row.querySelector("input[name$='-DELETE']");
        if (box && name && !name.value.trim() && !row.querySelector(".invalid-feedback")) {
          box.checked = true;
        }
      });
    }

    rows.addEventListener("click", function (event) {
      var button = event.target.closest("[data-drop-member]");
      if (!button) {
        return;
      }
      var row = button.closest("[data-member-row]");
      var box = row.querySelector("input[name$='-DELETE']");
      if (box) {
        box.checked = true; // a new row marked deleted is ignored by the formset
      }
      refresh();
    });
    rows.addEventListener("change", refresh);
    rows.addEventListener("input", function (event) {
      if (event.target.matches("input[name$='-full_name']")) {
        refresh();
      }
    });

    form.addEventListener("submit", function (event) {
      var names = [];
      rows.querySelectorAll("[data-member-row][data-existing]").forEach(function (row) {
        if (removed(row)) {
          var name = row.querySelector("input[name$='-full_name']");
          names.push(name ? name.value : "?");
        }
      });
      var question = form.dataset.removeQuestion;
      if (names.length && question && !window.confirm(question.replace("{names}", names.join(", ")))) {
        event.preventDefault();
      }
    });
    refresh();
  }

  document.querySelectorAll("form[data-members-form]").forEach(setup);
})();
