"""Memory a CSV import frees goes back to the system (desktop.core.freed_memory): with every
thread on one heap, what Arrow's reader threads allocated and freed is returned by
malloc_trim; on heaps of their own they kept 8-15 MB of this test's reads, a different
amount each run."""
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.core.freed_memory import one_heap
from tests.benchmarks.units_csv import write_units_csv

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import gc, sys
from desktop.core.freed_memory import give_back_freed, one_heap
assert one_heap()  # (as `deconflict` starts)
from desktop.core.importers.csv_table import read_csv

def anon_mb():
    gc.collect()
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024

read_csv(sys.argv[2])  # (the reader's code and threads: not what is measured)
give_back_freed()
before = anon_mb()
for _ in range(2):
    data = read_csv(sys.argv[1])
    del data
give_back_freed()
print(anon_mb() - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or not one_heap(), reason="glibc's malloc on Linux")
def test_what_a_csv_import_frees_goes_back_to_the_system(tmp_path):
    big, small = write_units_csv(tmp_path / "units.csv", 300_000), write_units_csv(tmp_path / "two.csv", 2)
    done = subprocess.run([sys.executable, "-c", PROBE, str(big), str(small)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    kept_mb = float(done.stdout.strip().splitlines()[-1])
    assert kept_mb < 2, f"{kept_mb:.1f} MB kept after two reads of a 300,000-row file"
