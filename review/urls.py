"""The review's pages: a cycle's stages (``views``) and ad-hoc requests (``adhoc``)."""

from django.urls import include, path

urlpatterns = [
    path("requests/", include("review.adhoc_urls")),
]
