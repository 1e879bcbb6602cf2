"""``{{ indicator|localized_name }}``: a name in the interface language (core/names.py)."""

from django import template

from core.names import localized_name as _localized_name

register = template.Library()


@register.filter
def localized_name(obj) -> str:
    return _localized_name(obj)
