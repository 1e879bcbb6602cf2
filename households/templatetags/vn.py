"""Template filters for Vietnamese number formatting ("1.295", "37,76 %")."""

from django import template

from core.formatting import format_int, format_percent

register = template.Library()


@register.filter
def vn_int(value):
    return "" if value is None or value == "" else format_int(int(value))


@register.filter
def vn_percent(value):
    return format_percent(value)
