"""The datasette-dashboards dashboard: counts, claims by reporter, incidents over time, a map.

Vega, Vega-Lite and Leaflet come bundled with the plugins (served from the
instance itself); only the map's background tiles come from OpenStreetMap.
"""

from __future__ import annotations

from ..package import resource

# Only the latest revision of a figure counts in charts.
_LATEST = ("NOT EXISTS (SELECT 1 FROM casualties AS later "
           "WHERE later.supersedes_figure_id = c.figure_id)")


def dashboards(descriptor: dict, database: str) -> dict:
    """The ``datasette-dashboards`` plugin configuration."""
    outcomes = _enum(descriptor, "casualties", "outcome")
    return {
        "overview": {
            "title": "Syria incidents: overview",
            "description": (
                "Incidents, casualty figures and statements in the package. Casualty figures "
                "are claims: each bar sums what one reporter said about one group, and "
                "figures about nested incidents or totals and their parts may overlap."
            ),
            "layout": [
                ["incidents-count", "figures-count", "statements-count"],
                ["figures-by-reporter", "figures-by-reporter", "incidents-over-time"],
                ["incidents-map", "incidents-map", "incidents-map"],
            ],
            "filters": {
                "outcome": {"name": "Outcome", "type": "select", "options": outcomes,
                            "default": "killed"},
            },
            "charts": {
                "incidents-count": _metric(database, "Incidents", "SELECT count(*) AS n FROM incidents"),
                "figures-count": _metric(database, "Casualty figures (claims)",
                                         "SELECT count(*) AS n FROM casualties"),
                "statements-count": _metric(database, "Statements",
                                            "SELECT count(*) AS n FROM statements"),
                "figures-by-reporter": {
                    "title": "Reported casualties by reporter and victim group (sum of the "
                             "latest figures, grouped, not stacked)",
                    "db": database,
                    "query": (
                        "SELECT reporter.name AS reporter, c.victim_group, count(*) AS figures, "
                        "sum(c.count_best) AS people FROM casualties AS c "
                        "JOIN actors AS reporter ON reporter.actor_id = c.reported_by_actor_id "
                        f"WHERE {_LATEST} [[ AND c.outcome = :outcome ]] "
                        "GROUP BY reporter.name, c.victim_group ORDER BY reporter.name"
                    ),
                    "library": "vega-lite",
                    "display": {
                        "mark": {"type": "bar", "tooltip": True},
                        "encoding": {
                            "x": {"field": "reporter", "type": "nominal", "title": "Reporter"},
                            "xOffset": {"field": "victim_group", "type": "nominal"},
                            "y": {"field": "people", "type": "quantitative",
                                  "title": "Sum of count_best"},
                            "color": {"field": "victim_group", "type": "nominal",
                                      "title": "Victim group"},
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
                        "mark": {"type": "bar", "tooltip": True},
                        "encoding": {
                            "x": {"field": "month", "type": "ordinal", "timeUnit": "yearmonth",
                                  "title": "Month"},
                            "y": {"field": "incidents", "type": "quantitative",
                                  "aggregate": "sum", "title": "Incidents"},
                            "color": {"field": "event_type", "type": "nominal",
                                      "title": "Event type"},
                        },
                    },
                },
                "incidents-map": {
                    "title": "Incidents at places with coordinates",
                    "db": database,
                    # The plugin puts every value into the popup as HTML: escape text here.
                    "query": (f"SELECT incident_id, {_escaped('title')} AS title, "
                              f"{_escaped('place')} AS place, start_date, latitude, longitude "
                              "FROM incidents_map LIMIT 1000"),
                    "library": "map",
                    "display": {"latitude_column": "latitude", "longitude_column": "longitude"},
                },
            },
        }
    }


def _escaped(column: str) -> str:
    """SQL that HTML-escapes a text column (datasette-dashboards' map popups do not)."""
    return (f"replace(replace(replace(replace({column}, '&', '&amp;'), '<', '&lt;'), "
            f"'>', '&gt;'), '\"', '&quot;')")


def _metric(database: str, title: str, query: str) -> dict:
    return {"title": title, "db": database, "query": query, "library": "metric",
            "display": {"field": "n", "prefix": "", "suffix": ""}}


def _enum(descriptor: dict, table: str, column: str) -> list[str]:
    for f in resource(descriptor, table)["schema"]["fields"]:
        if f["name"] == column:
            return list(f["constraints"]["enum"])
    raise KeyError(f"{table}.{column} is not in the descriptor")
