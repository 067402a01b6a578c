"""Data tables that stay readable on a phone: each cell carries its column's name.

On a narrow screen the stylesheet stacks a table's rows into cards and keeps its header row only for
screen readers, so a bare value ("0 / 2", "7.12.2026") would stand without the name of what it is. Every
rendered page passes through :func:`label_cells`, which gives each body cell a ``data-label`` with the
text of its column's header; the narrow-screen CSS shows it before the value (``td::before``). The label
is taken from the header the page itself renders, so the two always agree and no template repeats it.
"""

from __future__ import annotations

import html
import re
from typing import Final

_TABLE: Final = re.compile(r"(<table\b[^>]*>)(.*?)(</table>)", re.S)
_HEAD: Final = re.compile(r"<thead\b[^>]*>(.*?)</thead>", re.S)
_BODY: Final = re.compile(r"(<tbody\b[^>]*>)(.*?)(</tbody>)", re.S)
_ROW: Final = re.compile(r"(<tr\b[^>]*>)(.*?)(</tr>)", re.S)
_CELL: Final = re.compile(r"<(t[hd])\b([^>]*)>(.*?)</\1>", re.S)
_SPAN: Final = re.compile(r'\bcolspan="(\d+)"')
_HIDDEN: Final = re.compile(r'<span class="visually-hidden">.*?</span>', re.S)
_TAG: Final = re.compile(r"<[^>]+>")


def _header_names(head: str) -> list[str]:
    """The name each column's header shows, one per column (a header spanning columns names each of
    them); empty for a column whose header is only for screen readers (such as the column of actions)."""
    names: list[str] = []
    row = _ROW.search(head)
    for cell in _CELL.finditer(row.group(2) if row else ""):
        text = " ".join(_TAG.sub("", _HIDDEN.sub("", cell.group(3))).split())
        span = _SPAN.search(cell.group(2))
        names += [text] * (int(span.group(1)) if span else 1)
    return names


def _label_row(row: str, names: list[str]) -> str:
    """``row``'s cells, each ``<td>`` with the ``data-label`` of its column unless it has one."""
    out: list[str] = []
    column, done = 0, 0
    for cell in _CELL.finditer(row):
        out.append(row[done : cell.start()])
        attributes = cell.group(2)
        name = names[column] if column < len(names) else ""
        opening = cell.group(0)[: cell.start(3) - cell.start()]
        if cell.group(1) == "td" and name and "data-label=" not in attributes:
            label = html.escape(html.unescape(name), quote=True)
            opening = f'<td{attributes} data-label="{label}">'
        out.append(opening + row[cell.start(3) : cell.end()])
        done = cell.end()
        span = _SPAN.search(attributes)
        column += int(span.group(1)) if span else 1
    out.append(row[done:])
    return "".join(out)


def _label_table(table: re.Match[str]) -> str:
    head = _HEAD.search(table.group(2))
    names = _header_names(head.group(1)) if head else []
    if not any(names):
        return table.group(0)

    def body(found: re.Match[str]) -> str:
        rows = _ROW.sub(lambda r: r.group(1) + _label_row(r.group(2), names) + r.group(3), found.group(2))
        return found.group(1) + rows + found.group(3)

    return table.group(1) + _BODY.sub(body, table.group(2)) + table.group(3)


def label_cells(page: str) -> str:
    """``page`` with each body cell of a table that has a header row labelled with its column's name
    (``data-label``), for the narrow-screen layout; pages without tables are returned as they are."""
    if "<table" not in page:
        return page
    return _TABLE.sub(_label_table, page)
