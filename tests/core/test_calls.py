"""Hotline-call log: columns, queries, the demo log, and CSV interchange (round trip, bad rows)."""
import numpy as np
import pytest

from desktop.core import demo
from desktop.core.calls import CATEGORIES, PRIORITIES, CallLog
from desktop.core.calls_csv import CSV_COLUMNS, calls_csv_text, parse_calls_csv, read_calls
from desktop.core.inputs import InputError
from desktop.core.tracks import parse_time

T0 = parse_time("2017-06-18T00:00:00Z")


@pytest.fixture
def log():
    return CallLog.from_columns(
        ids=["c3", "c1", "c2", "c4"], start=[T0 + 7200, T0, T0 + 3600, T0 + 86400 * 2 + 60],
        duration_s=[300, 600, 60, 0], category=["incident", "routine check", "ground line", "airspace notification"],
        priority=["flash", "routine", "immediate", "priority"], units=["SDF-06;SAA-01", "", ["SAA-01"], "AIR-01"],
        lon=[38.5, np.nan, 38.6, 39.0], lat=[35.76, np.nan, 35.7, 35.9], revision=["", "", "", "june"],
        summary=["s3", "s1", "s2", "s4"])


def test_from_columns_sorts_by_start_and_keeps_links_with_their_calls(log):
    assert log.ids.tolist() == ["c1", "c2", "c3", "c4"]
    assert [log.links(i) for i in range(4)] == [(), ("SAA-01",), ("SDF-06", "SAA-01"), ("AIR-01",)]
    assert log.links_text() == ["", "SAA-01", "SDF-06;SAA-01", "AIR-01"]
    assert log.summary.tolist() == ["s1", "s2", "s3", "s4"]
    assert np.isnan(log.lon[0]) and log.lon[2] == 38.5
    assert log.priority_rank().tolist() == [0, 2, 3, 1]
    assert log.index_of("c3") == 2
    with pytest.raises(KeyError):
        log.index_of("nope")


def test_columns_are_read_only_and_validated(log):
    with pytest.raises(ValueError):
        log.start[0] = 0
    with pytest.raises(ValueError, match="category 'gossip'"):
        CallLog.from_columns(ids=["x"], start=[0], category=["gossip"])
    with pytest.raises(ValueError, match="priority 'urgent'"):
        CallLog.from_columns(ids=["x"], start=[0], priority=["urgent"])
    with pytest.raises(ValueError, match="negative duration"):
        CallLog.from_columns(ids=["x"], start=[0], duration_s=[-1])


def test_between_is_half_open(log):
    assert log.between(T0, T0 + 3600).tolist() == [0]          # starts at t0: in; at t1: out
    assert log.between(T0, T0 + 3601).tolist() == [0, 1]
    assert log.between(T0 + 1, None).tolist() == [1, 2, 3]
    assert log.between(None, T0).tolist() == []
    assert log.between("2017-06-18T04:00:00+03:00", "2017-06-18T05:00:00+03:00").tolist() == [1]
    assert log.between(T0 + 10, T0).tolist() == []


def test_active_linked_and_revision_queries(log):
    assert log.active_at(T0 + 599).tolist() == [0]
    assert log.active_at(T0 + 600).tolist() == []
    assert log.active_at(T0 + 7200).tolist() == [2]
    assert log.linked_to("SAA-01").tolist() == [1, 2]
    assert log.linked_to("AIR-01").tolist() == [3]
    assert log.linked_to("nobody").tolist() == []
    assert log.for_revision("june").tolist() == [3]


def test_per_day_counts_include_quiet_days_and_shift_to_local_time(log):
    days, counts = log.per_day()
    assert days.astype(str).tolist() == ["2017-06-18", "2017-06-19", "2017-06-20"]
    assert counts.tolist() == [3, 0, 1]
    days, counts = log.per_day(offset_s=-5400)  # at -01:30 the first two calls are on the 17th
    assert days[0].astype(str) == "2017-06-17" and counts.tolist() == [2, 1, 1]
    assert CallLog.empty().per_day()[1].tolist() == []


def test_take_keeps_links(log):
    sub = log.take(np.array([False, True, True, False]))
    assert sub.ids.tolist() == ["c2", "c3"] and sub.links_text() == ["SAA-01", "SDF-06;SAA-01"]
    sub = log.take([3, 0])
    assert sub.ids.tolist() == ["c1", "c4"] and sub.links_text() == ["", "AIR-01"]
    assert len(log.take([])) == 0


