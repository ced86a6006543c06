"""Findings and the report: errors are values, with their position as fields."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .registry import get

FIELDS = ("resource", "path", "row", "field", "rule", "severity", "message")
_VISIBLE_CONTROLS = {code: f"\\x{code:02x}" for code in [*range(32), 127]} | {10: "\\n", 13: "\\r", 9: "\\t"}


@dataclass(frozen=True)
class Finding:
    """One problem: where it is (path, CSV line, column), which rule, and what to do."""

    resource: str | None
    path: str | None
    row: int | None  # CSV line number, header = 1; None for a file-level problem
    field: str | None
    rule: str
    severity: str  # "error" | "warning"
    message: str
    # The id of the record the finding is about, for the allowlist; not reported.
    record_id: str | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("record_id")
        return data

    def location(self) -> str:
        parts = [self.path or "datapackage.json"]
        if self.row is not None:
            parts.append(str(self.row))
        if self.field:
            parts.append(self.field)
        return ":".join(parts)

    def __str__(self) -> str:
        # One finding, one line: a line break inside a quoted value is shown, not printed.
        return f"{self.location()}: {self.rule}: {self.message.translate(_VISIBLE_CONTROLS)}"


def sort_key(f: Finding):
    # Problems with a whole file (it is missing, unreadable, its header or hash is wrong;
    # rules declared ``file_level``) often cause others further down: they come first.
    declared = get(f.rule)
    file_level = f.row is None or (declared is not None and declared.file_level)
    return (
        not file_level,
        f.path or "",
        f.row if f.row is not None else -1,
        f.field or "",
        f.rule,
        f.message,
    )


@dataclass
class Report:
    """The outcome of ``validate``: every finding, and run statistics."""

    errors: list[Finding]
    stats: dict

    @property
    def valid(self) -> bool:
        """True when no finding has severity "error" (warnings alone are valid)."""
        return not any(f.severity == "error" for f in self.errors)

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.errors if f.severity == "warning"]

    def flatten(self, keys=("path", "row", "field", "rule")) -> list[list]:
        """One list per finding with the given attributes: for one-line assertions."""
        return [[getattr(f, k) for k in keys] for f in self.errors]

    def as_dict(self) -> dict:
        return {"valid": self.valid, "errors": [f.as_dict() for f in self.errors], "stats": self.stats}
