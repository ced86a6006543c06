"""The HXL hashtag of every column: the one place the mapping is kept.

HXL (the Humanitarian Exchange Language, hxlstandard.org, version 1.1) adds a row of
hashtags under a CSV's header so that HDX and other humanitarian tools know what each
column holds. Most tags here follow from the descriptor:

* a table's id column is its hashtag with ``+code`` (``incident_id`` → ``#event+code``);
* a foreign key is the referenced table's hashtag with ``+code``, and, when the column
  names a role before the key (``initiator_actor_id``), that role as an attribute
  (``#group+code+initiator``);
* a date is ``#date`` with ``+start``/``+end`` when its name says so, else the word
  before ``_on`` (``reported_on`` → ``#date+reported``).

``FIELD_TAGS`` gives the rest, column by column, with the core hashtags and attributes
of the HXL 1.1 dictionary where one fits (``#geo+lat``, ``#meta+source``, ``#loc+name+ar``)
and attributes of our own where none does (HXL allows any lowercase attribute).
A column with no tag here is an error (``UntaggedField``): a new column needs its tag.
"""

from __future__ import annotations

# What a row of each table is, in HXL: its id column is this hashtag with +code.
TABLE_TAGS = {
    "sources": "#meta+source",  # the document a record cites
    "actors": "#group",  # a group or person related to the crisis (not necessarily humanitarian)
    "places": "#loc",  # any point location
    "incidents": "#event",  # an individual event or incident within a crisis
    "casualties": "#impact",  # one reported impact of an incident on people
    "statements": "#meta+statement",
}

# Dates whose attribute is not the word in their name.
DATE_ATTRIBUTES = {("statements", "made_on"): "occurred"}

# Every other column: (table, field) → tag.
FIELD_TAGS = {
    ("sources", "source_type"): "#meta+source+type",
    ("sources", "publisher"): "#meta+source+name",
    ("sources", "title"): "#meta+source+title",
    ("sources", "url"): "#meta+url",
    ("sources", "language"): "#meta+lang",
    ("sources", "archive_url"): "#meta+url+archive",
    ("sources", "notes"): "#meta+comment",
    ("sources", "copy_type"): "#meta+source+copy_type",
    ("sources", "copy_of_publisher"): "#meta+source+name+original",
    ("sources", "copy_of_url"): "#meta+url+original",
    ("actors", "name"): "#group+name",
    ("actors", "actor_type"): "#group+type",
    ("actors", "description"): "#description",
    ("places", "name"): "#loc+name",
    ("places", "name_ar"): "#loc+name+ar",
    ("places", "place_type"): "#loc+type",
    ("places", "latitude"): "#geo+lat",
    ("places", "longitude"): "#geo+lon",
    ("places", "coordinate_precision"): "#geo+precision",
    ("places", "notes"): "#meta+comment",
    ("incidents", "title"): "#event+name",
    ("incidents", "event_type"): "#event+type",
    ("incidents", "sub_event_type"): "#event+type+sub",
    ("incidents", "date_precision"): "#meta+precision+date",
    ("incidents", "place_precision"): "#loc+precision",
    ("incidents", "description"): "#description",
    ("incidents", "verification"): "#meta+verification",
    ("incidents", "notes"): "#meta+comment",
    ("casualties", "outcome"): "#impact+type",
    ("casualties", "victim_group"): "#group+type+victim",
    ("casualties", "sex"): "#impact+sex",
    ("casualties", "age_group"): "#impact+age_group",
    ("casualties", "manner"): "#cause+type",
    # The number of people, as the source's bounds; the outcome (killed, injured …) is a
    # column of its own, so one column holds every outcome: filter on #impact+type.
    ("casualties", "count_low"): "#affected+low",
    ("casualties", "count_best"): "#affected+best",
    ("casualties", "count_high"): "#affected+high",
    ("casualties", "qualifier"): "#meta+qualifier",
    ("casualties", "source_quote"): "#meta+source+quote",
    ("casualties", "notes"): "#meta+comment",
    ("statements", "speaker_role"): "#group+role+speaker",
    ("statements", "date_precision"): "#meta+precision+date",
    ("statements", "channel"): "#meta+channel",
    ("statements", "statement_type"): "#meta+statement+type",
    ("statements", "quote"): "#description+quote",
    ("statements", "summary"): "#description+summary",
    ("statements", "language"): "#meta+lang",
    ("statements", "notes"): "#meta+comment",
}


class UntaggedField(KeyError):
    """A column has no HXL tag: add one to ``FIELD_TAGS``."""

    def __str__(self) -> str:
        return str(self.args[0])


def _references(res: dict) -> dict[str, tuple[str, str]]:
    """Each single-column foreign key of ``res``: field → (referenced table, referenced field)."""
    found = {}
    for key in res["schema"].get("foreignKeys", []):
        fields, ref = key.get("fields"), key.get("reference", {})
        fields = [fields] if isinstance(fields, str) else fields
        ref_fields = ref.get("fields")
        ref_fields = [ref_fields] if isinstance(ref_fields, str) else ref_fields
        if fields and ref_fields and len(fields) == 1 and len(ref_fields) == 1:
            found[fields[0]] = (ref.get("resource") or res["name"], ref_fields[0])
    return found


def _date_attribute(table: str, name: str) -> str:
    if (table, name) in DATE_ATTRIBUTES:
        return DATE_ATTRIBUTES[(table, name)]
    for word in ("start", "end"):
        if word in name.split("_"):
            return word
    return name.removesuffix("_on").removesuffix("_date")


def field_tag(res: dict, field: dict) -> str:
    """The HXL tag of one column of the table ``res``."""
    table, name = res["name"], field["name"]
    if (table, name) in FIELD_TAGS:
        return FIELD_TAGS[(table, name)]
    primary = res["schema"].get("primaryKey")
    if primary in ([name], name) and table in TABLE_TAGS:
        return f"{TABLE_TAGS[table]}+code"
    reference = _references(res).get(name)
    if reference is not None and reference[0] in TABLE_TAGS:
        target, key = reference
        role = name.removesuffix(key).rstrip("_")
        return f"{TABLE_TAGS[target]}+code" + (f"+{role}" if role else "")
    if field.get("type") == "date":
        return f"#date+{_date_attribute(table, name)}"
    raise UntaggedField(
        f"{table}.{name} has no HXL tag; add it to FIELD_TAGS in syria_incidents/exports/hxl_tags.py"
    )


def table_tags(res: dict) -> list[str]:
    """The tag row of a table: one tag per field, in the descriptor's order."""
    return [field_tag(res, f) for f in res["schema"]["fields"]]
