"""Statements: Markdown to safe HTML, math left intact for KaTeX, inline SVG pictures kept."""

from __future__ import annotations

from exercises.rendering import markdown_to_html
from grader.kinds import render_statement


def test_math_survives_markdown_untouched():
    html = markdown_to_html("Slide $w$ over $x_1 * y_2$; the sum is $$a_i * b_i$$ *here*.")
    assert "$w$" in html and "$x_1 * y_2$" in html and "$$a_i * b_i$$" in html
    assert "<em>here</em>" in html


def test_math_is_escaped_not_interpreted_as_html():
    assert "$a &lt; b$" in markdown_to_html("$a < b$")


def test_inline_svg_pictures_keep_their_geometry_but_lose_scripts():
    svg = (
        '<svg viewBox="0 0 20 10" role="img" aria-label="window"><rect x="1" y="2" width="3" '
        'height="3" fill="#fd0" onclick="alert(1)"/><script>alert(1)</script></svg>'
    )
    html = markdown_to_html(svg)
    assert 'viewBox="0 0 20 10"' in html and 'width="3"' in html and 'fill="#fd0"' in html
    assert "onclick" not in html and "<script" not in html


def test_a_matrix_table_has_no_blank_header_row_but_a_named_header_stays():
    matrix = render_statement("{{ x }}", {"x": [[1, 2], [3, 4]]})
    html = markdown_to_html(matrix)
    assert "<thead>" not in html and "<th" not in html
    assert html.count("<tr>") == 2 and "<td>4</td>" in html
    named = markdown_to_html("| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<thead>" in named and "<th>a</th>" in named
