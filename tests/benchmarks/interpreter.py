"""The environment of a benchmark's fresh interpreter: modules loaded compiled, as an
installed app or the executable loads them."""
from __future__ import annotations

import os
from pathlib import Path


def compiled_env(cache: Path, **extra: str) -> dict[str, str]:
    """os.environ for a child Python whose compiled modules go to `cache` (not the source
    tree), even where the environment says not to write them (PYTHONDONTWRITEBYTECODE:
    then every start compiled every module again, 0.09 s of each `deconflict sectors`).
    The first start writes them: run it untimed."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": str(cache), **extra}