def test_record_is_plain_json_data(log):
    r = log.record(2)
    assert r["start"] == "2017-06-18T02:00:00Z" and r["units"] == ["SDF-06", "SAA-01"]
    assert r["lon"] == 38.5 and r["revision"] is None
    r = log.record(0)
    assert r["lon"] is None and r["lat"] is None and r["units"] == []


# -- the demo log -----------------------------------------------------------------------------
def test_demo_log_has_10_to_12_calls_a_day_and_a_tense_incident_day():
    calls = demo.demo_history()[0]
    days, counts = calls.per_day()
    day = {d: c for d, c in zip(days.astype(str).tolist(), counts.tolist())}
    assert days[0].astype(str) == "2017-06-01" and days[-1].astype(str) == "2017-08-15"
    ordinary = {d: c for d, c in day.items() if d not in ("2017-06-18", "2017-06-19", "2017-06-01",
                                                          "2017-07-30", "2017-08-01", "2017-08-03",
                                                          "2017-08-14", "2017-08-15")}
    assert set(ordinary.values()) <= {10, 11, 12}
    assert day["2017-06-18"] >= 25
    incident = calls.between("2017-06-18T00:00:00Z", "2017-06-19T00:00:00Z")
    cats, prios = calls.category[incident], calls.priority[incident]
    assert np.count_nonzero(cats == "incident") >= 8
    assert np.count_nonzero(np.isin(prios, ("flash", "immediate"))) >= 15
    assert set(calls.category) == set(CATEGORIES) and set(calls.priority) == set(PRIORITIES)
    assert calls.start.max() <= demo.DEMO_NOW
    assert len(set(calls.ids)) == len(calls)
    # every linked unit is a demo unit
    assert set(calls.unit_ids) <= set(demo.demo_units().ids)


def test_demo_revisions_name_the_calls_that_agreed_them():
    calls, _, revisions = demo.demo_history()
    for rev in revisions:
        i = calls.index_of(rev.call_id)
        assert calls.revision[i] == rev.id and calls.category[i] == "line negotiation"
        if rev.was_agreed:
            assert calls.outcome[i] == "agreed" and calls.start[i] <= rev.effective


def test_demo_log_is_deterministic():
    a, b = demo.demo_calls(), demo.demo_calls()
    assert calls_csv_text(a) == calls_csv_text(b)


# -- CSV -------------------------------------------------------------------------------------
def test_csv_round_trip_of_the_demo_log():
    calls = demo.demo_history()[0]
    text = calls_csv_text(calls)
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    back, warnings = parse_calls_csv(text)
    assert warnings == []
    for col in ("ids", "start", "duration_s", "initiator", "from_station", "to_station", "operator",
                "category", "priority", "summary", "outcome", "revision", "unit_ids", "unit_offsets"):
        assert getattr(back, col).tolist() == getattr(calls, col).tolist(), col
    np.testing.assert_allclose(back.lon, calls.lon, atol=1e-7)
    np.testing.assert_array_equal(np.isnan(back.lat), np.isnan(calls.lat))
    assert calls_csv_text(back) == text


BAD = """\
Call ID;Start;Duration;Category;Priority;Units;Lon;Lat;Summary
c1;2017-06-18T13:34:00Z;360;incident;flash;"SDF-06;SAA-01";38.5;35.76;fire at Ja'Din
c2;2017-06-18T14:00:00;60;incident;flash;;;;no offset
c3;2017-06-18T14:10:00+03:00;60;gossip;routine;;;;bad category
c1;2017-06-18T14:20:00Z;60;incident;flash;;;;duplicate
c5;2017-06-18T14:30:00Z;6.5;incident;flash;;;;bad duration
c6;2017-06-18T14:40:00Z;60;Ground_Line;IMMEDIATE;SDF-01;38.5;;lon without lat

c7;2017-06-18T14:50:00Z;60;;;;38.5;95;latitude out of range
;2017-06-18T15:00:00Z;60;;;;;;no id
c9;2017-06-18T15:10:00+03:00;;ground-line;;SAA-02;;;good, defaults
c10;2017-06-18T15:20:00Z;60;incident;flash;;;;x;extra field
"""


