"""Canned queries: the questions readers ask most, as named, parameterised SQL.

Each query is read-only SQL with ``:named`` parameters; Datasette shows a form for
them. A query opens with an answer: an empty parameter means "any", or a worked
example taken from the data (the incident with the most figures, the figure with the
most parts, the longest revision chain), and the form offers values to pick from.
Recursive queries carry a depth limit, so even a cycle that slipped past validation
cannot run away.
"""

from __future__ import annotations

from typing import NamedTuple

from .examples import Example, choices_sql, value_sql
from .pages import MAIN_INCIDENT


class Parameter(NamedTuple):
    name: str
    # What to type, shown beside the box.
    hint: str
    # The values to pick from, ranked at build time (examples.py), best first.
    example: Example
    # True: an empty box runs the first value (the worked example); False: it means any.
    runs_example: bool = False

    @property
    def choices_sql(self) -> str:
        return choices_sql(self.example.key)

    @property
    def default_sql(self) -> str | None:
        return value_sql(self.example.key) if self.runs_example else None


class CannedQuery(NamedTuple):
    name: str
    title: str
    description: str
    sql: str
    parameters: tuple[Parameter, ...] = ()


def example(parameter: Parameter) -> str:
    """SQL for a parameter's value: what the reader typed, else the worked example."""
    return f"coalesce(nullif(:{parameter.name}, ''), ({parameter.default_sql}))"


# The main incident first, then the incidents with the most figures.
INCIDENT = Parameter(
    "incident_id",
    "an incident id such as I-0002; empty: the incident with the most figures",
    Example(
        "incident_id",
        f"SELECT incident_id, title FROM ({MAIN_INCIDENT.candidates_sql}) UNION ALL "
        "SELECT * FROM (SELECT i.incident_id, i.title || ' (' || count(f.figure_id) || ' figures)' "
        "FROM incidents AS i JOIN casualties AS f ON f.incident_id = i.incident_id "
        f"WHERE i.incident_id NOT IN (SELECT incident_id FROM ({MAIN_INCIDENT.candidates_sql})) "
        "GROUP BY i.incident_id ORDER BY count(f.figure_id) DESC, i.incident_id LIMIT 49)",
    ),
    runs_example=True,
)

TOTAL_FIGURE = Parameter(
    "figure_id",
    "a figure id such as F-0001; empty: the figure with the most parts",
    Example(
        "total_figure",
        "SELECT total.figure_id, total.source_quote || ' (' || count(*) || ' parts)' "
        "FROM casualties AS total JOIN casualties AS part ON part.parent_figure_id = total.figure_id "
        "GROUP BY total.figure_id ORDER BY count(*) DESC, total.figure_id LIMIT 50",
    ),
    runs_example=True,
)

REVISED_FIGURE = Parameter(
    "figure_id",
    "a figure id such as F-0001; empty: the first figure of the longest revision chain",
    # Chains grow from figures that revise none but are revised: the others are no chain.
    Example(
        "revised_figure",
        "WITH RECURSIVE chains(root, figure_id, depth) AS (SELECT f.figure_id, f.figure_id, 0 "
        "FROM casualties AS f WHERE f.supersedes_figure_id IS NULL AND EXISTS (SELECT 1 FROM "
        "casualties AS later WHERE later.supersedes_figure_id = f.figure_id) UNION ALL "
        "SELECT chains.root, later.figure_id, chains.depth + 1 FROM casualties AS later "
        "JOIN chains ON later.supersedes_figure_id = chains.figure_id WHERE chains.depth < 50) "
        "SELECT c.figure_id, c.source_quote || ' (' || count(*) || ' figures in the chain)' "
        "FROM chains JOIN casualties AS c ON c.figure_id = chains.root GROUP BY chains.root "
        "ORDER BY count(*) DESC, chains.root LIMIT 50",
    ),
    runs_example=True,
)

SPEAKER = Parameter(
    "speaker",
    "an actor id such as A-0006, or part of a name; empty: anyone",
    Example(
        "speaker",
        "SELECT a.actor_id, a.name || ' (' || count(*) || ' statements)' FROM statements AS st "
        "JOIN actors AS a ON a.actor_id = st.speaker_actor_id GROUP BY a.actor_id "
        "ORDER BY count(*) DESC, a.actor_id LIMIT 100",
    ),
)

STATEMENT_TYPE = Parameter(
    "statement_type",
    "a statement type; empty: any type",
    Example(
        "statement_type",
        "SELECT statement_type, replace(statement_type, '_', ' ') || ' (' || count(*) || ')' "
        "FROM statements GROUP BY statement_type ORDER BY count(*) DESC, statement_type",
    ),
)

