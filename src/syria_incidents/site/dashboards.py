"""The datasette-dashboards dashboard: counts, claims by reporter, incidents over time, a map.

Vega, Vega-Lite and Leaflet come bundled with the plugins (served from the
instance itself); only the map's background tiles come from OpenStreetMap.
"""

from __future__ import annotations

from ..package import resource
from .pages import MAIN_INCIDENT_SQL

# Only the latest revision of a figure counts in charts.
_LATEST = "NOT EXISTS (SELECT 1 FROM casualties AS later WHERE later.supersedes_figure_id = c.figure_id)"

# The incident the toll charts are about: the one the home page opens on (the top-level
# incident with the most figures), unless the incident filter names one.
_TARGET = f"target AS (SELECT coalesce(nullif(:incident_id, ''), ({MAIN_INCIDENT_SQL})) AS incident_id)"

# Drawn as SVG: crisp text at any zoom, and each bar or point an element that a browser
# test can count (vega-embed reads embedOptions from the spec's usermeta).
_SVG = {"usermeta": {"embedOptions": {"renderer": "svg"}}}

# Each revision chain about the target incident, from its first figure (starting only
# there keeps the chart's query to the incident's figures, not every figure's chain).
_CHAINS = (
    "chains(root, figure_id) AS (SELECT figure_id, figure_id FROM casualties "
    "WHERE supersedes_figure_id IS NULL AND incident_id = (SELECT incident_id FROM target) "
    "UNION ALL SELECT chains.root, later.figure_id FROM casualties AS later "
    "JOIN chains ON later.supersedes_figure_id = chains.figure_id)"
)


