"""The data dictionary (docs/data-dictionary.md), generated from the descriptor.

Tables, their keys, and each field's type, whether it is required, its constraints,
its HXL tag (as in the HXL export), its description and, for a vocabulary, every value
with its meaning (``x-vocabulary``).
``syria-incidents fix`` rewrites the file; a test fails when it is stale. It holds no
version and no row count, so a version bump or a new record leaves it current.
"""

from __future__ import annotations

from .exports.hxl_tags import UntaggedField, field_tag

DICTIONARY_DOC = "docs/data-dictionary.md"
VOCABULARY_MARK = " One of: "  # where a field's description starts listing its values


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _keys(fields) -> str:
    fields = [fields] if isinstance(fields, str) else fields
    return ", ".join(f"`{f}`" for f in fields)


def _constraints(field: dict) -> str:
    c = field.get("constraints", {})
    parts = []
    if c.get("unique"):
        parts.append("unique")
    if "pattern" in c:
        parts.append(f"pattern `{c['pattern']}`")
    if "minimum" in c:
        parts.append(f"≥ {c['minimum']}")
    if "maximum" in c:
        parts.append(f"≤ {c['maximum']}")
    if "enum" in c:
        parts.append("one of the values below")
    if field.get("format") not in (None, "default"):
        parts.append(f"format {field['format']}")
    return "; ".join(parts)


def _hxl(res: dict, field: dict) -> str:
    try:
        return f"`{field_tag(res, field)}`"
    except UntaggedField:
        return ""


def _foreign_key(key: dict, table: str) -> str:
    ref = key.get("reference", {})
    target = ref.get("resource") or table
    return f"{_keys(key.get('fields', []))} → `{target}`.{_keys(ref.get('fields', []))}"


def _table(res: dict) -> list[str]:
    schema = res["schema"]
    lines = [f"## `{res['name']}` — {res.get('title', res['name'])}", ""]
    if res.get("description"):
        lines += [res["description"], ""]
    lines.append(f"File: `{res['path']}`. Primary key: {_keys(schema.get('primaryKey', [])) or 'none'}.")
    foreign = schema.get("foreignKeys", [])
    if foreign:
        lines += ["", "Foreign keys:", ""] + [f"- {_foreign_key(k, res['name'])}" for k in foreign]
    lines += [
        "",
        "| field | type | required | constraints | HXL | description |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for field in schema["fields"]:
        required = "yes" if field.get("constraints", {}).get("required") else ""
        description = field.get("description", "")
        if field.get("x-vocabulary"):
            description = description.split(VOCABULARY_MARK, 1)[0]
        lines.append(
            f"| `{field['name']}` | {field.get('type', 'string')} | {required} | "
            f"{_cell(_constraints(field))} | {_hxl(res, field)} | {_cell(description)} |"
        )
    for field in schema["fields"]:
        enum = field.get("constraints", {}).get("enum")
        if enum is None:
            continue
        meanings = field.get("x-vocabulary", {})
        lines += ["", f"Values of `{field['name']}`:", "", "| value | meaning |", "| --- | --- |"]
        lines += [f"| `{value}` | {_cell(meanings.get(value, ''))} |" for value in enum]
    return lines + [""]


def dictionary_markdown(descriptor: dict) -> str:
    """The data dictionary of the package ``descriptor`` describes, as Markdown."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from `datapackage.json` by `syria-incidents fix`; do not edit by hand.",
        "",
        f"{descriptor.get('title', descriptor.get('name', ''))}.",
        "",
        "Every table is a UTF-8 CSV file with a header row; an empty cell is a missing value",
        "(never 0 for an unknown count). Types are",
        "[Table Schema](https://datapackage.org/standard/table-schema/) types: `date` is",
        "ISO 8601 (YYYY-MM-DD), `integer` a whole number, `number` a decimal.",
        "Required fields are never empty. Ids are never reused. The HXL column is the field's",
        "hashtag in the HXL export (`syria-incidents export --format hxl`).",
        "",
        "Tables: "
        + ", ".join(
            f"[`{r['name']}`](#{r['name']}--{_anchor(r.get('title', r['name']))})"
            for r in descriptor["resources"]
        )
        + ".",
        "",
    ]
    for res in descriptor["resources"]:
        lines += _table(res)
    return "\n".join(lines).rstrip("\n") + "\n"


def _anchor(title: str) -> str:
    # GitHub's heading anchors: lower case, spaces to hyphens, punctuation dropped.
    return "".join(c for c in title.lower().replace(" ", "-") if c.isalnum() or c in "-_")
