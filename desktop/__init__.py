"""Deconflict: plan and police a deconfliction line between two forces."""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("deconflict")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+src"
