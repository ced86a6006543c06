"""Write and check each resource's ``bytes`` and sha256 ``hash`` in the descriptor.

These are never edited by hand: ``syria-incidents stamp`` writes them, and a
test fails when they are stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .package import DESCRIPTOR_NAME, resolve_root, resource_file


@dataclass(frozen=True)
class Integrity:
    bytes: int
    hash: str  # "sha256:<hex>", the Data Package form


@dataclass(frozen=True)
class StaleResource:
    resource: str
    path: str
    recorded: Integrity
    actual: Integrity


def file_integrity(path: Path) -> Integrity:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return Integrity(size, "sha256:" + digest.hexdigest())


class MissingFile(FileNotFoundError):
    """A resource's data file is not there, so it cannot be stamped."""


def stale_resources(path: str | Path | None = None) -> list[StaleResource]:
    """Resources whose recorded ``bytes``/``hash`` differ from their file.

    Raises ``MissingFile`` for a resource whose file does not exist, ``UnsafePath`` for
    one whose path leads outside the package."""
    root = resolve_root(path)
    descriptor = json.loads((root / DESCRIPTOR_NAME).read_text(encoding="utf-8"))
    stale = []
    for res in descriptor["resources"]:
        target = resource_file(root, res)
        if not target.is_file():
            raise MissingFile(
                f"{res['path']} does not exist; add the file or remove its resource from {DESCRIPTOR_NAME}"
            )
        actual = file_integrity(target)
        recorded = Integrity(res.get("bytes", -1), res.get("hash", ""))
        if recorded != actual:
            stale.append(StaleResource(res["name"], res["path"], recorded, actual))
    return stale


def stamp(path: str | Path | None = None) -> list[StaleResource]:
    """Rewrite ``bytes``/``hash`` of every resource; returns what changed.

    The descriptor is replaced atomically, so an interrupted stamp leaves the old one.
    Never writes into an installed copy (``InstalledCopy``).
    """
    root = resolve_root(path, for_writing=True)
    descriptor_path = root / DESCRIPTOR_NAME
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    changed = stale_resources(root)
    by_name = {s.resource: s.actual for s in changed}
    for res in descriptor["resources"]:
        if res["name"] in by_name:
            res["bytes"] = by_name[res["name"]].bytes
            res["hash"] = by_name[res["name"]].hash
    if changed:
        write_json_atomic(descriptor_path, descriptor)
    return changed


def write_json_atomic(target: Path, data: dict) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
