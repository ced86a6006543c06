"""Style: the code is as `ruff format` writes it and passes `ruff check` (pyproject.toml's
[tool.ruff]: lines under 110 characters, pycodestyle, pyflakes, import order, pyupgrade,
bugbear). CI runs the same two commands."""

from __future__ import annotations

import shutil
import subprocess
import sys


def _ruff(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=cwd, capture_output=True, text=True)


def test_the_code_is_formatted_and_passes_the_lint_rules(repo_root):
    for args in (("format", "--check", "."), ("check", ".")):
        result = _ruff(*args, cwd=repo_root)
        assert result.returncode == 0, f"ruff {' '.join(args)}:\n{result.stdout}{result.stderr}"


def test_the_configuration_refuses_a_line_of_110_characters_or_more(repo_root, tmp_path):
    shutil.copy(repo_root / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "long.py").write_text(f"X = {'1' * 106}\nY = {'1' * 105}\n", encoding="utf-8")
    result = _ruff("check", "--select", "E501", "long.py", cwd=tmp_path)
    assert result.returncode == 1
    assert "long.py:1:" in result.stdout and "long.py:2:" not in result.stdout