def dashboards(descriptor: dict, database: str) -> dict:
    """The ``datasette-dashboards`` plugin configuration."""
    outcomes = _enum(descriptor, "casualties", "outcome")
    return {
        "overview": {
            "title": "Syria incidents: overview",
            "description": (
                "Incidents, casualty figures and statements in the package. Casualty figures "
                "are claims: the charts show each reporter's own figures (its successive "
                "counts, its latest claim per victim group), never sums of claims that overlap."
            ),
            "layout": [
                ["incidents-count", "figures-count", "statements-count"],
                ["tolls-over-time", "tolls-over-time", "tolls-over-time"],
                ["latest-claims", "latest-claims", "incidents-over-time"],
                ["incidents-map", "incidents-map", "incidents-map"],
            ],
            "filters": {
                "outcome": {"name": "Outcome", "type": "select", "options": outcomes, "default": "killed"},
                "incident_id": {
                    "name": "Incident id (default: the one with the most figures)",
                    "type": "text",
                },
            },
            "charts": {
                "incidents-count": _metric(database, "Incidents", "SELECT count(*) AS n FROM incidents"),
                "figures-count": _metric(
                    database, "Casualty figures (claims)", "SELECT count(*) AS n FROM casualties"
                ),
                "statements-count": _metric(database, "Statements", "SELECT count(*) AS n FROM statements"),
                "tolls-over-time": {
                    "title": "Each reporter's toll over time: its successive counts, one line per "
                    "revision chain (never summed)",
                    "db": database,
                    "query": (
                        f"WITH RECURSIVE {_TARGET}, {_CHAINS} "
                        "SELECT reporter.name || ' — ' || c.victim_group || ' (' || chains.root || "
                        "')' AS series, "
                        "reporter.name AS reporter, c.victim_group, c.figure_id, c.reported_on, "
                        "c.count_best, "
                        "c.qualifier, c.source_quote FROM chains JOIN casualties AS c ON c.figure_id "
                        "= chains.figure_id "
                        "JOIN actors AS reporter ON reporter.actor_id = c.reported_by_actor_id "
                        "WHERE c.incident_id = (SELECT incident_id FROM target) AND c.count_best IS "
                        "NOT NULL "
                        "AND chains.root IN (SELECT root FROM chains GROUP BY root HAVING count(*) > 1) "
                        "[[ AND c.outcome = :outcome ]] ORDER BY series, c.reported_on"
                    ),
                    "library": "vega-lite",
                    "display": {
                        **_SVG,
                        "mark": {"type": "line", "point": True, "tooltip": True},
                        "encoding": {
                            "x": {"field": "reported_on", "type": "temporal", "title": "Reported on"},
                            "y": {"field": "count_best", "type": "quantitative", "title": "count_best"},
                            "color": {
                                "field": "reporter",
                                "type": "nominal",
                                "title": "Reporter",
                                "legend": {"labelLimit": 420, "orient": "bottom", "columns": 2},
                            },
                            "detail": {"field": "series", "type": "nominal"},
                            "tooltip": [
                                {"field": "series"},
                                {"field": "figure_id"},
                                {"field": "reported_on"},
                                {"field": "count_best"},
                                {"field": "qualifier"},
                                {"field": "source_quote"},
                            ],
                        },
                    },
                },
                "latest-claims": {
                    "title": "The latest claim of each reporter, side by side, by victim group "
                    "(one figure each, not a sum)",
                    "db": database,
                    "query": (
                        f"WITH {_TARGET}, latest AS (SELECT c.*, reporter.name AS reporter, "
                        "row_number() OVER ("
                        "PARTITION BY c.reported_by_actor_id, c.victim_group ORDER BY c.reported_on DESC, "
                        "c.count_best DESC) AS n FROM casualties AS c "
                        "JOIN actors AS reporter ON reporter.actor_id = c.reported_by_actor_id "
                        "WHERE c.incident_id = (SELECT incident_id FROM target) AND "
                        "c.parent_figure_id IS NULL "
                        f"AND c.count_best IS NOT NULL AND {_LATEST} [[ AND c.outcome = :outcome ]]) "
                        "SELECT reporter || ' — ' || replace(victim_group, '_', ' ') AS claim, reporter, "
                        "victim_group, figure_id, reported_on, count_best, qualifier, "
                        "source_quote FROM latest WHERE n = 1 ORDER BY reporter, victim_group"
                    ),
                    "library": "vega-lite",
                    # Horizontal bars, one per reporter and group, each a single figure: names
                    # are long, and on the y axis they are read whole.
                    "display": {
                        **_SVG,
                        "mark": {"type": "bar", "tooltip": True},
                        "encoding": {
                            "y": {
                                "field": "claim",
                                "type": "nominal",
                                "title": None,
                                "sort": None,
                                "axis": {"labelLimit": 480},
                            },
                            # stack: None draws each figure as its own bar, never added to another.
                            "x": {
                                "field": "count_best",
                                "type": "quantitative",
                                "stack": None,
                                "title": "count_best of the reporter's latest figure",
                            },
                            "color": {
                                "field": "victim_group",
                                "type": "nominal",
                                "title": "Victim group",
                                "legend": {"orient": "bottom"},
                            },
                            "tooltip": [
                                {"field": "reporter"},
                                {"field": "victim_group"},
                                {"field": "figure_id"},
                                {"field": "reported_on"},
                                {"field": "count_best"},
                                {"field": "qualifier"},
                                {"field": "source_quote"},
                            ],
                        },
                    },
                },
                "incidents-over-time": {
                    "title": "Incidents by month of start, by event type",
                    "db": database,
                    "query": (
                        "SELECT substr(start_date, 1, 7) || '-01' AS month, event_type, "
                        "count(*) AS incidents FROM incidents WHERE start_date IS NOT NULL "
                        "GROUP BY 1, 2 ORDER BY 1"
                    ),
                    "library": "vega-lite",
                    "display": {
                        **_SVG,
                        "mark": {"type": "bar", "tooltip": True},
                        "encoding": {
                            "x": {
                                "field": "month",
                                "type": "ordinal",
                                "timeUnit": "yearmonth",
                                "title": "Month",
                            },
                            "y": {
                                "field": "incidents",
                                "type": "quantitative",
                                "aggregate": "sum",
                                "title": "Incidents",
                            },
                            "color": {"field": "event_type", "type": "nominal", "title": "Event type"},
                        },
                    },
                },
                "incidents-map": {
                    "title": "Incidents at places with coordinates",
                    "db": database,
                    # The plugin puts every value into the popup as HTML: escape text here.
                    "query": (
                        f"SELECT incident_id, {_escaped('title')} AS title, "
                        f"{_escaped('place')} AS place, start_date, latitude, longitude "
                        "FROM incidents_map LIMIT 1000"
                    ),
                    "library": "map",
                    "display": {"latitude_column": "latitude", "longitude_column": "longitude"},
                },
            },
        }
    }


def _escaped(column: str) -> str:
    """SQL that HTML-escapes a text column (datasette-dashboards' map popups do not)."""
    return (
        f"replace(replace(replace(replace({column}, '&', '&amp;'), '<', '&lt;'), "
        f"'>', '&gt;'), '\"', '&quot;')"
    )


def _metric(database: str, title: str, query: str) -> dict:
    return {
        "title": title,
        "db": database,
        "query": query,
        "library": "metric",
        "display": {"field": "n", "prefix": "", "suffix": ""},
    }


def _enum(descriptor: dict, table: str, column: str) -> list[str]:
    for f in resource(descriptor, table)["schema"]["fields"]:
        if f["name"] == column:
            return list(f["constraints"]["enum"])
    raise KeyError(f"{table}.{column} is not in the descriptor")
