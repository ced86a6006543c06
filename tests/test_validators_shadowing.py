"""Our validation code must never shadow the PyPI `validators` package that frictionless uses."""

from __future__ import annotations

import sys


def test_import_validators_is_the_pypi_package(repo_root):
    sys.path.insert(0, str(repo_root))  # as when a tool runs from the checkout root
    try:
        import validators

        assert "site-packages" in validators.__file__
        assert validators.email("someone@example.org") is True
        assert validators.uuid("not-a-uuid") is not True
    finally:
        sys.path.remove(str(repo_root))


def test_no_top_level_validators_package_in_the_repo(repo_root):
    assert not (repo_root / "validators").exists()
    assert not (repo_root / "src" / "validators").exists()


def test_frictionless_email_format_still_checks_with_our_package_imported():
    import frictionless

    import syria_incidents  # noqa: F401

    field = frictionless.fields.StringField(name="contact", format="email")
    assert field.read_cell("someone@example.org")[1] is None
    assert field.read_cell("not an email")[1] is not None
