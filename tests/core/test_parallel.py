"""Work split over the cores: the same answers as one thread, in order, errors raised."""
import threading

import numpy as np
import pytest
from pyproj import Transformer

from desktop.core import parallel
from desktop.core.geodesy import Projection


def test_over_rows_covers_every_row_once_on_several_threads():
    n = parallel.MIN_ROWS * 3 + 7
    hits = np.zeros(n, dtype=np.int64)
    threads = set()

    def work(rows: slice) -> None:
        threads.add(threading.get_ident())
        hits[rows] += 1

    parallel.over_rows(n, work)
    assert (hits == 1).all()
    assert threading.get_ident() not in threads or parallel.workers() == 1  # (on the pool's threads)
    with pytest.raises(ZeroDivisionError):
        parallel.over_rows(n, lambda rows: 1 / 0)


def test_in_order_keeps_the_order_and_stays_a_few_items_ahead():
    started = []

    def work(k: int) -> int:
        started.append(k)
        return k * k

    taken = []
    for k, value in enumerate(parallel.in_order(work, range(50))):
        assert value == k * k
        assert max(started) <= k + parallel.workers() + 1  # (bounded: not all submitted at once)
        taken.append(value)
    assert taken == [k * k for k in range(50)]
    assert list(parallel.in_order(work, range(5), parallel=False)) == [0, 1, 4, 9, 16]


def test_a_million_points_projected_on_several_threads_are_those_of_one():
    proj = Projection.analysis_for(39.0, 35.4)
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(36, 42, 1_000_000), rng.uniform(33, 38, 1_000_000)
    x, y = proj.forward(lon, lat)
    one = Transformer.from_crs("EPSG:4326", proj.crs, always_xy=True)  # (pyproj's own, in this thread)
    fx, fy = one.transform(lon, lat)
    ox, oy = one.transform(*proj.origin)
    assert np.array_equal(x, fx - ox) and np.array_equal(y, fy - oy)
    back_lon, back_lat = proj.inverse(x, y)
    assert np.abs(back_lon - lon).max() < 1e-9 and np.abs(back_lat - lat).max() < 1e-9
    assert proj.forward(39.0, 35.4) == pytest.approx((0.0, 0.0), abs=1e-6)
