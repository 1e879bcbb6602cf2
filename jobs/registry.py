"""What kinds of job exist: each app's ``jobs.py`` registers its handlers with :func:`register`,
found by ``JobsConfig.ready()`` (``autodiscover_modules("jobs")``), the way ``reports`` finds its
builders.

A handler is ``handler(job, progress) -> Result | None``: it reads what it needs from the job
(``job.user``, ``job.area``, ``job.params``), calls ``progress(done, total, step)`` as it goes,
writes inside one transaction if it writes, and returns the file to offer for download, if any.
It raises :class:`JobError` (or ``ValidationError``) with a sentence for the user when the job
cannot be done; anything else is a fault, logged, and the user reads a generic sentence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from areas.scoping import ROLES


class JobError(Exception):
    """A job that cannot be done, with a clear sentence for the user (shown as it is)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Result:
    """The file a job made: its download name and its content (bytes, or text as UTF-8).
    ``stored``, if given, is called once the result is the job's (the run that made it finished
    the job; not a run taken over, nor a retry's failed run): what must be recorded once per
    result, such as the access log of the persons it lists."""

    filename: str
    content: bytes | str
    stored: Callable[[], None] | None = None


Progress = Callable[..., None]
Handler = Callable[..., "Result | None"]


@dataclass(frozen=True)
class Kind:
    slug: str
    action: str  # the ``areas.scoping`` action the user needs in the job's area
    handler: Handler
    # ``on_download(job, request)``: called before each download of the result is handed out
    # (the access log of an export of persons)
    on_download: Callable[..., None] | None = None
    # ``retry_page(job) -> url``: the page that decides whether and how the job runs again (an
    # import's batch page); the job's own page then links to it instead of offering its retry
    retry_page: Callable[..., str] | None = None


KINDS: dict[str, Kind] = {}


def register(
    kind: str,
    *,
    action: str,
    on_download: Callable[..., None] | None = None,
    retry_page: Callable[..., str] | None = None,
):
    """Register ``handler`` as the job ``kind``, which needs ``action`` in the job's area (checked
    when the job is started, when it runs, and when its result is downloaded). A kind whose
    result lists persons (``action="persons"``) must log its downloads (``on_download``). A kind
    with ``retry_page`` is run again from that page only (its rule, not the job page's)."""
    if action not in ROLES:
        raise ValueError(f"unknown action: {action}")
    if action == "persons" and on_download is None:
        raise ValueError(f"{kind}: a result of persons needs on_download (its access log)")

    def decorate(handler: Handler) -> Handler:
        KINDS[kind] = Kind(
            slug=kind,
            action=action,
            handler=handler,
            on_download=on_download,
            retry_page=retry_page,
        )
        return handler

    return decorate


def kind(slug: str) -> Kind:
    try:
        return KINDS[slug]
    except KeyError:
        raise JobError(_("Không có loại việc “%(slug)s”.") % {"slug": slug}) from None
