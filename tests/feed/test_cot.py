"""Reading CoT events: XML through defusedxml, TAK protocol v1 through takproto, the type's
affiliation, domain and symbol code, and every way an event is refused."""
import math
import time

import numpy as np
import pytest
import takproto

from desktop.core.feed.cot import (CotError, affiliation_of, check, domain_of, event_from_message, parse_cot_time,
                                   parse_event, sidc_of)
from desktop.core.feed.intake import Intake
from desktop.core.sidc import read_code
from desktop.core.sidc_tables import LETTER_FUNCTIONS
from tests.feed.samples import event, iso, junk_packets


def test_position_report_is_read_completely():
    t = time.time()
    e = parse_event(event("ANDROID-1", 35.9, 38.9, t, callsign="SDF Recon Tm", course=181.5, speed=3.2, ce=12.5))
    assert (e.uid, e.type, e.callsign, e.group, e.role) == ("ANDROID-1", "a-f-G-U-C-I", "SDF Recon Tm", "Cyan",
                                                            "Team Member")
    assert (e.lat, e.lon, e.hae, e.ce, e.le) == (35.9, 38.9, 250.0, 12.5, 9999999.0)
    assert (e.course, e.speed) == (181.5, 3.2)
    assert e.time == pytest.approx(t, abs=1e-3) and e.stale == pytest.approx(t + 120, abs=1e-3)
    assert e.is_unit


def test_protocol_1_message_reads_as_the_xml_does():
    t = time.time()
    xml = event("ANDROID-2", 35.5, 39.1, t, callsign="Walker", course=90.0, speed=12.0)
    from_xml = parse_event(xml)
    message = takproto.parse_proto(takproto.xml2proto(xml, takproto.TAKProtoVer.MESH))
    from_proto = event_from_message(message)
    assert from_proto.uid == from_xml.uid and from_proto.callsign == "Walker" and from_proto.group == "Cyan"
    assert (from_proto.lat, from_proto.lon, from_proto.course, from_proto.speed) == (35.5, 39.1, 90.0, 12.0)
    assert from_proto.time == pytest.approx(from_xml.time, abs=1e-3)   # ms in the protobuf
    assert from_proto.stale == pytest.approx(from_xml.stale, abs=1e-3)
    no_track = event_from_message(takproto.parse_proto(takproto.xml2proto(event("X", 35, 39, t),
                                                                           takproto.TAKProtoVer.MESH)))
    assert math.isnan(no_track.course) and math.isnan(no_track.speed)


@pytest.mark.parametrize("cot_type, affiliation, domain", [
    ("a-f-G-U-C-I", "friend", "ground"), ("a-a-G", "friend", "ground"), ("a-h-A-M-F-Q", "hostile", "air"),
    ("a-s-G", "hostile", "ground"), ("a-j-G", "hostile", "ground"), ("a-n-G-E-V", "neutral", "ground"),
    ("a-u-A", "unknown", "air"), ("a-p-G", "unknown", "ground"), ("a-f-P", "friend", "air"),
    ("b-m-p-s-p-i", "unknown", "ground"), ("u-d-f", "unknown", "ground")])
def test_affiliation_and_domain_from_the_type(cot_type, affiliation, domain):
    assert (affiliation_of(cot_type), domain_of(cot_type)) == (affiliation, domain)


def test_symbol_code_spells_the_type_as_atak_does():
    assert sidc_of("a-f-G-U-C-I") == "SFGPUCI--------"
    assert sidc_of("a-h-A-M-F-Q") == "SHAPMFQ--------"
    assert sidc_of("a-n-G-I-M") == "SNGPIM----H----"   # ground installation: the H modifier
    assert sidc_of("a-f-G") == "SFGP-----------"
    assert sidc_of("b-m-p-s-p-i") == "" and sidc_of("a-f") == ""
    # The symbols reader (a table of its own) reads back what the type says.
    facts = read_code(sidc_of("a-h-G-U-C-A"))
    assert (facts.affiliation, facts.domain, LETTER_FUNCTIONS["G"][facts.icon.split(":")[2]]) == (
        "hostile", "ground", "armour")
    air = read_code(sidc_of("a-f-A-M-H"))
    assert (air.domain, LETTER_FUNCTIONS["A"][air.icon.split(":")[2]]) == ("air", "military rotary wing")


