"""The hotline notification: drafted from an ACM, a conflict or aircraft, rendered from the
template files in English and Russian, and logged as an undoable hotline call."""
import mgrs
import pytest

from desktop.core.air.acm import ACM, CIRCLE, POLYGON, Airspace
from desktop.core.air.conflicts import find_conflicts
from desktop.core.air.notification import (CATEGORY, NotificationError, draft_from_acm, draft_from_aircraft,
                                           draft_from_conflict, log_notification, next_reference, render,
                                           templates_dir)
from desktop.core.commands import CommandStack
from desktop.core.demo import demo_document
from desktop.core.geodesy import Projection
from desktop.core.tracks import parse_time
from tests.air.reference import simulated_cpa, state_of

T = parse_time("2017-06-18T15:35:00Z")
NOON, SIX = parse_time("2017-06-18T12:00:00Z"), parse_time("2017-06-18T18:00:00Z")
ROZ = ACM("ROZ-DEZ", "Deir ez-Zor", "ROZ", "Russian-backed", 10000, 25000, CIRCLE, [(40.141, 35.336)],
          radius_nm=20, periods=((NOON, SIX), (NOON + 86400, SIX + 86400)))
BOX = ACM("CAP-1", "Tabqa CAP", "CAP/orbit", "US-backed", 30000, 35000, POLYGON,
          [(38.30, 35.62), (38.95, 35.62), (38.95, 36.00)])
STATIONS = dict(sender="CAOC Al Udeid", addressee="Hmeimim AOC", issued=T)

ROZ_EN = """\
HOTLINE NOTIFICATION AN-20170618-01
FROM: CAOC Al Udeid
TO: Hmeimim AOC
DTG: 181535Z JUN 17
1. ACTIVITY: RESTRICTED OPERATIONS ZONE (ROZ) Deir ez-Zor OF THE Russian-backed SIDE ACTIVE
2. TIME: 181200Z JUN 17 TO 181800Z JUN 17
3. AREA: CIRCLE, CENTRE 37S FV 03693 10902 (35°20'09.6"N 40°08'27.6"E), RADIUS 20.0 NM
4. ALTITUDE: 10,000 FT TO FL250 MSL
5. CALLSIGNS: NONE
REQUEST ACKNOWLEDGE.
"""
ROZ_RU = """\
УВЕДОМЛЕНИЕ ПО ГОРЯЧЕЙ ЛИНИИ AN-20170618-01
ОТ: CAOC Al Udeid
КОМУ: Hmeimim AOC
ДАТА И ВРЕМЯ: 181535Z ИЮН 17
1. ДЕЯТЕЛЬНОСТЬ: действует зона ограничения полётов (ROZ) «Deir ez-Zor» российской стороны
2. ВРЕМЯ: с 181200Z ИЮН 17 по 181800Z ИЮН 17
3. РАЙОН: круг, центр 37S FV 03693 10902 (35°20'09.6"N 40°08'27.6"E), радиус 20,0 NM
4. ВЫСОТЫ: от 10 000 фт до FL250 над уровнем моря
5. ПОЗЫВНЫЕ: нет
ПРОСИМ ПОДТВЕРДИТЬ ПОЛУЧЕНИЕ.
"""


def test_acm_notification_in_both_languages():
    draft = draft_from_acm(ROZ, T, "AN-20170618-01")
    assert render(draft, "en", **STATIONS) == ROZ_EN
    assert render(draft, "ru", **STATIONS) == ROZ_RU
    # The centre's MGRS is the mgrs package's own (at 1 m).
    assert mgrs.MGRS().toMGRS(35.336, 40.141, MGRSPrecision=5) == "37SFV0369310902"


def _mgrs(lat, lon) -> str:
    """'37S CV 12345 67890' from the mgrs package."""
    ref = mgrs.MGRS().toMGRS(lat, lon, MGRSPrecision=5)
    return f"{ref[:3]} {ref[3:5]} {ref[5:10]} {ref[10:]}"


def test_polygon_corners_always_active_and_callsigns():
    text = render(draft_from_acm(BOX, T, "AN-20170618-02", callsigns=("VIPER 11", "RAPTOR 21")), "en", **STATIONS)
    assert "2. TIME: 181535Z JUN 17 TO UFN\n" in text  # no periods: from now, until further notice
    first, third = _mgrs(35.62, 38.30), _mgrs(36.00, 38.95)
    assert f"3. AREA: POLYGON, CORNERS:\n  1. {first} (35°37'12.0\"N 38°18'00.0\"E)\n" in text
    assert f"  3. {third} (36°00'00.0\"N 38°57'00.0\"E)\n4. ALTITUDE: FL300 TO FL350 MSL\n" in text
    assert "5. CALLSIGNS: VIPER 11, RAPTOR 21\n" in text
    ru = render(draft_from_acm(BOX, T, "AN-20170618-02"), "ru", **STATIONS)
    assert "2. ВРЕМЯ: с 181535Z ИЮН 17 по до особого распоряжения" in ru