def test_bad_rows_are_reported_with_their_line_and_good_rows_kept(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_bytes(b"\xef\xbb\xbf" + BAD.encode())  # a BOM is fine
    calls, warnings = read_calls(path)
    assert calls.ids.tolist() == ["c9", "c1"]  # sorted by start: c9 is 12:10Z
    assert calls.links(1) == ("SDF-06", "SAA-01") and calls.category[0] == "ground line"
    assert calls.priority[0] == "routine" and calls.duration_s[0] == 0
    name = str(path)
    assert warnings == [
        f"{name}:3: start: '2017-06-18T14:00:00' has no UTC offset; write e.g. 2017-06-18T14:00:00Z or "
        "2017-06-18T14:00:00+03:00 (row skipped)",
        f"{name}:4: category 'gossip' is not one of airspace notification, ground line, incident, "
        "line negotiation, routine check (row skipped)",
        f"{name}:5: duplicate id 'c1' (first on line 2) (row skipped)",
        f"{name}:6: duration_s '6.5' is not a whole number of seconds (row skipped)",
        f"{name}:7: give both lon and lat, or neither (row skipped)",
        f"{name}:9: position 38.5, 95 is outside -180..180 longitude / -90..90 latitude (row skipped)",
        f"{name}:10: no id (row skipped)",
        f"{name}:12: 10 fields, the header has 9 (an unquoted delimiter?) (row skipped)",
    ]


def test_unusable_files_are_errors(tmp_path):
    with pytest.raises(InputError, match="no 'start' column"):
        parse_calls_csv("id,when\nc1,2017-06-18T00:00:00Z\n", "x.csv")
    with pytest.raises(InputError, match=r"x.csv: no usable call row \(2 rows skipped"):
        parse_calls_csv("id,start\nc1,yesterday\nc2,\n", "x.csv")
    with pytest.raises(InputError, match="empty file"):
        parse_calls_csv("\n\n", "x.csv")
    with pytest.raises(InputError, match="no such file"):
        read_calls(tmp_path / "missing.csv")
    calls, warnings = parse_calls_csv("id,start\n", "x.csv")  # a log with no calls yet is fine
    assert len(calls) == 0 and warnings == []


def test_changed_removes_and_adds_records_in_start_order(log):
    record = dict(log.record(2), id="c9", start="2017-06-18T00:30:00Z", units=["X", "Y"])
    out = log.changed(["c2"], [record])
    assert out.ids.tolist() == ["c1", "c9", "c3", "c4"]
    assert [out.links(i) for i in range(4)] == [(), ("X", "Y"), ("SDF-06", "SAA-01"), ("AIR-01",)]
    assert out.record(1) == dict(record, start="2017-06-18T00:30:00Z", revision=None)
    assert len(log) == 4 and log.ids.tolist() == ["c1", "c2", "c3", "c4"]  # the log itself is unchanged
    with pytest.raises(ValueError, match="already in the log"):
        log.changed([], [dict(record, id="c1")])
    with pytest.raises(ValueError, match="no call 'zz'"):
        log.changed(["zz"])
    assert CallLog.from_records([log.record(i) for i in range(4)]).links_text() == log.links_text()


def test_filter_mask_and_search(log):
    from desktop.core.calls import filter_mask
    assert filter_mask(log).all()
    assert filter_mask(log, categories=["incident", "ground line"]).tolist() == [False, True, True, False]
    assert filter_mask(log, min_priority="immediate").tolist() == [False, True, True, False]
    assert filter_mask(log, text="S3").tolist() == [False, False, True, False]
    assert filter_mask(log, text="sdf-06 s3").tolist() == [False, False, True, False]  # every word
    assert filter_mask(log, text="saa-01").tolist() == [False, True, True, False]      # linked units too
    assert filter_mask(log, initiators=["nobody"]).sum() == 0


def test_per_day_of_any_start_column(log):
    from desktop.core.calls import per_day
    days, counts = per_day(log.start[[0, 3]])
    assert counts.tolist() == [1, 0, 1] and str(days[0]) == "2017-06-18"
    days, counts = per_day(log.start, offset_s=-3 * 3600)  # UTC-03:00: the first call is on the 17th
    assert str(days[0]) == "2017-06-17" and counts.sum() == 4


def test_linked_to_any(log):
    assert log.linked_to_any(["AIR-01", "SDF-06"]).tolist() == [2, 3]
    assert log.linked_to_any([]).tolist() == []
