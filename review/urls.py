"""The review's pages: a cycle's stages (``views``), ad-hoc requests (``adhoc``) and Phiếu B of
the households ticked in the list page (``bulk_views``)."""

from django.urls import include, path

from . import bulk_views

urlpatterns = [
    path("requests/", include("review.adhoc_urls")),
    path("households/print/", bulk_views.print_forms, name="review_bulk_print"),
]
