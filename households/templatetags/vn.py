"""Template filters for numbers: "1.295", "37,76 %" (in English "1,295", "37.76 %", as
core/formatting.py follows the interface language)."""

from django import template

from core.formatting import format_int, format_percent

register = template.Library()


@register.filter
def vn_int(value):
    return "" if value is None or value == "" else format_int(int(value))


@register.filter
def vn_percent(value):
    return format_percent(value)
