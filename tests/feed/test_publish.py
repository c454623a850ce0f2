"""The line on ATAK screens: the published events read back with takproto and an XML parser,
and the data package's manifest against the zip's contents."""
import io
import zipfile

import numpy as np
import pytest
import takproto
from defusedxml import ElementTree as SafeET

from desktop.core.demo import demo_document
from desktop.core.feed.protocol import StreamDecoder
from desktop.core.feed.publish import cot_stream, data_package, kml_to_argb, publication
from desktop.core.line_symbol import line_symbol
from desktop.core.revisions import RevisionError
from desktop.core.tracks import parse_time

KML = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture(scope="module")
def doc():
    return demo_document()


def links(root) -> np.ndarray:
    """(lon, lat) of the <link point="lat,lon,hae"/> vertices, in order."""
    pts = [tuple(map(float, e.get("point").split(","))) for e in root.findall("detail/link")]
    assert all(len(p) == 3 for p in pts)
    return np.array([(lon, lat) for lat, lon, _ in pts])


def test_argb_colours_as_atak_writes_them():
    assert kml_to_argb("ff0000ff") == -65536             # opaque red: ATAK's Color.RED
    assert kml_to_argb("ffff0000") == -16776961          # blue
    assert kml_to_argb("ff00ff00", alpha=0x40) == 0x4000FF00


def test_line_event_reads_back_in_xml_and_protocol_1(doc):
    pub = publication(doc, now=1_800_000_000.0)
    uid, xml = pub.drawings[0]
    root = SafeET.fromstring(xml)
    assert (root.get("type"), root.get("uid"), root.get("how")) == ("u-d-f", uid, "h-e")
    line = doc.revisions.get("august").line
    assert pub.revision == "august"
    assert np.allclose(links(root), line.vertices, atol=1e-7)        # every vertex, in order, open
    assert not np.array_equal(links(root)[0], links(root)[-1])
    d = root.find("detail")
    assert d.find("strokeColor").get("value") == str(kml_to_argb("ff141414"))
    assert float(d.find("strokeWeight").get("value")) > 0 and d.find("fillColor") is None
    milsym = d.find("__milsym")
    code = milsym.get("id")            # the line's 2525D boundary code, as its KML carries it
    assert code == line_symbol(doc, at=1_800_000_000).sidc
    assert len(code) == 20 and code[:2] == "10" and code[4:6] == "25" and code[10:16] == "110100"
    modifiers = {m.get("code"): m.text for m in milsym.findall("unitmodifier")}
    assert modifiers == {"T": "US-backed", "T1": "Russian-backed", "W": "050000Z AUG 17"}
    assert d.find("contact").get("callsign") == "Deconfliction line (august)"
    # takproto: the same event as a protocol-1 message; the vertices travel in xmlDetail.
    for version in (takproto.TAKProtoVer.MESH, takproto.TAKProtoVer.STREAM):
        message = takproto.parse_proto(takproto.xml2proto(xml, version))
        ev = message.cotEvent
        assert (ev.uid, ev.type, ev.how) == (uid, "u-d-f", "h-e")
        assert ev.staleTime - ev.sendTime == 7 * 86_400 * 1000
        carried = SafeET.fromstring(f"<event><detail>{ev.detail.xmlDetail}</detail></event>")
        assert np.allclose(links(carried), line.vertices, atol=1e-7)
        assert ev.detail.contact.callsign == "Deconfliction line (august)"


def test_sectors_go_out_closed_in_their_owners_colours(doc):
    pub = publication(doc, sectors=True, now=1_800_000_000.0)
    assert len(pub.drawings) == 3
    analysis = doc.analyse(doc.revisions.get("august").line)
    for (uid, xml), sector in zip(pub.drawings[1:], analysis.sectors.sectors):
        root = SafeET.fromstring(xml)
        pts = links(root)
        assert np.array_equal(pts[0], pts[-1])                        # closed: ATAK fills it
        ring = np.asarray(sector.lonlat_polygon(doc.analysis_projection).exterior.coords)
        assert np.allclose(pts, ring, atol=1e-7)
        colour = "ffdc6e28" if sector.owner == doc.sides[0] else "ff3232d7"
        assert root.find("detail/strokeColor").get("value") == str(kml_to_argb(colour))
        assert root.find("detail/fillColor").get("value") == str(kml_to_argb(colour, 0x40))
        assert takproto.parse_proto(takproto.xml2proto(xml, takproto.TAKProtoVer.MESH)).cotEvent.uid == uid


def test_uids_are_stable_and_other_revisions_are_removed(doc):
    first = publication(doc, now=1_800_000_000.0)
    again = publication(doc, now=1_800_000_600.0)
    assert first.line_uid == again.line_uid == "deconflict.euphrates-2017-demo.line.august"
    june = publication(doc, at=parse_time("2017-07-01T00:00:00Z"), sectors=True, now=1_800_000_000.0)
    assert june.revision == "june" and june.line_uid.endswith(".line.june")
    removed = [uid for uid, _ in june.removals]
    assert first.line_uid in removed and "deconflict.euphrates-2017-demo.sector.august.S1" in removed
    for target, xml in june.removals:
        root = SafeET.fromstring(xml)
        link = root.find("detail/link")
        assert root.get("type") == "t-x-d-d" and link.get("uid") == target
        assert link.get("relation") and link.get("type") == "u-d-f"
        assert root.find("detail/__forcedelete") is not None
    assert june.events()[:len(removed)] == [x for _, x in june.removals]   # removals go first
    with pytest.raises(RevisionError, match="no line revision is in force"):
        publication(doc, at=parse_time("2017-01-01T00:00:00Z"))


def test_cot_stream_splits_back_into_the_events(doc):
    pub = publication(doc, sectors=True, now=1_800_000_000.0)
    decoder = StreamDecoder(max_bytes=1 << 20)
    decoder.feed(cot_stream(pub))
    assert [frame for _, frame in decoder.frames()] == pub.events()


def test_data_package_manifest_lists_exactly_the_zip(doc):
    pub = publication(doc, sectors=True, now=1_800_000_000.0)
    z = zipfile.ZipFile(io.BytesIO(data_package(pub)))
    manifest = SafeET.fromstring(z.read("MANIFEST/manifest.xml"))
    assert manifest.tag == "MissionPackageManifest" and manifest.get("version") == "2"
    params = {p.get("name"): p.get("value") for p in manifest.findall("Configuration/Parameter")}
    assert params["uid"] == pub.package_uid and params["name"]
    contents = manifest.findall("Contents/Content")
    entries = [c.get("zipEntry") for c in contents]
    assert sorted(entries) == sorted(set(z.namelist()) - {"MANIFEST/manifest.xml"})
    assert len(entries) == len(set(entries))
    cot = [c for c in contents if c.get("zipEntry").endswith(".cot")]
    assert len(cot) == len(pub.events())
    for c in cot:
        event = SafeET.fromstring(z.read(c.get("zipEntry")))
        assert c.find("Parameter[@name='uid']").get("value") == event.get("uid")
    kml = SafeET.fromstring(z.read("line.kml"))
    data = {d.get("name"): d.find(f"{KML}value").text for d in kml.iter(f"{KML}Data")}
    assert (data["sidc"], data["revision"]) == (line_symbol(doc).sidc, "august")   # the same symbol as the CoT
    coords = kml.find(f".//{KML}LineString/{KML}coordinates").text.split()
    line = doc.revisions.get("august").line
    assert np.allclose([tuple(map(float, c.split(","))) for c in coords], line.vertices, atol=1e-7)
    assert "sectors.kml" in z.namelist()
