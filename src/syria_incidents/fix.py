"""``fix``: put a contribution into shape mechanically, and say what changed, file by file.

It runs, in order: the mechanical repairs of the tables (``normalise``), the bytes and
hashes in datapackage.json (``stamp``), and every derived file that a test compares
with the data, the descriptor or the rule catalogue: metadata.yaml, docs/rules.md,
docs/data-dictionary.md, CITATION.cff, .zenodo.json, the README's coverage section and
CONTRIBUTING's table of rules. Each step writes only when its output differs, so ``fix``
is idempotent: a second run changes nothing. What needs a person (a number over its total,
an unknown id, a date in the wrong form) is left for ``validate`` to report.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import coverage
from .normalise import Repair, repair_table, write_bytes_atomic
from .package import DESCRIPTOR_NAME, resolve_root
from .stamp import stamp

RULES_DOC = Path("docs") / "rules.md"
README = "README.md"
CONTRIBUTING = "CONTRIBUTING.md"


def fix(path: str | Path | None = None) -> list[Repair]:
    """Repair the package at ``path`` (never an installed copy); returns every change made."""
    root = resolve_root(path, for_writing=True)
    descriptor = json.loads((root / DESCRIPTOR_NAME).read_text(encoding="utf-8"))
    repairs: list[Repair] = []
    for res in descriptor.get("resources", []):
        repairs += repair_table(root, res)
    repairs += [
        Repair(DESCRIPTOR_NAME, f"{s.path}: bytes {s.recorded.bytes} → {s.actual.bytes}, hash re-stamped")
        for s in stamp(root)
    ]
    repairs += _derived_files(root)
    return repairs


def _derived_files(root: Path) -> list[Repair]:
    """Regenerate each derived file the package has (a bare package directory has none)."""
    from .citation import CFF_NAME, ZENODO_NAME, cff_text, zenodo_json
    from .dictionary import DICTIONARY_DOC, dictionary_markdown
    from .site.metadata import METADATA_NAME, metadata_yaml
    from .validators.catalogue import (
        CONTRIBUTING_END,
        CONTRIBUTING_START,
        catalogue_markdown,
        remedies_markdown,
    )

    descriptor = json.loads((root / DESCRIPTOR_NAME).read_text(encoding="utf-8"))
    outputs = {
        METADATA_NAME: lambda _old: metadata_yaml(descriptor),
        str(RULES_DOC): lambda _old: catalogue_markdown(),
        DICTIONARY_DOC: lambda _old: dictionary_markdown(descriptor),
        CFF_NAME: lambda _old: cff_text(descriptor),
        ZENODO_NAME: lambda _old: zenodo_json(descriptor),
        README: lambda old: between_markers(
            old, coverage.START, coverage.END, coverage.coverage_markdown(root)
        ),
        CONTRIBUTING: lambda old: between_markers(
            old, CONTRIBUTING_START, CONTRIBUTING_END, remedies_markdown()
        ),
    }
    repairs = []
    for name, generate in outputs.items():
        target = root / name
        if not target.is_file():
            continue
        old = target.read_text(encoding="utf-8")
        new = generate(old)
        if new is not None and new != old:
            write_bytes_atomic(target, new.encode("utf-8"))
            repairs.append(Repair(name, "regenerated"))
    return repairs


def between_markers(text: str, start: str, end: str, body: str) -> str | None:
    """``text`` with what stands between the ``start`` and ``end`` markers replaced by ``body``.

    None when a marker is missing: a file without the section is left as it is.
    """
    if start not in text or end not in text:
        return None
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"
