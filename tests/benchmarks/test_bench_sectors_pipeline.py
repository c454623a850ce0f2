"""The 1M-unit `deconflict sectors` pipeline (CSV in, classification, CSV report out) beside
a reference in the same run: pyarrow's CSV reader, shapely's contains_xy for the sectors
and pyarrow's CSV writer (issue 10.13: within 1.5x of it in time and in peak memory). Each
side runs in its own process, which reports its wall time and peak RSS. (The application
reads CSV with pyarrow too since issue 10.13; the reference is the bare pipeline around it.)
Both load their modules compiled, as installed (tests.benchmarks.interpreter): one untimed
run of each writes them and warms the file cache. Five rounds each, interleaved: on this
shared machine a single run of either is sometimes 0.3 s slower than the others.

Run: .venv/bin/python -m pytest tests/benchmarks/test_bench_sectors_pipeline.py --benchmark-enable --benchmark-only
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.benchmarks.interpreter import compiled_env

N = 1_000_000
ROOT = Path(__file__).resolve().parents[2]

OURS = """
import json, sys, time

def peak_mb():
    # VmHWM: the peak of this program's own memory. ru_maxrss keeps the parent's peak across
    # fork and exec, so a big test run's pytest (1.2 GB) showed as this program's peak.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
t = time.perf_counter()
from desktop.cli import main
code = main(["sectors", "--ao", sys.argv[1], "--line", sys.argv[2], "--units", sys.argv[3], "-o", sys.argv[4]])
print(json.dumps({"code": code, "s": time.perf_counter() - t,
                  "mb": peak_mb()}))
"""
REFERENCE = """
import json, sys, time

def peak_mb():
    # VmHWM: the peak of this program's own memory. ru_maxrss keeps the parent's peak across
    # fork and exec, so a big test run's pytest (1.2 GB) showed as this program's peak.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
t = time.perf_counter()
import numpy as np, pyarrow as pa, pyarrow.csv as pc, shapely
from desktop.core.demo import demo_document
doc = demo_document()
proj = doc.analysis_projection
polygons = [s.polygon for s in doc.analysis.sectors.sectors]
table = pc.read_csv(sys.argv[3])
lon, lat = table["lon"].to_numpy(), table["lat"].to_numpy()
x, y = proj.forward(lon, lat)
sector = np.full(len(x), -1, dtype=np.int16)
for k, poly in enumerate(polygons):
    sector[shapely.contains_xy(poly, x, y)] = k
pc.write_csv(table.append_column("sector", pa.array(sector)), sys.argv[4])
print(json.dumps({"code": 0, "s": time.perf_counter() - t,
                  "mb": peak_mb()}))
"""


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    from desktop.core.demo import demo_document
    from desktop.core.exporters import export_layer_text
    folder = tmp_path_factory.mktemp("pipeline")
    demo = demo_document()
    ring = demo.ao.ring.tolist()
    (folder / "ao.geojson").write_text(json.dumps({"type": "Polygon", "coordinates": [ring + ring[:1]]}))
    (folder / "line.geojson").write_text(export_layer_text(demo, "line", "geojson"))
    rng = np.random.default_rng(0)
    side = np.array(demo.sides)[rng.integers(0, 2, N)]
    aff = np.array(["friend", "hostile"])[rng.integers(0, 2, N)]
    lat, lon = rng.uniform(34.5, 36.4, N), rng.uniform(38.0, 40.9, N)
    with open(folder / "units.csv", "w") as f:
        f.write("id,name,side,affiliation,lat,lon\n")
        f.writelines(f"U{i},Unit {i},{s},{a},{la:.6f},{lo:.6f}\n"
                     for i, (s, a, la, lo) in enumerate(zip(side, aff, lat, lon)))
    return folder


def _run(code: str, folder: Path, out: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code, str(folder / "ao.geojson"), str(folder / "line.geojson"),
                           str(folder / "units.csv"), str(folder / out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env=compiled_env(folder / "pycache"))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_sectors_pipeline_1m_beside_pyarrow(benchmark, scenario):
    """Ours timed by the benchmark (the whole process), the reference run before each of our
    rounds (the same load for both); in-process times, peak memory and the ratios are
    recorded beside the figures."""
    for code, out in ((REFERENCE, "reference.csv"), (OURS, "deconflict.csv")):
        _run(code, scenario, out)  # (untimed: compiles the modules, warms the file cache)
    ours, reference = [], []

    benchmark.pedantic(lambda: ours.append(_run(OURS, scenario, "deconflict.csv")), rounds=5, iterations=1,
                       setup=lambda: reference.append(_run(REFERENCE, scenario, "reference.csv")))  # (not timed)
    assert all(r["code"] == 0 for r in ours + reference), (ours, reference)
    for side in ("deconflict", "reference"):
        assert sum(1 for _ in open(scenario / f"{side}.csv")) == N + 1
    s, ref_s = float(np.median([r["s"] for r in ours])), float(np.median([r["s"] for r in reference]))
    mb, ref_mb = max(r["mb"] for r in ours), max(r["mb"] for r in reference)
    benchmark.extra_info.update(ours_s=round(s, 2), reference_s=round(ref_s, 2), time_ratio=round(s / ref_s, 2),
                                peak_rss_mb=round(mb), reference_mb=round(ref_mb), memory_ratio=round(mb / ref_mb, 2),
                                target_ratio=1.5)
