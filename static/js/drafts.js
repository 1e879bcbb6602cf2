/* Drafts of a long form kept in the browser (issue 15, phone): what was typed in a form marked
   <form data-draft="{{ version }}"> is written to localStorage as it is typed, under the form's
   URL, with the record version the form was opened at. Opening the form again (a reload, a lost
   connection) offers it back: "Khôi phục bản nháp" / "Bỏ bản nháp" (the prompt's markup is the
   <template id="draft-prompt"> of base.html, so that its words are translated). Restoring also
   restores the version, so a draft older than the record meets the conflict page on saving,
   never an overwrite. Member rows added in the page are added again before the values are
   written back (the "draft:rows" event, answered by members.js). A successful save (the POST answered by a redirect to another page)
   clears the draft. */
(function () {
  "use strict";

  var PREFIX = "povertyplan:draft:";
  var PENDING = "povertyplan:draft-pending";
  // Citizen ID numbers are never kept in the browser: they are shown only behind a logged reveal.
  var SKIP = /^(csrfmiddlewaretoken|.*-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS|.*citizen_id)$/;

  function storage(kind) {
    try {
      var store = window[kind];
      store.getItem("x");
      return store;
    } catch (e) {
      return null; // private mode or storage switched off: no drafts, the form still works
    }
  }
  var local = storage("localStorage");
  var session = storage("sessionStorage");

  // A draft belongs to the person who typed it (<body data-user>): another user of the same
  // computer is never offered it, and logging out removes every draft (below).
  var USER = document.body.getAttribute("data-user") || "";

  function keyOf(form) {
    return PREFIX + USER + ":" + (form.getAttribute("action") || window.location.pathname);
  }

  function clearAll() {
    if (!local) {
      return;
    }
    for (var i = local.length - 1; i >= 0; i--) {
      var name = local.key(i);
      if (name && name.indexOf(PREFIX) === 0) {
        local.removeItem(name);
      }
    }
  }
  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("[data-logout]")) {
      clearAll();
    }
  }, true);
  if (!USER) {
    clearAll(); // the login page and pages without a user: nothing typed before is kept
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP.test(el.name) && el.type !== "file" && el.type !== "password" &&
        el.type !== "submit" && el.type !== "button";
    });
  }

  function read(form) {
    var values = {};
    fields(form).forEach(function (el) {
      if (el.type === "checkbox") {
        values[el.name + "\u0000" + el.value] = el.checked;
      } else if (el.type === "radio") {
        if (el.checked) {
          values[el.name] = el.value;
        }
      } else if (el.type === "select-multiple") {
        values[el.name] = Array.prototype.filter.call(el.options, function (o) {
          return o.selected;
        }).map(function (o) { return o.value; });
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function write(form, values) {
    fields(form).forEach(function (el) {
      var changed = false;
      if (el.type === "checkbox") {
        var key = el.name + "\u0000" + el.value;
        if (key in values && el.checked !== values[key]) {
          el.checked = values[key];
          changed = true;
        }
      } else if (el.type === "radio") {
        if (el.name in values && el.checked !== (values[el.name] === el.value)) {
          el.checked = values[el.name] === el.value;
          changed = true;
        }
      } else if (el.type === "select-multiple") {
        if (el.name in values) {
          Array.prototype.forEach.call(el.options, function (o) {
            o.selected = values[el.name].indexOf(o.value) >= 0;
          });
          changed = true;
        }
      } else if (el.name in values && el.value !== values[el.name]) {
        el.value = values[el.name];
        changed = true;
      }
      if (changed) {
        el.dispatchEvent(new Event("input", { bubbles: true }));
        el.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }

  // Rows added in the page to a formset (members.js) are not in the page opened again: for each
  // formset whose draft has more rows than the page, the form is asked to add them
  // ("draft:rows", detail {prefix, count}) before the values are written back.
  function addRows(form, values) {
    form.querySelectorAll("input[name$='-TOTAL_FORMS']").forEach(function (total) {
      var prefix = total.name.slice(0, -"-TOTAL_FORMS".length);
      var needed = 0;
      Object.keys(values).forEach(function (key) {
        if (key.indexOf(prefix + "-") === 0) {
          var index = parseInt(key.slice(prefix.length + 1), 10);
          if (!isNaN(index) && index + 1 > needed) {
            needed = index + 1;
          }
        }
      });
      if (needed > (parseInt(total.value, 10) || 0)) {
        form.dispatchEvent(new CustomEvent("draft:rows", { detail: { prefix: prefix, count: needed } }));
      }
    });
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function prompt(form, draft, onRestore, onDiscard) {
    var template = document.getElementById("draft-prompt");
    if (!template) {
      return;
    }
    var box = template.content.firstElementChild.cloneNode(true);
    var when = box.querySelector("[data-draft-when]");
    if (when) {
      when.textContent = new Date(draft.saved).toLocaleString(document.documentElement.lang || "vi");
    }
    var stale = box.querySelector("[data-draft-stale]");
    if (stale && draft.version !== form.dataset.draft) {
      stale.hidden = false;
    }
    box.querySelector("[data-draft-restore]").addEventListener("click", function () {
      box.remove();
      onRestore();
    });
    box.querySelector("[data-draft-discard]").addEventListener("click", function () {
      box.remove();
      onDiscard();
    });
    form.insertBefore(box, form.firstElementChild);
  }

  function setUp(form) {
    var key = keyOf(form);
    var returned = form.querySelector("[data-error-summary], [data-testid=conflict]");
    var draft = null;
    try {
      draft = JSON.parse(local.getItem(key) || "null");
    } catch (e) {
      draft = null;
    }
    var opened = read(form);
    var timer = null;

    function save() {
      timer = null;
      var values = read(form);
      if (same(values, opened)) {
        local.removeItem(key);
        return;
      }
      local.setItem(key, JSON.stringify({
        version: (form.querySelector("[name=version]") || {}).value || form.dataset.draft,
        saved: Date.now(),
        values: values
      }));
    }
    function later() {
      if (timer) {
        window.clearTimeout(timer);
      }
      timer = window.setTimeout(save, 300);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function () {
      if (timer) {
        window.clearTimeout(timer);
        save();
      }
      if (session) {
        session.setItem(PENDING, key);
      }
    });
    window.addEventListener("pagehide", function () {
      if (timer) {
        save();
      }
    });

    // Back from the server with errors: the page already holds what was typed; keep the draft.
    if (returned || !draft || !draft.values || same(draft.values, opened)) {
      return;
    }
    prompt(form, draft, function () {
      addRows(form, draft.values);
      write(form, draft.values);
      var version = form.querySelector("[name=version]");
      if (version && draft.version) {
        version.value = draft.version;
      }
      form.dataset.draftRestored = "1";
    }, function () {
      local.removeItem(key);
    });
  }

  function start() {
    if (!local) {
      return;
    }
    // A form sent from the page before: if this page is not that form back with errors, the save
    // went through (the view redirected), so its draft is done with.
    var pending = session && session.getItem(PENDING);
    if (pending) {
      var again = Array.prototype.some.call(document.querySelectorAll("form[data-draft]"), function (f) {
        return keyOf(f) === pending && f.querySelector("[data-error-summary], [data-testid=conflict]");
      });
      if (!again) {
        local.removeItem(pending);
      }
      session.removeItem(PENDING);
    }
    document.querySelectorAll("form[data-draft]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
