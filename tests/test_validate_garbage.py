"""Garbage in: validate always answers with a report (exit 1 or 2), never a traceback."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from validate_helpers import copy_package

from syria_incidents.cli import main
from syria_incidents.validators import validate

TABLE = "data/statements.csv"


def _garbage():
    header = (
        b"statement_id,speaker_actor_id,speaker_role,made_on,date_precision,channel,statement_type,"
        b"quote,summary,language,incident_id,source_id,notes\n"
    )
    return {
        "empty": b"",
        "random-bytes": os.urandom(4096),
        "nul-bytes": b"\x00" * 100,
        "latin1": header
        + "ST-0001,A-0001,prés,2025-03-07,day,other,appeal,é,x,fr,I-0002,S-0001,\n".encode("latin-1"),
        "crlf": header.replace(b"\n", b"\r\n")
        + b"ST-0001,A-0001,x,2025-03-07,day,other,appeal,q,s,en,I-0002,S-0001,\r\n",
        "duplicate-header": header.replace(b"speaker_role", b"statement_id"),
        "missing-header": b"ST-0001,A-0001\n",
        "header-only": header,
        "ten-mb-cell": header
        + b"ST-0001,A-0001,x,2025-03-07,day,other,appeal,"
        + b"q" * 10_000_000
        + b",s,en,I-0002,S-0001,\n",
        "500-columns": header + b",".join([b"x"] * 500) + b"\n",
        "unclosed-quote": header + b'ST-0001,A-0001,"x,2025-03-07,day\n',
        "quoted-newline": header
        + b'ST-0001,A-0001,"two\nlines",2025-03-07,day,other,appeal,q,s,en,I-0002,S-0001,\nST-0001,A-0001\n',
        "bom": b"\xef\xbb\xbf" + header,
        "only-newlines": b"\n\n\n",
        "binary-zip": b"PK\x03\x04" + os.urandom(200),
    }


@pytest.mark.parametrize("name", sorted(_garbage()))
def test_garbage_table_gives_report_not_traceback(tmp_path, name):
    root = copy_package(tmp_path)
    (root / TABLE).write_bytes(_garbage()[name])
    report = validate(root)
    assert not report.valid
    assert any(f.path == TABLE for f in report.errors)
    result = CliRunner().invoke(main, ["validate", str(root)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output


def test_garbage_rows_are_located(tmp_path):
    root = copy_package(tmp_path)
    data = _garbage()["quoted-newline"]
    (root / TABLE).write_bytes(data)
    rows = validate(root).flatten(["path", "row", "field", "rule"])
    assert [TABLE, 2, "speaker_role", "text-control-chars"] in rows
    # the record after a two-line record starts on line 4
    assert [TABLE, 4, "speaker_role", "missing-cell"] in rows


def test_latin1_is_an_encoding_error(tmp_path):
    root = copy_package(tmp_path)
    (root / TABLE).write_bytes(_garbage()["latin1"])
    assert [TABLE, 2, None, "encoding"] in validate(root).flatten(["path", "row", "field", "rule"])


def test_bom_message_says_what_to_do(tmp_path):
    root = copy_package(tmp_path)
    (root / TABLE).write_bytes(_garbage()["bom"])
    [finding] = [f for f in validate(root).errors if f.rule == "encoding"]
    assert "byte-order mark" in finding.message and "syria-incidents fix" in finding.message


@pytest.mark.parametrize(
    "descriptor",
    [
        b"",
        b"[]",
        b'{"resources": 5}',
        b'{"resources": [{"name": 1}]}',
        os.urandom(300),
        b'{"resources": [{"name": "x", "path": "nope.csv", "schema": {"fields": []}}]}',
    ],
)
def test_garbage_descriptor_exits_2_or_1(tmp_path, descriptor):
    (tmp_path / "datapackage.json").write_bytes(descriptor)
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code in (1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_path_exits_2(tmp_path):
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
