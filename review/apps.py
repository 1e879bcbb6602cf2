from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    """The yearly review as a procedure (Decision 24/2021/QĐ-TTg): a cycle's stages, the village
    meetings, the public posting and its complaints, the commune decision, ad-hoc requests and
    the documents each step produces. The cycle and its results themselves live in
    ``households``."""

    name = "review"
    verbose_name = _("Rà soát hộ nghèo, hộ cận nghèo")
