"""The text of one of the product's PDFs read back, for tests that assert what a reader sees in it.

No PDF library is installed, and the product's PDFs are all fpdf2's: Type0 fonts (DejaVu, Identity-H)
whose ``ToUnicode`` maps give each glyph code its character, text shown with ``Tj`` (or ``TJ`` when a
line is justified) between ``BT`` and ``ET``, one text object a line. This reads that much and no more.
"""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s(.*?)\sendobj", re.S)
_REFERENCE = re.compile(rb"/(\w+)\s+(\d+) 0 R")
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_BFRANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}


def _stream(body: bytes) -> bytes:
    """The decoded content of an object's stream (empty when it has none)."""
    start = body.find(b"stream")
    if start < 0:
        return b""
    data = body[start + len(b"stream") :].lstrip(b"\r\n")
    if b"/FlateDecode" in body[:start]:
        return zlib.decompressobj().decompress(data)
    return data[: data.rfind(b"endstream")]


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """The glyph codes of a ``ToUnicode`` CMap and the characters they stand for."""
    codes: dict[int, str] = {}
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for first, last, target in _BFRANGE.findall(block):
            for offset in range(int(last, 16) - int(first, 16) + 1):
                codes[int(first, 16) + offset] = chr(int(target, 16) + offset)
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, target in _BFCHAR.findall(block):
            codes[int(code, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
    return codes


def _literal(content: bytes, at: int) -> tuple[bytes, int]:
    """The bytes of the literal string opening at ``content[at]`` (a parenthesis) and where it ends."""
    out = bytearray()
    depth, i = 1, at + 1
    while True:
        ch = content[i]
        if ch == ord("\\"):
            nxt = content[i + 1]
            if nxt in _ESCAPES:
                out += _ESCAPES[nxt]
                i += 2
            elif ord("0") <= nxt <= ord("7"):
                digits = re.match(rb"[0-7]{1,3}", content[i + 1 : i + 4])
                assert digits is not None
                out.append(int(digits.group(), 8) & 0xFF)
                i += 1 + len(digits.group())
            elif nxt in b"\r\n":
                i += 2  # a line continuation
            else:
                out.append(nxt)
                i += 2
            continue
        if ch == ord("("):
            depth += 1
        elif ch == ord(")"):
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out.append(ch)
        i += 1


def pdf_lines(pdf: bytes) -> list[str]:
    """The lines of text of ``pdf``, page by page, top to bottom as written."""
    objects = {int(number): body for number, body in _OBJECT.findall(pdf)}
    fonts: dict[int, dict[int, str]] = {}
    for number, body in objects.items():
        found = re.search(rb"/ToUnicode\s+(\d+) 0 R", body)
        if found:
            fonts[number] = _to_unicode(_stream(objects[int(found.group(1))]))
    named: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        for block in re.findall(rb"/Font\s*<<(.*?)>>", body, re.S):
            for name, number in _REFERENCE.findall(block):
                if int(number) in fonts:
                    named[name] = fonts[int(number)]
    lines: list[str] = []
    for body in objects.values():
        for contents in re.findall(rb"/Contents\s+(\d+) 0 R", body):
            lines += _text_objects(_stream(objects[int(contents)]), named)
    return lines


def _text_objects(content: bytes, named: dict[bytes, dict[int, str]]) -> list[str]:
    """The text of each ``BT … ET`` object of a page's content that shows any."""
    codes: dict[int, str] = {}
    lines: list[str] = []
    line: list[str] | None = None
    i = 0
    while i < len(content):
        ch = content[i]
        if ch == ord("("):
            raw, i = _literal(content, i)
            if line is not None:
                line += [codes.get(int.from_bytes(raw[k : k + 2], "big"), "") for k in range(0, len(raw), 2)]
            continue
        if content.startswith(b"BT", i) and not content[i + 2 : i + 3].isalnum():
            line = []
        elif content.startswith(b"ET", i) and not content[i + 2 : i + 3].isalnum():
            if line:
                lines.append("".join(line))
            line = None
        elif ch == ord("/"):
            font = re.match(rb"/(\w+)\s+[\d.]+\s+Tf", content[i:])
            if font and font.group(1) in named:
                codes = named[font.group(1)]
        i += 1
    return lines


def pdf_text(pdf: bytes) -> str:
    """All the text of ``pdf`` as one line: what wrapped onto the next line joined back with a space."""
    return " ".join(" ".join(pdf_lines(pdf)).split())
