"""Airspace blocks on ATAK screens: each ACM active at the published time (or later) as a
closed, filled CoT drawing read back with an XML parser and takproto, the ones that are over
removed, and the data package's airspace.kml read back as the same ACMs."""
import io
import zipfile

import numpy as np
import pytest
import takproto
from defusedxml import ElementTree as SafeET

from desktop.core.air.acm_io import read_airspace
from desktop.core.air.demo import REPLAY_AT
from desktop.core.demo import demo_document
from desktop.core.feed.cot import format_cot_time
from desktop.core.feed.publish import data_package, kml_to_argb, publication
from desktop.core.tracks import parse_time
from tests.feed.test_publish import links

PREFIX = "deconflict.euphrates-2017-demo"


@pytest.fixture(scope="module")
def doc():
    return demo_document()


def test_each_active_acm_goes_out_closed_filled_and_named_with_its_block(doc):
    pub = publication(doc, at=REPLAY_AT, now=REPLAY_AT)
    assert [uid for uid, _ in pub.airspace] == [f"{PREFIX}.acm.{a.id}" for a in doc.airspace]
    for (uid, xml), acm in zip(pub.airspace, doc.airspace):
        root = SafeET.fromstring(xml)
        assert root.get("type") == "u-d-f" and root.get("uid") == uid
        pts = links(root)
        assert np.array_equal(pts[0], pts[-1])                           # closed: ATAK fills it
        assert np.allclose(pts, np.column_stack(acm.outline()), atol=1e-7)
        colour = "ffdc6e28" if acm.side == doc.sides[0] else "ff3232d7"
        assert root.find("detail/fillColor").get("value") == str(kml_to_argb(colour, 0x40))
        callsign = root.find("detail/contact").get("callsign")
        assert callsign == f"{acm.kind} {acm.name} {acm.block_label()}"
        remarks = root.find("detail/remarks").text
        assert acm.side in remarks and acm.block_label() in remarks
        if acm.periods:  # stale when its last period ends: ATAK drops it then
            assert root.get("stale") == format_cot_time(max(end for _, end in acm.periods))
            assert "2017-06-18T" in remarks
        else:
            assert "always active" in remarks
        event = takproto.parse_proto(takproto.xml2proto(xml, takproto.TAKProtoVer.MESH)).cotEvent
        assert event.uid == uid and event.detail.contact.callsign == callsign
    assert "4 airspace blocks" in pub.summary()


def test_blocks_that_are_over_are_removed_and_the_rest_published(doc):
    later = parse_time("2017-06-20T00:00:00Z")  # every period is over; the corridor has none
    pub = publication(doc, at=later, now=later)
    assert [uid for uid, _ in pub.airspace] == [f"{PREFIX}.acm.COR-KOBANI"]
    removed = {uid for uid, _ in pub.removals}
    assert {f"{PREFIX}.acm.{i}" for i in ("ROZ-DEZ", "CAP-TABQA", "HIDACZ-JADIN")} <= removed
    assert not publication(doc, at=REPLAY_AT, now=REPLAY_AT, airspace=False).airspace


def test_the_data_package_carries_the_blocks_as_cot_and_as_3d_kml(doc, tmp_path):
    pub = publication(doc, at=REPLAY_AT, now=REPLAY_AT)
    z = zipfile.ZipFile(io.BytesIO(data_package(pub)))
    manifest = SafeET.fromstring(z.read("MANIFEST/manifest.xml"))
    entries = [c.get("zipEntry") for c in manifest.findall("Contents/Content")]
    assert sorted(entries) == sorted(set(z.namelist()) - {"MANIFEST/manifest.xml"})
    for uid, xml in pub.airspace:
        assert z.read(f"{uid}/{uid}.cot") == xml
    kml = tmp_path / "airspace.kml"
    kml.write_bytes(z.read("airspace.kml"))
    assert read_airspace(kml) == doc.airspace  # the same blocks, altitudes and periods
    assert "<altitudeMode>absolute</altitudeMode>" in kml.read_text()
