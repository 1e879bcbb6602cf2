"""The errors a report builder raises."""

from django.core.exceptions import ValidationError


class ReportError(ValidationError):
    """A report cannot be built for these parameters; the message says why."""


class NotEntered(ReportError):
    """The figures a report compares were never entered for this area and year (a stated
    document's figures): the report page says so and links the page where they are entered,
    ``entry`` (a URL name taking ``?area=…&year=…``), instead of showing an error. ``years``:
    the other years whose figures were entered, which the page links."""

    def __init__(self, message, *, entry: str, years=(), params=None):
        super().__init__(message, params=params)
        self.entry = entry
        self.years = tuple(years)
