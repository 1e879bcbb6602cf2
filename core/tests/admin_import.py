"""Driving the admin's import pages (django-import-export) as a person would, for the tests of
each app's reference data."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.importexport import ReferenceDataAdmin

CONFIRM_FIELDS = ("import_file_name", "original_file_name", "format", "resource")


def sheet(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def upload(client, model, file):
    """The first step: upload and dry run. The response shows the preview (and a confirm form
    when no row has an error)."""
    opts = model._meta
    extension = file.name.rsplit(".", 1)[-1]
    fmt = next(
        i for i, f in enumerate(ReferenceDataAdmin.formats) if f().get_extension() == extension
    )
    return client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_import"),
        {"resource": "0", "format": str(fmt), "import_file": file},
    )


def confirm(client, model, preview):
    """The second step: the confirm button of a preview."""
    opts = model._meta
    form = preview.context["confirm_form"]
    return client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_process_import"),
        {name: form.initial[name] for name in CONFIRM_FIELDS},
    )


def export(client, model, fmt: str = "csv"):
    """The admin's export page, every row and every column ticked, in ``fmt``."""
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_export")
    form = client.get(url).context["form"]
    columns = {name: "on" for name, field in form.fields.items() if hasattr(field, "resource_name")}
    index = next(i for i, f in enumerate(ReferenceDataAdmin.formats) if f().get_extension() == fmt)
    return client.post(url, {"resource": "0", "format": str(index), **columns})
