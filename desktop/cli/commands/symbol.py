"""`deconflict symbol`: MIL-STD-2525 / APP-6 symbols as PNG or SVG files on a transparent
background, drawn exactly as the map and the brief draw them (for slides and plugin authors).

A built-in plugin (desktop.builtin_plugins.CLI_COMMANDS).
"""
from __future__ import annotations

import re
from pathlib import Path

from desktop.cli.console import PROG, CommandError, warn
from desktop.cli.parser import command_parser

FORMATS = ("png", "svg")
EXAMPLES = f"""\
examples:
  {PROG} symbol SFGPUCI----F--- -o infantry.png
  {PROG} symbol 10031000161211020000 -o mech.svg --size 400
  {PROG} symbol SHGAUCA----E--- SFGPUCI---AH--- 10031500331201000000 -o symbols/ --format svg

One code writes the file OUT; several write OUT/<code>.<format> into the folder OUT.
--size is the standard's 200-unit construction square in pixels: at the default 200 a
friendly land unit frame is 150 x 100 px. The image is cropped to what the symbol draws.
exit status: 0 written; 1 a file cannot be written; 2 bad arguments or a code that is not
a symbol code (what a code states but is not drawn is said on stderr, and it is written)."""


def _size(text: str) -> float:
    import argparse
    try:
        px = float(text)
    except ValueError:
        px = -1.0
    if not 8 <= px <= 4000:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a size in pixels from 8 to 4000")
    return px


def add_command(subparsers) -> None:
    """The plugin hook: add the `symbol` sub-command."""
    p = command_parser(subparsers, "symbol", help="draw unit symbols (SIDC) as PNG or SVG files", run=run,
                       examples=EXAMPLES, description="Draw MIL-STD-2525C letter codes, 2525D/APP-6D and 2525E "
                                                      "number codes as symbol images on a transparent background.")
    p.add_argument("codes", metavar="SIDC", nargs="+", help="symbol codes (15-character letter or 20/30-digit number)")
    p.add_argument("-o", "--output", metavar="OUT", required=True,
                   help="the file to write (one code) or the folder to write into (several)")
    p.add_argument("--size", type=_size, default=200.0, metavar="PX", help="the construction square in pixels "
                                                                            "(default 200)")
    p.add_argument("--format", choices=FORMATS, help="png or svg (default: OUT's extension, else png)")
    p.add_argument("--condition-bars", action="store_true",
                   help="draw a condition as the coloured bar below the frame instead of the slashes")


def _file_name(code: str, fmt: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", code) + "." + fmt


def _png(image) -> bytes:
    from PySide6 import QtCore
    buf = QtCore.QBuffer()
    buf.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG"):
        raise OSError("cannot encode the PNG")
    return bytes(buf.data().data())


def run(args) -> int:
    from desktop.core.atomic import SaveError, atomic_write
    from desktop.core.sidc import code_note, read_code, unit_symbol
    codes = [c.strip().upper() for c in args.codes]
    for code in codes:
        if read_code(code).spec is None:
            raise CommandError(f"{code!r}: {code_note(code).split(': ', 1)[-1] or 'not a symbol code'}", 2)
    out = Path(args.output)
    single = len(codes) == 1
    fmt = args.format or (out.suffix.lower().lstrip(".") if single and out.suffix.lower() in (".png", ".svg")
                          else "png")
    if single and out.suffix.lower() not in ("", f".{fmt}"):
        raise CommandError(f"{args.output}: a {fmt.upper()} file should end in .{fmt}", 2)
    if single and out.suffix == "":
        out = out.with_suffix(f".{fmt}")
    folder = out.parent if single else out
    if not single and out.exists() and not out.is_dir():
        raise CommandError(f"{args.output}: several codes are written into a folder, and this is a file", 2)
    if single and not folder.is_dir():
        raise CommandError(f"cannot write {out}: folder {folder} does not exist", 2)
    from desktop.gui.export.render import ensure_qapp
    from desktop.gui.symbology import symbol_image, symbol_svg
    ensure_qapp()  # offscreen when there is no display: never a window
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for code in codes:
            note = code_note(code)
            if note:
                warn(note)
            spec = unit_symbol(code, "")
            target = out if single else out / _file_name(code, fmt)
            data = (symbol_svg(spec, args.size, args.condition_bars).encode("utf-8") if fmt == "svg"
                    else _png(symbol_image(spec, args.size, args.condition_bars)))
            atomic_write(target, lambda tmp: tmp.write_bytes(data))  # whole or not at all, even on a full disk
            print(f"wrote {target}")
    except SaveError as exc:
        raise CommandError(str(exc)) from None  # exit 1
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from None  # exit 1
    return 0
