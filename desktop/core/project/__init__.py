"""Project files: a Deconflict scenario saved as one OGC GeoPackage (see `schema`)."""
from desktop.core.project.reader import ProjectError, is_project, load_project
from desktop.core.project.schema import SCHEMA_VERSION
from desktop.core.project.writer import save_project

__all__ = ["ProjectError", "SCHEMA_VERSION", "is_project", "load_project", "save_project"]
