"""Project files: a Deconflict scenario saved as one OGC GeoPackage (see `schema`)."""
from desktop.core.project.lock import ChangedOnDisk, Fingerprint, ProjectBusy, fingerprint, project_lock
from desktop.core.project.reader import ProjectError, is_project, load_project
from desktop.core.project.schema import SCHEMA_VERSION
from desktop.core.project.writer import save_project

__all__ = ["ChangedOnDisk", "Fingerprint", "ProjectBusy", "ProjectError", "SCHEMA_VERSION", "fingerprint",
           "is_project", "load_project", "project_lock", "save_project"]
