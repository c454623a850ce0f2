import os

from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# `make test` (and CI) replays the same generated cases every run, so a landing never turns
# red on a case no one has seen; `make fuzz` draws new ones each time to find them, and many
# more (tests.fuzzing.FUZZ).
settings.register_profile("ci", derandomize=True)
settings.register_profile("fuzz", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
