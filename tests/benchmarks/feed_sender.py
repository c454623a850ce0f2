"""A TAK client flooding a feed, for the feed benchmark: run as

    python -m tests.benchmarks.feed_sender PORT RATE SECONDS [UNITS]

It sends RATE CoT position reports a second over UDP to 127.0.0.1:PORT with pytak, for
SECONDS, from UNITS units that each swing north and south across the demo line (lon
38.60-39.30, a 120 s period), and prints how many it sent. Each report's `time` is the
moment it is sent (ms), so the receiver can measure packet-to-alert latency.
"""
from __future__ import annotations

import asyncio
import configparser
import math
import sys
import time

from desktop.transport._pytak import open_stream

PERIOD_S = 120.0
TICK_S = 0.01


def report(uid: str, lat: float, lon: float, t: float) -> bytes:
    ms = int(t * 1000) % 1000
    now = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{ms:03d}Z"
    stale = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t + 120)) + f".{ms:03d}Z"
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><event version="2.0" uid="{uid}" '
            f'type="a-f-G-U-C-I" how="m-g" time="{now}" start="{now}" stale="{stale}"><point lat="{lat:.7f}" '
            f'lon="{lon:.7f}" hae="250.0" ce="8.0" le="9999999.0"/><detail><contact callsign="{uid}"/>'
            f'<__group name="Cyan" role="Team Member"/><track course="180.0" speed="4.0"/></detail></event>').encode()


async def send(port: int, rate: float, seconds: float, units: int) -> int:
    parser = configparser.ConfigParser()
    parser["sender"] = {"COT_URL": f"udp+wo://127.0.0.1:{port}"}
    _, writer = await open_stream(parser["sender"])
    lons = [38.60 + 0.70 * k / max(units - 1, 1) for k in range(units)]
    sent, start = 0, time.monotonic()
    while (elapsed := time.monotonic() - start) < seconds:
        for _ in range(int(elapsed * rate) - sent):     # what the rate owes by now
            k = sent % units
            t = time.time()
            lat = 35.84 + 0.14 * math.sin(2 * math.pi * (t / PERIOD_S + k / units))
            await writer.send(report(f"BENCH-{k:04d}", lat, lons[k], t))
            sent += 1
        await asyncio.sleep(TICK_S)
    writer.close()
    return sent


if __name__ == "__main__":
    port, rate, seconds = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    units = int(sys.argv[4]) if len(sys.argv) > 4 else 500
    print(asyncio.run(send(port, rate, seconds, units)), flush=True)
