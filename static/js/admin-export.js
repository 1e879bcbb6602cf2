// The admin's export page (templates/admin/import_export/export.html): the "select all" box,
// wired here because the Content-Security-Policy refuses inline handlers. onSelectToggleChange
// comes from django-import-export's export_selectable_fields.js, loaded before this file.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".select-toggle");
  if (toggle && typeof onSelectToggleChange === "function") {
    toggle.addEventListener("change", onSelectToggleChange);
  }
});
