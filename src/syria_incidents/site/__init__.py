"""The Datasette instance: build the SQLite database, generate its metadata, serve it.

from syria_incidents.site import build_database
build_database()   # -> dist/syria_incidents.db in a checkout
"""

from .build import (
    BuildResult,
    ValidationFailed,
    build_database,
    build_release_database,
    default_database_path,
)
from .metadata import build_metadata, metadata_is_current, write_metadata
from .serve import SETTINGS, datasette_command, prepare

__all__ = [
    "SETTINGS",
    "BuildResult",
    "ValidationFailed",
    "build_database",
    "build_release_database",
    "build_metadata",
    "datasette_command",
    "default_database_path",
    "metadata_is_current",
    "prepare",
    "write_metadata",
]
