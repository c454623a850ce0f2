"""What the property-based fuzzers share: how many cases to run, and byte mutations."""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZING = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10000"))  # per reader, in `make fuzz`


def fuzz(in_ci: int) -> settings:
    """Settings of a fuzzer: `in_ci` cases in `make test`, FUZZ_EXAMPLES in `make fuzz`."""
    return settings(max_examples=FUZZ_EXAMPLES if FUZZING else in_ci, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Apply (position, delete count, insert) edits: truncations, flips, junk."""
    out = bytearray(data)
    for pos, delete, insert in edits:
        pos %= len(out) + 1
        out[pos:pos + delete] = insert
    return bytes(out)


def byte_edits(reach: int, at_most: int = 6):
    """Up to `at_most` (position, delete count, insert) edits anywhere within `reach` bytes."""
    return st.lists(st.tuples(st.integers(0, reach), st.integers(0, 64), st.binary(max_size=16)), min_size=1,
                    max_size=at_most)