REPORTER = Parameter(
    "reporter",
    "an actor id such as A-0001, or part of a name; empty: every reporter",
    Example(
        "reporter",
        "SELECT a.actor_id, a.name || ' (' || count(*) || ' figures)' FROM casualties AS c "
        "JOIN actors AS a ON a.actor_id = c.reported_by_actor_id GROUP BY a.actor_id "
        "ORDER BY count(*) DESC, a.actor_id LIMIT 100",
    ),
)


CLAIMS_ABOUT_INCIDENT = CannedQuery(
    "claims_about_incident",
    "All claims about an incident, side by side",
    "Every casualty figure reported about an incident and the incidents within it, with "
    "the source's wording, the parsed bounds, who claims it and the source. It opens on the "
    "incident with the most figures; pick another from the list.",
    f"""
WITH RECURSIVE scope(incident_id, depth) AS (
  SELECT incident_id, 0 FROM incidents WHERE incident_id = {example(INCIDENT)}
  UNION
  SELECT child.incident_id, scope.depth + 1
  FROM incidents AS child JOIN scope ON child.parent_incident_id = scope.incident_id
  WHERE scope.depth < 50
)
SELECT
  claims.figure_id, claims.wording, claims.count_low, claims.count_best, claims.count_high,
  claims.qualifier, claims.outcome, claims.victim_group, claims.reported_by_actor_id,
  claims.reported_on, claims.source_publisher, claims.source_id, claims.incident_id,
  claims.sex, claims.age_group, claims.perpetrator_actor_id, claims.parent_figure_id,
  claims.supersedes_figure_id
FROM claims_side_by_side AS claims JOIN scope USING (incident_id)
ORDER BY scope.depth, claims.incident_id, claims.outcome, claims.victim_group,
  claims.reported_on, claims.figure_id
""",
    (INCIDENT,),
)

FIGURE_SUBTOTAL_TREE = CannedQuery(
    "figure_subtotal_tree",
    "A figure's subtotal tree, with the sum of its parts",
    'A figure and every figure the source gives as part of it ("including …"), level by '
    "level, each with the number of its direct parts and their summed count_best. It opens "
    "on the figure with the most parts; pick another from the list.",
    f"""
WITH RECURSIVE tree(figure_id, depth, path) AS (
  SELECT figure_id, 0, figure_id FROM casualties WHERE figure_id = {example(TOTAL_FIGURE)}
  UNION
  SELECT part.figure_id, tree.depth + 1, tree.path || ' > ' || part.figure_id
  FROM casualties AS part JOIN tree ON part.parent_figure_id = tree.figure_id
  WHERE tree.depth < 50
)
SELECT
  tree.depth, tree.path, c.figure_id, c.parent_figure_id, c.outcome, c.victim_group,
  c.sex, c.age_group, c.count_low, c.count_best, c.count_high, c.qualifier,
  c.source_quote AS wording,
  (SELECT count(*) FROM casualties AS p WHERE p.parent_figure_id = c.figure_id) AS parts,
  (SELECT sum(p.count_best) FROM casualties AS p WHERE p.parent_figure_id = c.figure_id)
    AS parts_count_best,
  reporter.name AS reported_by, c.reported_on, c.source_id
FROM tree JOIN casualties AS c USING (figure_id)
LEFT JOIN actors AS reporter ON reporter.actor_id = c.reported_by_actor_id
ORDER BY tree.path
""",
    (TOTAL_FIGURE,),
)

FIGURE_REVISION_CHAIN = CannedQuery(
    "figure_revision_chain",
    "The revision chain of a figure",
    "The earlier figures a figure revises (negative steps) and the later figures that revise "
    "it (positive steps), following supersedes_figure_id both ways. It opens on the longest "
    "chain; pick another from the list.",
    f"""
WITH RECURSIVE
earlier(figure_id, step) AS (
  SELECT figure_id, 0 FROM casualties WHERE figure_id = {example(REVISED_FIGURE)}
  UNION
  SELECT c.supersedes_figure_id, earlier.step - 1
  FROM casualties AS c JOIN earlier ON c.figure_id = earlier.figure_id
  WHERE c.supersedes_figure_id IS NOT NULL AND earlier.step > -50
),
later(figure_id, step) AS (
  SELECT figure_id, 0 FROM casualties WHERE figure_id = {example(REVISED_FIGURE)}
  UNION
  SELECT c.figure_id, later.step + 1
  FROM casualties AS c JOIN later ON c.supersedes_figure_id = later.figure_id
  WHERE later.step < 50
),
chain(figure_id, step) AS (SELECT * FROM earlier UNION SELECT * FROM later)
SELECT
  chain.step, c.figure_id, c.supersedes_figure_id, c.reported_on, c.count_low,
  c.count_best, c.count_high, c.qualifier, c.source_quote AS wording,
  reporter.name AS reported_by, c.incident_id, c.source_id
FROM chain
JOIN casualties AS c USING (figure_id)
LEFT JOIN actors AS reporter ON reporter.actor_id = c.reported_by_actor_id
ORDER BY chain.step, c.figure_id
""",
    (REVISED_FIGURE,),
)

