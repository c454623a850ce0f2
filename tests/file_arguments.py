"""The files a command reads (--ao, --line, --units), read as the commands read them: through
the importer registry (desktop.cli.files), units merged into a scenario without units."""
from pathlib import Path

from desktop.cli.files import read_part
from desktop.cli.parser import load_registry
from desktop.core import demo
from desktop.core.document import Document
from desktop.core.importers.apply import import_command
from desktop.core.units import UnitTable

DATA = Path(__file__).resolve().parent / "data"
REGISTRY = load_registry()


def read_ao(path):
    return read_part(str(path), "ao", REGISTRY).ao


def read_line(path):
    return read_part(str(path), "line", REGISTRY).line


def read_units(path):
    """The units as a command sees them: merged into a scenario without units."""
    data = read_part(str(path), "units", REGISTRY)
    empty = Document(read_ao(DATA / "demo_ao.geojson"), read_line(DATA / "demo_line.geojson"), UnitTable.empty(),
                     demo.SIDES)
    return import_command(empty, data).after.units, data.skipped
