"""The benchmark README's table is written from one run's JSON (tests/benchmarks/report.py)."""
import json

import pytest

from tests.benchmarks import report


def run(tmp_path):
    data = {
        "datetime": "2026-12-07T07:10:00.123456", "commit_info": {"id": "2c9d685abcdef"},
        "machine_info": {"python_version": "3.11.2", "cpu": {"count": 2}, "load_average": "1.00 0.50 0.25"},
        "benchmarks": [
            {"fullname": "tests/benchmarks/test_bench_grid.py::test_grid_frame[50000-39.0]",
             "stats": {"median": 0.00184, "min": 0.0015, "rounds": 120}, "extra_info": {}},
            {"fullname": "tests/benchmarks/test_bench_startup.py::test_startup",
             "stats": {"median": 0.512, "min": 0.49, "rounds": 5},
             "extra_info": {"bare_median_s": 0.1345, "ratio_to_bare": 3.8066, "detail": {"x": 1}}},
        ],
    }
    path = tmp_path / "run.json"
    path.write_text(json.dumps(data))
    return path


def test_the_table_goes_between_the_markers_and_nothing_else_changes(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Benchmarks\n\nintro\n\n<!-- results -->\nold table\n<!-- /results -->\n\nafter\n")
    report.write(run(tmp_path), readme)
    text = readme.read_text()
    assert text.startswith("# Benchmarks\n\nintro\n\n<!-- results -->\nRun of 2026-12-07 07:10 UTC at commit 2c9d685, Python 3.11.2, 2 cores, load average 1.00 0.50 0.25.")
    assert text.endswith("<!-- /results -->\n\nafter\n") and "old table" not in text
    assert "| test_bench_grid · test_grid_frame[50000-39.0] | 1.84 ms | 1.5 ms | 120 |  |" in text
    assert "| test_bench_startup · test_startup | 512 ms | 490 ms | 5 | bare_median_s 0.135, ratio_to_bare 3.81 |" in text


def test_a_readme_without_markers_is_refused(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("no markers\n")
    with pytest.raises(SystemExit, match="markers"):
        report.write(run(tmp_path), readme)
    assert readme.read_text() == "no markers\n"


@pytest.mark.parametrize("seconds,text", [(2.345, "2.35 s"), (0.0123, "12.3 ms"), (4.2e-5, "42 µs")])
def test_durations_read_in_their_unit(seconds, text):
    assert report.duration(seconds) == text
