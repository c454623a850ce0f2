"""Property-based tests: random and mutated packets and streams thrown at the feed's intake.
Whatever arrives, every payload is accounted for (accepted, ignored or refused by reason)
and nothing raises: a sender can never stop the feed."""
import time

import takproto
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.feed.intake import Intake
from desktop.core.feed.protocol import FramingLost, StreamSession
from tests.feed.samples import event
from tests.importers.test_fuzz import EDITS, mutate

FUZZ = settings(max_examples=150, deadline=None)
XML = event("FUZZ-1", 35.9, 38.9, time.time() + 3000, course=90.0, speed=3.0)   # fresh for the whole run
MESH = bytes(takproto.xml2proto(XML, takproto.TAKProtoVer.MESH))
STREAM = bytes(takproto.xml2proto(XML, takproto.TAKProtoVer.STREAM))


def accounted(intake: Intake) -> None:
    c = intake.counters
    assert c.packets == c.accepted + c.ignored + c.refused
    assert len(intake.take()) == c.accepted


@FUZZ
@given(edits=EDITS, seed=st.sampled_from([XML, MESH, STREAM]))
def test_mutated_datagrams(edits, seed):
    intake = Intake()
    intake.datagram(mutate(seed, edits))
    accounted(intake)


@FUZZ
@given(data=st.binary(max_size=3000))
def test_random_datagrams(data):
    intake = Intake()
    intake.datagram(data)
    intake.datagram(b"\xbf\x01\xbf" + data)
    accounted(intake)


@FUZZ
@given(edits=EDITS, cuts=st.lists(st.integers(1, 400), max_size=8), proto=st.booleans())
def test_mutated_streams(edits, cuts, proto):
    """A stream of good events with one mutated in the middle, arriving in arbitrary pieces:
    the events after the damage still count (XML), or the connection is restarted (a
    version-1 stream whose framing is lost)."""
    good = STREAM if proto else XML
    data = good * 3 + mutate(good, edits) + good * 3
    session = StreamSession(negotiate=False)
    if proto:
        session.decoder.use_protocol_1()
    intake = Intake()
    pos = 0
    try:
        for size in [*cuts, len(data)]:
            for kind, frame in session.received(data[pos:pos + size], time.time()):
                intake.frame(kind, frame)
            pos += size
    except FramingLost:
        assert proto
        return
    accounted(intake)
    if not proto:
        assert intake.counters.accepted >= 6        # the good events around the damage
