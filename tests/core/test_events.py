"""Signals and the connections an owner makes: one call undoes all of them."""
from desktop.core.events import Connections, Signal


def test_disconnect_all_removes_every_link_and_only_those():
    a, b = Signal(), Signal()
    seen = []
    other = seen.append
    a.connect(other)  # someone else's: must survive
    links = Connections()
    links.connect(a, lambda *args: seen.append(("a", args)))
    links.connect(b, lambda *args: seen.append(("b", args)))
    a.emit(1)
    b.emit(2)
    assert seen == [1, ("a", (1,)), ("b", (2,))]
    assert (len(a), len(b), len(links)) == (2, 1, 2)
    links.disconnect_all()
    assert (len(a), len(b), len(links)) == (1, 0, 0)
    seen.clear()
    a.emit(3)
    b.emit(4)
    assert seen == [3]
    links.disconnect_all()  # twice is harmless
