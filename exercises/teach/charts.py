"""Charts drawn on the server as inline SVG: no JavaScript library, nothing from a CDN, and the
numbers are in the markup (a ``<title>`` per bar and a table fallback) for screen readers."""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe


def bar_chart_svg(
    counts: list[int],
    labels: list[str],
    *,
    title: str,
    width: int = 560,
    height: int = 220,
) -> SafeString:
    """A vertical bar chart of ``counts`` (one bar per label). Every text is escaped."""
    if len(counts) != len(labels):
        raise ValueError(f"{len(counts)} counts but {len(labels)} labels")
    left, bottom, top = 36, 40, 16
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max(counts) if counts and max(counts) > 0 else 1
    slot = plot_w / max(1, len(counts))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#57606a" />',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, (count, label) in enumerate(zip(counts, labels, strict=True)):
        bar_h = plot_h * count / peak
        x = left + i * slot + slot * 0.1
        y = top + plot_h - bar_h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.8:.1f}" height="{bar_h:.1f}" '
            f'fill="#0b5cad"><title>{escape(label)}: {count}</title></rect>'
        )
        if count:
            parts.append(
                f'<text x="{x + slot * 0.4:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                f'font-size="11">{count}</text>'
            )
        parts.append(
            f'<text x="{x + slot * 0.4:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
            f'font-size="10">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
