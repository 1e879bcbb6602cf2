"""The one error a report builder raises."""

from django.core.exceptions import ValidationError


class ReportError(ValidationError):
    """A report cannot be built for these parameters; the message says why."""
