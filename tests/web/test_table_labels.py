"""Every body cell of a rendered table carries its column's name (``data-label``), for the phone's layout."""

from __future__ import annotations

import re

from web.tables import label_cells


def test_each_body_cell_is_named_by_its_columns_header() -> None:
    page = (
        '<table><thead><tr><th scope="col">Nimi &amp; tila</th><th colspan="2">Aika</th>'
        '<th><span class="visually-hidden">Toiminnot</span></th></tr></thead>'
        '<tbody><tr><td class="x">A</td><td>1</td><td data-label="Oma">2</td>'
        '<td><a href="/e">Muokkaa</a></td></tr>'
        '<tr><th scope="row">B</th><td colspan="2">3</td><td></td></tr></tbody></table>'
        "<table><tbody><tr><th>Avoimet</th><td>4</td></tr></tbody></table>"
    )

    labelled = label_cells(page)

    assert re.findall(r"<t[hd][^>]*>", labelled.split("</thead>")[1].split("</table>")[0]) == [
        '<td class="x" data-label="Nimi &amp; tila">',
        '<td data-label="Aika">',
        '<td data-label="Oma">',  # a label of its own is kept
        "<td>",  # a column named only for screen readers has none on a phone either
        '<th scope="row">',
        '<td colspan="2" data-label="Aika">',
        "<td>",
    ]
    assert labelled.endswith("<table><tbody><tr><th>Avoimet</th><td>4</td></tr></tbody></table>")
    assert label_cells("<p>ei taulukoita</p>") == "<p>ei taulukoita</p>"
