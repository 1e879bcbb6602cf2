"""``{% if user|can:"import" %}``: a template asks :func:`areas.scoping.can` (without an area:
"may this user do it anywhere?"), never a role by name."""

from django import template

from areas.scoping import can as _can

register = template.Library()


@register.filter
def can(user, action: str) -> bool:
    return _can(user, action)
