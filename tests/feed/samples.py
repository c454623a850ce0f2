"""CoT events as an ATAK device writes them, and scripted movements across the demo line.

The walks are computed with pyproj's Geod, independently of the code under test; the
demo's August line runs west to east south of Raqqa, US-backed (friend) north of it."""
from __future__ import annotations

import time

import numpy as np
from pyproj import Geod

GEOD = Geod(ellps="WGS84")
BUFFER_KM = 5.0


def iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z"


def event(uid: str, lat: float, lon: float, t: float, *, cot_type: str = "a-f-G-U-C-I", ce: float = 10.0,
          callsign: str = "", course: float | None = None, speed: float | None = None, stale_s: float = 120.0,
          group: str = "Cyan") -> bytes:
    track = f'<track course="{course}" speed="{speed}"/>' if course is not None else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><event version="2.0" uid="{uid}" '
            f'type="{cot_type}" how="m-g" time="{iso(t)}" start="{iso(t)}" stale="{iso(t + stale_s)}">'
            f'<point lat="{float(lat)!r}" lon="{float(lon)!r}" hae="250.0" ce="{ce}" le="9999999.0"/>'
            f'<detail><contact callsign="{callsign or uid}" endpoint="*:-1:stcp"/>'
            f'<__group name="{group}" role="Team Member"/>{track}'
            '<takv device="test" platform="ATAK-CIV" os="34" version="4.6.0"/></detail></event>').encode()


def walk_south(lon: float = 38.9, lat: float = 36.0, km: float = 30.0, step_m: float = 250.0):
    """Points due south from (lon, lat): across the August line near lon 38.9 (where it
    runs at about 35.84 N), from well north of the buffer to well south of it."""
    d = np.arange(0.0, km * 1000.0 + step_m, step_m)
    lons, lats, _ = GEOD.fwd(np.full(len(d), lon), np.full(len(d), lat), np.full(len(d), 180.0), d)
    return lons, lats


def junk_packets() -> list[bytes]:
    """What a noisy network also carries: broken XML, a DTD bomb, binary, a stale replay,
    an impossible position, another protocol version."""
    now = time.time()
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            b'<event uid="bomb" type="a-f-G">&lol2;</event>')
    return [b"<event uid='x' type='a-f-G'><point lat=", bomb, bytes(range(256)), b"\xbf\x07\xbf\x01\x02",
            event("REPLAY", 35.9, 38.9, now - 3600, stale_s=60), event("BAD", 123.0, 38.9, now),
            event("NAN", float("nan"), 38.9, now)]