def _pair_conflict():
    rows = [dict(id="CAS2", name="Coalition CAS 2", side="US-backed", lon=38.40, lat=35.70, alt_ft=9500,
                 course_deg=90, speed_kt=400),
            dict(id="SU22", name="Syrian Su-22", side="Russian-backed", lon=38.80, lat=35.70, alt_ft=9000,
                 course_deg=270, speed_kt=400)]
    return find_conflicts(state_of(T, rows), Airspace([ROZ]), Projection.analysis_for(39.5, 35.3))


def test_conflict_notification_in_both_languages():
    conflicts = _pair_conflict()
    assert conflicts.kind.tolist() == ["aircraft"]
    draft = draft_from_conflict(conflicts, 0, "AN-20170618-03")
    en = render(draft, "en", **STATIONS)
    ru = render(draft, "ru", **STATIONS)
    t_ref, _ = simulated_cpa((38.40, 35.70, 90, 400), (38.80, 35.70, 270, 400))
    assert abs(conflicts.record(0)["time_to_cpa_s"] - t_ref) <= 5 and 85 < t_ref < 92  # CPA at 15:36:28
    assert ("1. ACTIVITY: PREDICTED CLOSE APPROACH OF Coalition CAS 2 AND Syrian Su-22: 0.0 NM LATERAL, 500 FT "
            "VERTICAL, IN 1 MIN\n2. TIME: 181531Z JUN 17 TO 181541Z JUN 17\n") in en
    assert "4. ALTITUDE: 8,500 FT TO 10,000 FT MSL\n5. CALLSIGNS: Coalition CAS 2, Syrian Su-22\n" in en
    assert ("1. ДЕЯТЕЛЬНОСТЬ: прогнозируемое опасное сближение Coalition CAS 2 и Syrian Su-22: 0,0 NM по горизонтали, "
            "500 фт по вертикали, через 1 мин\n") in ru
    assert "4. ВЫСОТЫ: от 8 500 фт до 10 000 фт над уровнем моря\n" in ru
    assert draft.links == ("CAS2", "SU22") and "RADIUS 5.0 NM" in en


def test_aircraft_set_notification():
    rows = [dict(id="A", name="ISR 1", side="US-backed", lon=39.0, lat=35.9, alt_ft=20000, course_deg=90, speed_kt=300),
            dict(id="B", name="ISR 2", side="US-backed", lon=39.2, lat=35.8, alt_ft=22000, course_deg=0, speed_kt=300)]
    draft = draft_from_aircraft(state_of(T, rows), [0, 1], "AN-20170618-04")
    text = render(draft, "en", **STATIONS)
    assert "1. ACTIVITY: AIRCRAFT OPERATING IN THE AREA\n2. TIME: 181535Z JUN 17 TO 181545Z JUN 17\n" in text
    assert "4. ALTITUDE: FL195 TO FL225 MSL\n5. CALLSIGNS: ISR 1, ISR 2\n" in text
    assert text.count("  4. ") == 1  # four corners


def test_logging_creates_an_undoable_call_in_both_languages():
    doc = demo_document()
    stack = CommandStack(doc)
    ref = next_reference(doc.calls, T)
    assert ref == "AN-20170618-12"  # the demo logged eleven notifications that day
    draft = draft_from_acm(doc.airspace.get("ROZ-DEZ"), T, ref)
    before = len(doc.calls)
    stack.push(log_notification(doc, draft, T, initiator="Coalition", from_station="CAOC Al Udeid",
                                to_station="Hmeimim AOC", operator="Maj. K. Hollis"))
    assert stack.undo_label == f"Log notification {ref}"
    i = doc.calls.linked_to("ROZ-DEZ")[-1]
    rec = doc.calls.record(int(i))
    assert rec["category"] == CATEGORY and rec["start"] == "2017-06-18T15:35:00Z" and rec["units"] == ["ROZ-DEZ"]
    assert f"HOTLINE NOTIFICATION {ref}" in rec["summary"] and f"УВЕДОМЛЕНИЕ ПО ГОРЯЧЕЙ ЛИНИИ {ref}" in rec["summary"]
    assert (rec["lon"], rec["lat"]) == (40.141, 35.336)
    assert next_reference(doc.calls, T) == "AN-20170618-13"
    stack.undo()
    assert len(doc.calls) == before


def test_users_edit_the_templates(tmp_path):
    for lang in ("en", "ru"):
        (tmp_path / f"{lang}.toml").write_text((templates_dir() / f"{lang}.toml").read_text(encoding="utf-8"),
                                               encoding="utf-8")
    en = tmp_path / "en.toml"
    en.write_text(en.read_text().replace("REQUEST ACKNOWLEDGE.", "ACK BY $deadline."))
    draft = draft_from_acm(ROZ, T, "AN-1")
    with pytest.raises(NotificationError, match=r"en.toml: message.text: unknown placeholder \$deadline"):
        render(draft, "en", directory=tmp_path)
    en.write_text(en.read_text().replace("ACK BY $deadline.", "PLEASE ACKNOWLEDGE $reference."))
    assert render(draft, "en", directory=tmp_path).endswith("PLEASE ACKNOWLEDGE AN-1.\n")
    with pytest.raises(NotificationError, match="de.toml: no such template"):
        render(draft, "de", directory=tmp_path)
    en.write_text("months = [")
    with pytest.raises(NotificationError, match="en.toml: not a usable template"):
        render(draft, "en", directory=tmp_path)
