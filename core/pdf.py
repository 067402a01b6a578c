"""The product's PDF pages: A4, in the reader's language (Finnish unless told), DejaVu Sans (every Finnish
and Swedish letter)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpdf import FPDF


@lru_cache(maxsize=1)
def font_paths() -> tuple[Path, Path]:
    """DejaVu Sans (regular, bold) as matplotlib ships it: it has every Finnish and Swedish letter."""
    from matplotlib import get_data_path

    folder = Path(get_data_path()) / "fonts" / "ttf"
    return folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"


def a4_document(title: str, language: str = "fi") -> FPDF:
    """An A4 document titled ``title`` and marked as written in ``language`` (fi, sv or en), its fonts
    ("DejaVu", regular and "B") added and its first page begun, with 20 mm margins."""
    from fpdf import FPDF

    regular, bold = font_paths()
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Kohtaamo")
    pdf.set_lang(language)
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    return pdf
