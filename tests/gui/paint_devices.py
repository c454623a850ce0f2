"""Paint a map painter into the vector outputs an export uses: SVG and PDF."""
from __future__ import annotations

from PySide6 import QtCore, QtGui, QtSvg


def paint_svg_and_pdf(tmp_path, name: str, painter_obj, settings) -> tuple[str, bytes]:
    """`painter_obj.paint` into `name`.svg (QSvgGenerator) and `name`.pdf (QPdfWriter at
    96 dpi, so device pixels are the settings' pixels); their contents."""
    w, h = settings.size
    svg = QtSvg.QSvgGenerator()
    svg.setFileName(str(tmp_path / f"{name}.svg"))
    svg.setSize(QtCore.QSize(w, h))
    pdf = QtGui.QPdfWriter(str(tmp_path / f"{name}.pdf"))
    pdf.setResolution(96)
    for device in (svg, pdf):
        p = QtGui.QPainter(device)
        painter_obj.paint(p, settings)
        p.end()
    return (tmp_path / f"{name}.svg").read_text(), (tmp_path / f"{name}.pdf").read_bytes()
