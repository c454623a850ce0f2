"""The line as a MIL-STD-2525 boundary: its code, echelon, the two sides' designations and
the effective DTG of the revision in force, and the same facts in the KML and GeoJSON that
go out with the line."""
import json
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from desktop.core.demo import demo_document
from desktop.core.exporters import export_layer_text
from desktop.core.line_symbol import line_symbol
from desktop.core.revisions import RevisionLog
from desktop.core.sidc import ECHELONS, read_code


def test_boundary_code_and_amplifiers_of_the_demo():
    doc = demo_document()
    sym = line_symbol(doc)
    ground = [e for e, d in zip(doc.units.echelons, doc.units.domains) if d == "ground"]
    assert sym.echelon == max(ground, key=ECHELONS.index)
    # 2525D: version 10, friend (digit 4 = 3), symbol set 25 (control measures), the echelon in
    # digits 9-10, entity 110100 (command and control lines: boundary); 2525C: G*G*GLB--- with
    # the echelon letter at 12.
    assert len(sym.sidc) == 20 and sym.sidc[2:6] == "0325" and sym.sidc[10:16] == "110100"
    assert sym.sidc[8:10] == {"brigade": "18", "division": "21"}[sym.echelon]
    assert sym.letter_sidc[:10] == "GFGPGLB---" and sym.letter_sidc[11] == "HI"[sym.echelon == "division"]
    assert "a control measure code" in read_code(sym.sidc).notes[0]
    assert (sym.left, sym.right) == doc.sides
    latest = doc.revisions.agreed()[-1]
    when = datetime.fromtimestamp(latest.effective, timezone.utc)
    assert sym.revision == latest.id and sym.dtg == f"{when:%d%H%M}Z {when:%b %y}".upper()


def test_dtg_follows_the_revision_in_force_and_is_empty_without_one():
    doc = demo_document()
    first, second = doc.revisions.agreed()[:2]
    assert line_symbol(doc, at=first.effective + 60).revision == first.id
    assert line_symbol(doc, at=second.effective).revision == second.id
    assert line_symbol(doc, at=first.effective - 1).dtg == ""
    doc.set_revisions(RevisionLog())
    assert line_symbol(doc).dtg == "" and line_symbol(doc, echelon="corps").sidc[8:10] == "22"


def test_kml_and_geojson_carry_the_boundary_with_the_line():
    doc = demo_document()
    sym = line_symbol(doc)
    ns = "{http://www.opengis.net/kml/2.2}"
    root = ET.fromstring(export_layer_text(doc, "line", "kml"))
    data = {d.get("name"): d.find(f"{ns}value").text for d in root.iter(f"{ns}Data")}
    assert {k: data[k] for k, _ in sym.amplifiers()} == dict(sym.amplifiers())
    props = json.loads(export_layer_text(doc, "line", "geojson"))["features"][0]["properties"]
    assert props["sidc"] == sym.sidc and props["effective_dtg"] == sym.dtg and props["left_side"] == doc.sides[0]