# How many statements the query shows: a page of 200 renders in a fraction of a second.
STATEMENTS_SHOWN = 200
_STATEMENT_COLUMNS = (
    "statement_id, made_on, speaker, speaker_actor_id, speaker_role, statement_type, channel, quote, "
    "summary, incident_title, incident_id, source_title"
)

STATEMENTS_BY_SPEAKER_OR_TYPE = CannedQuery(
    "statements_by_speaker_or_type",
    "Statements by speaker or type",
    "Statements whose speaker matches (an actor id such as A-0006, or part of a name) and/or "
    "of one statement_type (e.g. appeal, condemnation, denial); leave a box empty for any. "
    f"The first {STATEMENTS_SHOWN:,} by date; the statements table has them all, to page and export.",
    # Two branches, each cut at its first rows by date, so that each uses an index: with no
    # speaker, the statements in made_on's index order; with one, the speaker's statements
    # through speaker_actor_id's index (a condition on a parameter alone is decided once,
    # before either branch reads a row). One query with "speaker empty OR matches" would
    # read every statement: seconds at a million.
    f"""
SELECT * FROM (
  SELECT {_STATEMENT_COLUMNS} FROM statements_with_speakers
  WHERE :speaker = '' AND (:statement_type = '' OR statement_type = :statement_type)
  ORDER BY made_on, statement_id LIMIT {STATEMENTS_SHOWN}
)
UNION ALL
SELECT * FROM (
  SELECT {_STATEMENT_COLUMNS} FROM statements_with_speakers
  WHERE :speaker != '' AND speaker_actor_id IN (
      SELECT actor_id FROM actors WHERE actor_id = :speaker OR name LIKE '%' || :speaker || '%')
    AND (:statement_type = '' OR statement_type = :statement_type)
  ORDER BY made_on, statement_id LIMIT {STATEMENTS_SHOWN}
)
ORDER BY made_on, statement_id
""",
    (SPEAKER, STATEMENT_TYPE),
)

TOTALS_BY_PERPETRATOR_AND_VICTIM_GROUP = CannedQuery(
    "totals_by_perpetrator_and_victim_group",
    "Totals by perpetrator and victim group, as each reporter reports them",
    "For each reporter, the figures it reports grouped by outcome, perpetrator and victim "
    "group: how many figures, and the sum of their count_best. Only the latest revision of "
    "a figure counts. Figures about nested incidents may overlap, so read figure_ids before "
    "adding rows up. Optional: reporter (an actor id such as A-0001, or part of a name).",
    """
SELECT
  reporter.name AS reported_by, c.reported_by_actor_id, c.outcome,
  coalesce(perpetrator.name, '(not attributed)') AS perpetrator, c.perpetrator_actor_id,
  c.victim_group, count(*) AS figures, sum(c.count_best) AS sum_count_best,
  group_concat(c.figure_id, ', ') AS figure_ids
FROM casualties AS c
LEFT JOIN actors AS reporter ON reporter.actor_id = c.reported_by_actor_id
LEFT JOIN actors AS perpetrator ON perpetrator.actor_id = c.perpetrator_actor_id
WHERE NOT EXISTS (SELECT 1 FROM casualties AS later WHERE later.supersedes_figure_id = c.figure_id)
  AND (:reporter = '' OR c.reported_by_actor_id = :reporter
       OR reporter.name LIKE '%' || :reporter || '%')
GROUP BY c.reported_by_actor_id, c.outcome, c.perpetrator_actor_id, c.victim_group
ORDER BY reported_by, c.outcome, perpetrator, c.victim_group
""",
    (REPORTER,),
)

QUERIES: tuple[CannedQuery, ...] = (
    CLAIMS_ABOUT_INCIDENT,
    FIGURE_SUBTOTAL_TREE,
    FIGURE_REVISION_CHAIN,
    STATEMENTS_BY_SPEAKER_OR_TYPE,
    TOTALS_BY_PERPETRATOR_AND_VICTIM_GROUP,
)


def examples() -> list[Example]:
    """Every example the build ranks: the home page's incident, then each parameter's."""
    out = {MAIN_INCIDENT.key: MAIN_INCIDENT}
    for query in QUERIES:
        for parameter in query.parameters:
            out.setdefault(parameter.example.key, parameter.example)
    return list(out.values())