def test_cot_times_with_and_without_fractions():
    assert parse_cot_time("2017-08-20T10:00:00Z") == 1503223200.0
    assert parse_cot_time("2017-08-20T10:00:00.5Z") == 1503223200.5
    assert parse_cot_time("2017-08-20T13:00:00+03:00") == 1503223200.0
    assert parse_cot_time("2017-08-20T10:00:00.123456789Z") == pytest.approx(1503223200.123456)
    assert parse_cot_time(iso(1503223200.25)) == 1503223200.25


@pytest.mark.parametrize("data, reason", list(zip(junk_packets(), [
    "malformed", "malformed", "unsupported", "unsupported", "stale", "impossible", "impossible"])))
def test_refused_events_are_counted_by_reason(data, reason):
    intake = Intake()
    intake.datagram(data)
    assert intake.counters.rejected[reason] == 1 and intake.counters.accepted == 0
    assert len(intake.take()) == 0


def test_oversized_and_future_events_are_refused():
    now = time.time()
    big = event("BIG", 35.0, 39.0, now).replace(b"</detail>", b"<remarks>" + b"x" * 40_000 + b"</remarks></detail>")
    with pytest.raises(CotError) as err:
        parse_event(big)
    assert err.value.reason == "oversized"
    future = parse_event(event("FUTURE", 35.0, 39.0, now + 7200))
    with pytest.raises(CotError) as err:
        check(future, now)
    assert err.value.reason == "impossible"


def test_other_events_are_ignored_not_refused():
    now = time.time()
    intake = Intake()
    intake.datagram(event("PING", 0.0, 0.0, now, cot_type="t-x-c-t"))
    intake.datagram(event("SHAPE", 35.0, 39.0, now, cot_type="u-d-f"))
    intake.datagram(event("UNIT", 35.0, 39.0, now))
    assert (intake.counters.ignored, intake.counters.accepted, intake.counters.refused) == (2, 1, 0)
    assert intake.take().uid.tolist() == ["UNIT"]


def test_events_with_declarations_go_through_defusedxml():
    t = time.time()
    plain = event("CDATA", 35.0, 39.0, t)
    with_comment = plain.replace(b"<detail>", b"<detail><!-- relayed by a gateway -->"
                                             b"<remarks><![CDATA[Checkpoint <B> & bridge]]></remarks>")
    assert parse_event(with_comment).uid == "CDATA"      # a comment and CDATA are fine
    undefined = plain.replace(b'callsign="CDATA"', b'callsign="&lol;"')   # an entity with no DTD
    with pytest.raises(CotError) as err:
        parse_event(undefined)
    assert err.value.reason == "malformed"
    external = (b'<?xml version="1.0"?><!DOCTYPE event [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                + plain[plain.index(b"<event"):].replace(b'callsign="CDATA"', b'callsign="&x;"'))
    with pytest.raises(CotError, match="DTD or entities"):
        parse_event(external)


def test_a_point_without_hae_has_no_altitude_not_sea_level():
    from desktop.core.feed.live import aircraft_state
    t = time.time()
    xml = event("JET-9", 35.5, 39.1, t, cot_type="a-h-A-M-F", course=90.0, speed=200.0, hae=6096.0)
    without = parse_event(xml.replace(b' hae="6096.0"', b""))
    unknown = parse_event(xml.replace(b'hae="6096.0"', b'hae="9999999.0"'))
    for e in (without, unknown):
        state = aircraft_state(np.array([e.hae]), np.array([e.course]), np.array([e.speed]))
        assert math.isnan(state["alt_ft"][0])  # (0 ft would put the jet on the ground)
    state = aircraft_state(np.array([parse_event(xml).hae]), np.array([90.0]), np.array([200.0]))
    assert state["alt_ft"][0] == pytest.approx(20_000.0)
