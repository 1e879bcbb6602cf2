"""The top bar's current item: the menu entry whose address is the longest start of the page's
address ("/projects/plan/" is the plan's, not the projects'; "/" only the dashboard's)."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_current(context, *names: str) -> str:
    request = context.get("request")
    if request is None:
        return ""
    best, best_len = "", 0
    for name in names:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        matches = request.path == url if url == "/" else request.path.startswith(url)
        if matches and len(url) > best_len:
            best, best_len = name, len(url)
    return best
