"""docs/data-dictionary.md: generated from the descriptor, current, and complete."""

from __future__ import annotations

import json

from validate_helpers import FIXTURE_ROOT, copy_package

from syria_incidents.dictionary import DICTIONARY_DOC, dictionary_markdown
from syria_incidents.fix import fix


def test_the_repository_data_dictionary_is_current(repo_root):
    descriptor = json.loads((repo_root / "datapackage.json").read_text(encoding="utf-8"))
    assert (repo_root / DICTIONARY_DOC).read_text(encoding="utf-8") == dictionary_markdown(descriptor), (
        "docs/data-dictionary.md is stale: run `syria-incidents fix`"
    )


def test_every_table_field_key_and_vocabulary_value_is_in_the_dictionary(repo_root):
    descriptor = json.loads((repo_root / "datapackage.json").read_text(encoding="utf-8"))
    text = dictionary_markdown(descriptor)
    for res in descriptor["resources"]:
        section = text.split(f"## `{res['name']}`", 1)[1].split("\n## ", 1)[0]
        assert f"Primary key: `{res['schema']['primaryKey'][0]}`" in section, res["name"]
        for key in res["schema"].get("foreignKeys", []):
            assert f"`{key['fields'][0]}` → `{key['reference'].get('resource', res['name'])}`" in section
        for field in res["schema"]["fields"]:
            required = "yes" if field.get("constraints", {}).get("required") else ""
            row = f"| `{field['name']}` | {field['type']} | {required} |"
            assert row in section, (res["name"], field["name"])
            for value, meaning in field.get("x-vocabulary", {}).items():
                escaped = meaning.replace("|", "\\|")
                assert f"| `{value}` | {escaped} |" in section, (field["name"], value)


def test_fix_writes_the_dictionary_and_a_second_run_changes_nothing(tmp_path):
    pkg = copy_package(tmp_path)
    (pkg / "docs").mkdir()
    (pkg / DICTIONARY_DOC).write_text("stale\n", encoding="utf-8")
    assert any(r.path == DICTIONARY_DOC for r in fix(pkg))
    descriptor = json.loads((FIXTURE_ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert (pkg / DICTIONARY_DOC).read_text(encoding="utf-8") == dictionary_markdown(descriptor)
    assert not any(r.path == DICTIONARY_DOC for r in fix(pkg))


def test_an_edited_description_appears_after_fix(tmp_path):
    pkg = copy_package(tmp_path)
    (pkg / "docs").mkdir()
    (pkg / DICTIONARY_DOC).write_text("", encoding="utf-8")
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["schema"]["fields"][-1]["description"] = "A description written just now."
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    fix(pkg)
    assert "A description written just now." in (pkg / DICTIONARY_DOC).read_text(encoding="utf-8")


def test_the_readme_links_the_dictionary(repo_root):
    assert "](docs/data-dictionary.md)" in (repo_root / "README.md").read_text(encoding="utf-8")
