"""Canned queries: the questions readers ask most, as named, parameterised SQL.

Each query is read-only SQL with ``:named`` parameters; Datasette shows a form for
them. An empty optional parameter means "any". Recursive queries carry a depth
limit, so even a cycle that slipped past validation cannot run away.
"""

from __future__ import annotations

from typing import NamedTuple


class CannedQuery(NamedTuple):
    name: str
    title: str
    description: str
    sql: str


CLAIMS_ABOUT_INCIDENT = CannedQuery(
    "claims_about_incident",
    "All claims about an incident, side by side",
    "Every casualty figure reported about an incident and the incidents within it, with "
    "the source's wording, the parsed bounds and who claims it. Example: incident_id I-0002.",
    """
WITH RECURSIVE scope(incident_id, depth) AS (
  SELECT incident_id, 0 FROM incidents WHERE incident_id = :incident_id
  UNION
  SELECT child.incident_id, scope.depth + 1
  FROM incidents AS child JOIN scope ON child.parent_incident_id = scope.incident_id
  WHERE scope.depth < 50
)
SELECT
  claims.incident_id, claims.incident_title, claims.figure_id, claims.outcome,
  claims.victim_group, claims.sex, claims.age_group, claims.count_low, claims.count_best,
  claims.count_high, claims.qualifier, claims.wording, claims.reported_by,
  claims.reported_on, claims.perpetrator, claims.parent_figure_id,
  claims.supersedes_figure_id, claims.source_title
FROM claims_side_by_side AS claims JOIN scope USING (incident_id)
ORDER BY scope.depth, claims.incident_id, claims.outcome, claims.victim_group,
  claims.reported_on, claims.figure_id
""",
)

FIGURE_SUBTOTAL_TREE = CannedQuery(
    "figure_subtotal_tree",
    "A figure's subtotal tree, with the sum of its parts",
    "A figure and every figure the source gives as part of it (\"including …\"), level by "
    "level, each with the number of its direct parts and their summed count_best. "
    "Example: figure_id F-0001.",
    """
WITH RECURSIVE tree(figure_id, depth, path) AS (
  SELECT figure_id, 0, figure_id FROM casualties WHERE figure_id = :figure_id
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
    AS parts_count_best
FROM tree JOIN casualties AS c USING (figure_id)
ORDER BY tree.path
""",
)

FIGURE_REVISION_CHAIN = CannedQuery(
    "figure_revision_chain",
    "The revision chain of a figure",
    "The earlier figures a figure revises (negative steps) and the later figures that revise "
    "it (positive steps), following supersedes_figure_id both ways. Example: figure_id F-0001.",
    """
WITH RECURSIVE
earlier(figure_id, step) AS (
  SELECT figure_id, 0 FROM casualties WHERE figure_id = :figure_id
  UNION
  SELECT c.supersedes_figure_id, earlier.step - 1
  FROM casualties AS c JOIN earlier ON c.figure_id = earlier.figure_id
  WHERE c.supersedes_figure_id IS NOT NULL AND earlier.step > -50
),
later(figure_id, step) AS (
  SELECT figure_id, 0 FROM casualties WHERE figure_id = :figure_id
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
)

STATEMENTS_BY_SPEAKER_OR_TYPE = CannedQuery(
    "statements_by_speaker_or_type",
    "Statements by speaker or type",
    "Statements whose speaker matches (an actor id such as A-0006, or part of a name) and/or "
    "of one statement_type (e.g. appeal, condemnation, denial); leave a box empty for any.",
    """
SELECT
  statement_id, made_on, speaker, speaker_actor_id, speaker_role, statement_type,
  channel, quote, summary, incident_title, incident_id, source_title
FROM statements_with_speakers
WHERE (:speaker = '' OR speaker_actor_id = :speaker OR speaker LIKE '%' || :speaker || '%')
  AND (:statement_type = '' OR statement_type = :statement_type)
ORDER BY made_on, statement_id
""",
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
)

QUERIES: tuple[CannedQuery, ...] = (
    CLAIMS_ABOUT_INCIDENT,
    FIGURE_SUBTOTAL_TREE,
    FIGURE_REVISION_CHAIN,
    STATEMENTS_BY_SPEAKER_OR_TYPE,
    TOTALS_BY_PERPETRATOR_AND_VICTIM_GROUP,
)
