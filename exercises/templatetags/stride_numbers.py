"""``{{ amount|plural_count }}``: the count a plural form is chosen by, for an amount of points
that may be fractional (a best score of 1.5) or missing (a grade still pending). For
``{% blocktranslate count n=... %}`` wherever points are shown with a number."""

from __future__ import annotations

from django import template

register = template.Library()

#: A count every language of the site writes in its "many" form (English "points"; Korean has
#: one form for every count).
MANY = 2


@register.filter
def plural_count(amount: object) -> int:
    """A whole amount is its own count (1 point, 2 points, 0 points); a fractional or missing
    one takes the "many" form (English: 1.5 points), as gettext's plural rules read only whole
    counts (a float there is deprecated)."""
    try:
        value = float(amount)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return MANY
    return int(value) if value.is_integer() else MANY
