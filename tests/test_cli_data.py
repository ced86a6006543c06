"""`syria-incidents --version`, `info` and `stamp`.

Every command is given its package explicitly: without PATH a command acts on the
package of the current directory, which would make these tests depend on where
pytest runs.
"""

from __future__ import annotations

from click.testing import CliRunner

import syria_incidents as si
from syria_incidents.cli import main
from syria_incidents.package import bundled_root, read_descriptor
from syria_incidents.stamp import stale_resources


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_version_is_the_data_version():
    result = run("--version")
    assert result.exit_code == 0
    assert si.__version__ == read_descriptor(bundled_root())["version"]
    assert result.output.strip() == f"syria-incidents {si.__version__}"


def test_info_lists_tables_with_row_counts_licence_and_citation(fixture_root):
    result = run("info", str(fixture_root))
    assert result.exit_code == 0, result.output
    assert "version:  0.1.0" in result.output
    assert "CC-BY-4.0" in result.output and si.citation(fixture_root) in result.output
    for name in si.tables(fixture_root):
        assert f"{name} " in result.output
    line = next(text for text in result.output.splitlines() if text.startswith("casualties"))
    assert "7 rows" in line and f"{len(si.load('casualties', fixture_root))} rows" in line


def test_info_on_the_bundled_data_counts_its_rows(repo_root):
    result = run("info", str(repo_root))
    assert result.exit_code == 0, result.output
    assert f"version:  {read_descriptor(repo_root)['version']}" in result.output
    for name in si.tables(repo_root):
        line = next(text for text in result.output.splitlines() if text.startswith(f"{name} "))
        assert f"{len(si.load(name, repo_root))} rows" in line, line


def test_info_on_a_missing_package_is_a_clean_error(tmp_path):
    result = run("info", str(tmp_path))
    assert result.exit_code == 2  # could not run at all (CannotRun)
    assert "no datapackage.json" in result.output and "Traceback" not in result.output


def test_stamp_rewrites_stale_hashes(package_copy):
    path = package_copy / "data" / "places.csv"
    path.write_bytes(path.read_bytes().replace(b"Syrian coast", b"Syrian Coast"))
    assert stale_resources(package_copy)
    result = run("stamp", str(package_copy))
    assert result.exit_code == 0 and "data/places.csv" in result.output
    assert not stale_resources(package_copy)
    assert "current" in run("stamp", str(package_copy)).output


def test_every_command_has_help_ending_with_an_example():
    for name in main.commands:
        text = CliRunner().invoke(main, [name, "--help"]).output
        assert "Example:" in text, name
