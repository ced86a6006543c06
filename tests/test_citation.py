"""Citation: text and BibTeX from the descriptor, CITATION.cff against the CFF 1.2.0
schema, .zenodo.json, [project.urls]; all current with datapackage.json."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from validate_helpers import FIXTURE_ROOT, copy_package

import syria_incidents as si
from syria_incidents.citation import CFF_NAME, REPOSITORY_URL, ZENODO_NAME, cff_text, zenodo_json
from syria_incidents.cli import main
from syria_incidents.fix import fix

# The Citation File Format's schema, version 1.2.0, as the cffconvert 2.0.0 wheel ships it
# (citation-file-format.github.io, CC-BY-4.0): cffconvert itself pins jsonschema < 4.
CFF_SCHEMA = Path(__file__).parent / "fixtures" / "schemas" / "citation-file-format-1.2.0.json"


def descriptor_of(root: Path) -> dict:
    return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))


def cff_errors(content: dict) -> list[str]:
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    return [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(content)]


def test_citation_cff_is_valid_cff_1_2_0(repo_root):
    content = yaml.safe_load((repo_root / CFF_NAME).read_text(encoding="utf-8"))
    assert cff_errors(content) == []


def test_the_cff_schema_check_can_fail():
    assert cff_errors({"cff-version": "1.2.0", "title": "t", "message": "m"})  # no authors


def test_citation_cff_and_zenodo_json_are_current_with_the_descriptor(repo_root):
    descriptor = descriptor_of(repo_root)
    cff_version = yaml.safe_load((repo_root / CFF_NAME).read_text(encoding="utf-8"))["version"]
    assert cff_version == descriptor["version"]
    assert (repo_root / CFF_NAME).read_text(encoding="utf-8") == cff_text(descriptor), (
        "CITATION.cff is stale: run `syria-incidents fix`"
    )
    assert (repo_root / ZENODO_NAME).read_text(encoding="utf-8") == zenodo_json(descriptor), (
        ".zenodo.json is stale: run `syria-incidents fix`"
    )


def test_zenodo_json_has_what_zenodo_requires(repo_root):
    record = json.loads((repo_root / ZENODO_NAME).read_text(encoding="utf-8"))
    assert record["upload_type"] == "dataset" and record["access_right"] == "open"
    assert record["title"] and record["description"] and record["license"] == "cc-by-4.0"
    assert record["creators"] and all(c["name"] for c in record["creators"])


def test_project_urls_are_the_repository(repo_root):
    urls = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    assert urls["Homepage"] == urls["Source"] == REPOSITORY_URL
    assert all(url.startswith(REPOSITORY_URL) for url in urls.values())


def test_text_citation_names_title_version_licence_and_address():
    d = descriptor_of(FIXTURE_ROOT)
    text = si.citation(FIXTURE_ROOT)
    assert d["title"] in text and f"version {d['version']}" in text and "Licence: CC-BY-4.0" in text
    assert text.endswith(REPOSITORY_URL)


def bibtex_fields(entry: str) -> dict[str, str]:
    assert entry.count("{") == entry.count("}"), entry
    match = re.fullmatch(r"@misc\{([^,\s]+),\n(.*)\n\}", entry, re.DOTALL)
    assert match, entry
    return dict(re.findall(r"^  (\w+)\s+= \{(.*)\},?$", match.group(2), re.MULTILINE))


def test_bibtex_carries_the_descriptors_facts():
    d = descriptor_of(FIXTURE_ROOT)
    fields = bibtex_fields(si.citation(FIXTURE_ROOT, format="bibtex"))
    assert fields["title"] == "{" + d["title"] + "}"
    assert fields["version"] == d["version"] and fields["year"] == d["created"][:4]
    assert fields["author"] == "{syria-incidents maintainers}" and fields["url"] == REPOSITORY_URL
    assert "doi" not in fields  # no DOI yet


def test_a_doi_and_homepage_in_the_descriptor_are_used_everywhere(tmp_path):
    pkg = copy_package(tmp_path)
    d = descriptor_of(pkg)
    d.update(
        {
            "id": "https://doi.org/10.5281/zenodo.0000000",
            "homepage": "https://example.org/data",
            "title": "Test & 100% {braces}",
        }
    )
    (pkg / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    assert si.citation(pkg).endswith("https://doi.org/10.5281/zenodo.0000000")
    fields = bibtex_fields(si.citation(pkg, format="bibtex"))
    assert fields["doi"] == "10.5281/zenodo.0000000" and fields["url"] == "https://example.org/data"
    assert fields["title"] == r"{Test \& 100\% \{braces\}}"
    content = yaml.safe_load(cff_text(d))
    assert content["doi"] == "10.5281/zenodo.0000000" and content["url"] == "https://example.org/data"
    assert content["repository-code"] == REPOSITORY_URL and cff_errors(content) == []


def test_fix_rewrites_citation_files_after_a_version_bump(tmp_path):
    pkg = copy_package(tmp_path)
    (pkg / CFF_NAME).write_text(cff_text(descriptor_of(pkg)), encoding="utf-8")
    (pkg / ZENODO_NAME).write_text(zenodo_json(descriptor_of(pkg)), encoding="utf-8")
    d = descriptor_of(pkg)
    d["version"] = "0.1.1"
    (pkg / "datapackage.json").write_text(json.dumps(d, indent=2), encoding="utf-8")
    assert {r.path for r in fix(pkg)} >= {CFF_NAME, ZENODO_NAME}
    assert yaml.safe_load((pkg / CFF_NAME).read_text(encoding="utf-8"))["version"] == "0.1.1"
    assert json.loads((pkg / ZENODO_NAME).read_text(encoding="utf-8"))["version"] == "0.1.1"
    assert not {r.path for r in fix(pkg)} & {CFF_NAME, ZENODO_NAME}


def test_the_cite_command_prints_either_form():
    runner = CliRunner()
    for form in ("text", "bibtex"):
        result = runner.invoke(main, ["cite", str(FIXTURE_ROOT), "--format", form])
        assert result.exit_code == 0, result.output
        assert result.output == si.citation(FIXTURE_ROOT, format=form) + "\n"


def test_an_unknown_citation_format_is_an_error():
    with pytest.raises(ValueError, match="format must be one of text, bibtex"):
        si.citation(FIXTURE_ROOT, format="ris")
