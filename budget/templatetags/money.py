"""Money and rates in pages: "3.326,6" (triệu đồng), "1.200.000" (đồng), "25,56 %".

The separators follow the interface language ("3,326.6" in English), as every figure on a page
does (core/formatting.py); the official documents are Vietnamese.
"""

from django import template

from core.formatting import format_int, format_million_dong, format_percent

register = template.Library()


@register.filter
def trieu(amount_dong):
    """Integer đồng as triệu đồng with one decimal."""
    return format_million_dong(amount_dong)


@register.filter
def dong(amount_dong):
    return format_int(amount_dong)


@register.filter
def pct(value):
    return format_percent(value)
