"""SQL views that serve readers: claims side by side, the map, subtotals, revisions.

Each view is a name, a one-line description (shown in Datasette), and its SQL.
Views join labels in (who reports, who is said to have done it, which source) so
a reader sees names, not ids, and can still follow the ids.
"""

from __future__ import annotations

from typing import NamedTuple


class View(NamedTuple):
    name: str
    description: str
    sql: str
    # The table most columns come from: their descriptions are taken from it.
    main_table: str
    # Descriptions of the columns the view derives or renames.
    derived: dict[str, str]


# Every casualty figure with the incident, the wording, the reporter and the source.
CLAIMS_SIDE_BY_SIDE = View(
    "claims_side_by_side",
    "Every casualty figure beside the others about the same incident: the number, how the "
    "source phrased it, who claims it, about whom, and from which document. Filter by "
    "incident_id to compare competing claims.",
    """
SELECT
  c.figure_id, c.source_quote AS wording, c.count_low, c.count_best, c.count_high, c.qualifier,
  c.outcome, c.victim_group, reporter.name AS reported_by, c.reported_by_actor_id, c.reported_on,
  s.publisher AS source_publisher, c.source_id, c.incident_id, i.title AS incident_title,
  c.sex, c.age_group, c.manner, perpetrator.name AS perpetrator, c.perpetrator_actor_id,
  c.parent_figure_id, c.supersedes_figure_id, s.title AS source_title, s.url AS source_url
FROM casualties AS c
JOIN incidents AS i ON i.incident_id = c.incident_id
LEFT JOIN actors AS reporter ON reporter.actor_id = c.reported_by_actor_id
LEFT JOIN actors AS perpetrator ON perpetrator.actor_id = c.perpetrator_actor_id
LEFT JOIN sources AS s ON s.source_id = c.source_id
""",
    "casualties",
    {
        "incident_title": "Title of the incident the figure is about (incidents.title).",
        "wording": "The verbatim phrase of the source the number comes from (casualties.source_quote).",
        "reported_by": "Name of the actor who makes the claim (actors.name).",
        "perpetrator": "Name of the actor the source says did it; empty when not attributed.",
        "source_publisher": "Publisher of the source document (sources.publisher).",
        "source_title": "Title of the source document (sources.title).",
        "source_url": "Web address of the source document (sources.url).",
    },
)

# Incidents whose place has coordinates: what datasette-cluster-map draws.
INCIDENTS_MAP = View(
    "incidents_map",
    "Incidents whose place has recorded coordinates, for the map. Coordinates are those of "
    "the place (see coordinate_precision and place_precision), never of the exact spot.",
    """
SELECT
  i.incident_id, i.title, i.event_type, i.sub_event_type, i.start_date, i.end_date,
  i.verification, p.name AS place, i.place_id, i.place_precision,
  p.latitude, p.longitude, p.coordinate_precision
FROM incidents AS i
JOIN places AS p ON p.place_id = i.place_id
WHERE p.latitude IS NOT NULL AND p.longitude IS NOT NULL
""",
    "incidents",
    {"place": "Name of the place the incident is recorded at (places.name)."},
)

# A total beside the sum of the parts the source broke it into.
FIGURE_PARTS = View(
    "figure_parts",
    'Each figure that a source breaks into parts ("including …"), with the number of '
    "parts, the sum of their count_best, and what the parts leave unexplained.",
    """
SELECT
  total.figure_id, total.incident_id, total.outcome, total.victim_group,
  total.count_best, total.qualifier, total.source_quote AS wording,
  count(part.figure_id) AS parts, sum(part.count_best) AS parts_count_best,
  total.count_best - sum(part.count_best) AS not_in_parts
FROM casualties AS total
JOIN casualties AS part ON part.parent_figure_id = total.figure_id
GROUP BY total.figure_id
""",
    "casualties",
    {
        "wording": "The verbatim phrase of the source the total comes from.",
        "parts": "How many figures the source gives as parts of this total.",
        "parts_count_best": "Sum of the parts' count_best.",
        "not_in_parts": "The total's count_best minus the sum of its parts: people the "
        "source counts in the total but not in any part it names.",
    },
)

# One step of a revision chain: a figure beside the earlier figure it revises.
FIGURE_REVISIONS = View(
    "figure_revisions",
    "Each figure that revises an earlier one from the same reporter, beside the figure it "
    "replaces (the earlier row stays in casualties).",
    """
SELECT
  new.figure_id, new.supersedes_figure_id, new.incident_id, new.reported_by_actor_id,
  old.reported_on AS previous_reported_on, old.count_best AS previous_count_best,
  old.source_quote AS previous_wording, new.reported_on, new.count_best,
  new.source_quote AS wording
FROM casualties AS new
JOIN casualties AS old ON old.figure_id = new.supersedes_figure_id
""",
    "casualties",
    {
        "previous_reported_on": "Date of the earlier claim this figure revises.",
        "previous_count_best": "count_best of the earlier figure.",
        "previous_wording": "The verbatim phrase of the earlier figure.",
        "wording": "The verbatim phrase of this figure.",
    },
)

# Statements with the speaker's name and what they are about.
STATEMENTS_WITH_SPEAKERS = View(
    "statements_with_speakers",
    "Every statement with its speaker's name, role, the incident it is about and the source.",
    """
SELECT
  st.statement_id, speaker.name AS speaker, st.speaker_actor_id, st.speaker_role,
  st.made_on, st.statement_type, st.channel, st.quote, st.summary, st.language,
  i.title AS incident_title, st.incident_id, s.title AS source_title, st.source_id
FROM statements AS st
LEFT JOIN actors AS speaker ON speaker.actor_id = st.speaker_actor_id
LEFT JOIN incidents AS i ON i.incident_id = st.incident_id
LEFT JOIN sources AS s ON s.source_id = st.source_id
""",
    "statements",
    {
        "speaker": "Name of the actor who made the statement (actors.name).",
        "incident_title": "Title of the incident the statement is about (incidents.title).",
        "source_title": "Title of the source document (sources.title).",
    },
)

VIEWS: tuple[View, ...] = (
    CLAIMS_SIDE_BY_SIDE,
    INCIDENTS_MAP,
    FIGURE_PARTS,
    FIGURE_REVISIONS,
    STATEMENTS_WITH_SPEAKERS,
)


def create_view_sql(view: View) -> str:
    return f'CREATE VIEW "{view.name}" AS {view.sql.strip()}'
