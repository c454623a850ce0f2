"""`deconflict symbol`: symbol images on a transparent background; one code writes the
file, several write a folder; the SVG draws the same in Qt and in librsvg as the PNG."""
import shutil
import subprocess

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtSvg

from desktop import cli
from desktop.gui import style


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def rgba(image: QtGui.QImage) -> np.ndarray:
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGBA8888)
    return np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.width(), 4).copy()


def svg_in_qt(path, width: int, height: int) -> np.ndarray:
    image = QtGui.QImage(width, height, QtGui.QImage.Format.Format_RGBA8888)
    image.fill(0)
    p = QtGui.QPainter(image)
    QtSvg.QSvgRenderer(str(path)).render(p, QtCore.QRectF(0, 0, width, height))
    p.end()
    return rgba(image)


def test_one_code_writes_a_transparent_png(qapp, capsys, tmp_path):
    out = tmp_path / "inf.png"
    code, stdout, err = run(capsys, "symbol", "SFGPUCI----F---", "-o", str(out))
    assert code == 0 and f"wrote {out}" in stdout and not err
    a = rgba(QtGui.QImage(str(out)))
    assert a[0, 0, 3] == 0 and a[-1, -1, 3] == 0  # transparent around the frame
    friend = np.all(a[..., :3] == style.AFFILIATION_COLOURS["friend"], axis=-1) & (a[..., 3] == 255)
    assert friend.sum() > 0.6 * 150 * 100  # the 150 x 100 px frame at the default size, less its lines
    run(capsys, "symbol", "SFGPUCI----F---", "-o", str(tmp_path / "big.png"), "--size", "400")
    big = QtGui.QImage(str(tmp_path / "big.png"))
    assert big.width() == pytest.approx(2 * a.shape[1], abs=3) and big.height() == pytest.approx(2 * a.shape[0], abs=3)


def test_several_codes_write_a_folder_and_the_svg_draws_like_the_png(qapp, capsys, tmp_path):
    codes = ["SHGAUCA----E---", "SFGPUCI---AH---", "10031500331201000000", "SAAPMFF--------"]
    code, stdout, _ = run(capsys, "symbol", *codes, "-o", str(tmp_path / "svg"), "--format", "svg")
    assert code == 0
    run(capsys, "symbol", *codes, "-o", str(tmp_path / "png"))
    assert sorted(p.name for p in (tmp_path / "svg").iterdir()) == sorted(f"{c}.svg" for c in codes)
    renderers = ["qt"] + (["rsvg"] if shutil.which("rsvg-convert") else [])
    assert renderers == ["qt", "rsvg"], "packaging/system-deps.sh installs librsvg2-bin"
    for c in codes:
        png = rgba(QtGui.QImage(str(tmp_path / "png" / f"{c}.png")))
        h, w = png.shape[:2]
        drawn = {"qt": svg_in_qt(tmp_path / "svg" / f"{c}.svg", w, h)}
        data = subprocess.run(["rsvg-convert", "-w", str(w), "-h", str(h), str(tmp_path / "svg" / f"{c}.svg")],
                              check=True, capture_output=True).stdout
        drawn["rsvg"] = rgba(QtGui.QImage.fromData(data))
        for name, other in drawn.items():
            a, b = png[..., 3] > 128, other[..., 3] > 128
            assert (a & b).sum() / (a | b).sum() > 0.95, (c, name)
            ink_a = a & (png[..., :3].max(axis=-1) < 80)
            ink_b = b & (other[..., :3].max(axis=-1) < 80)
            assert (ink_a & ink_b).sum() / (ink_a | ink_b).sum() > 0.6, (c, name)  # the same lines, within AA


def test_partly_understood_codes_are_written_and_said(qapp, capsys, tmp_path):
    code, stdout, err = run(capsys, "symbol", "SFGPUCIXQ--H---", "-o", str(tmp_path / "x.svg"))
    assert code == 0 and (tmp_path / "x.svg").is_file()
    assert "warning: symbol 'SFGPUCIXQ--H---': function UCIXQ drawn as infantry (UCI)" in err


@pytest.mark.parametrize("argv, message", [
    (["XYZ", "-o", "{d}/x.png"], "'XYZ': not a MIL-STD-2525 / APP-6 symbol code"),
    (["GFGPGLB----K---", "-o", "{d}/x.png"], "a control measure code"),
    (["SFGPUCI--------", "-o", "{d}/x.jpg"], "x.jpg: a PNG file should end in .png"),
    (["SFGPUCI--------", "-o", "{d}/x.svg", "--format", "png"], "x.svg: a PNG file should end in .png"),
    (["SFGPUCI--------", "-o", "{d}/missing/x.png"], "folder"),
    (["SFGPUCI--------", "SHGPUCI--------", "-o", "{d}/file.txt"], "a folder, and this is a file"),
    (["SFGPUCI--------", "-o", "{d}/x.png", "--size", "0"], "expected a size in pixels"),
])
def test_bad_arguments_fail_with_one_line(qapp, capsys, tmp_path, argv, message):
    (tmp_path / "file.txt").write_text("")
    code, _, err = run(capsys, "symbol", *[a.format(d=tmp_path) for a in argv])
    assert code == 2 and message in err
    if "--size" not in argv:  # (argparse adds its usage line)
        assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.png").exists()
