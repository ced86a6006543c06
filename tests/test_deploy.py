"""The deploy recipe (deploy/Dockerfile): every version pinned, and it builds what it says.

No Docker daemon is needed: the Dockerfile is read instruction by instruction, and its
first stage (the wheel from the files it copies) is run here in a scratch directory.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib

import pytest
from packaging.specifiers import SpecifierSet
from validate_helpers import REPO_ROOT

DOCKERFILE = REPO_ROOT / "deploy" / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    joined, result = re.sub(r"\\\n(\s*#[^\n]*\n)*", " ", text), []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return instructions(DOCKERFILE.read_text(encoding="utf-8"))


def _image(dockerfile) -> str:
    [default] = [
        rest for keyword, rest in dockerfile if keyword == "ARG" and rest.startswith("PYTHON_IMAGE=")
    ]
    return default.removeprefix("PYTHON_IMAGE=")


def test_the_base_image_is_an_exact_python_release_the_package_supports(dockerfile):
    image = _image(dockerfile)
    match = re.fullmatch(r"python:(\d+\.\d+\.\d+)-slim-\w+(@sha256:[0-9a-f]{64})?", image)
    assert match, f"{image}: pin an exact Python release (and, where you build, its digest)"
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requires = project["requires-python"]
    assert SpecifierSet(requires).contains(match.group(1))
    assert [rest.split()[0] for keyword, rest in dockerfile if keyword == "FROM"] == ["${PYTHON_IMAGE}"] * 2


def test_every_pip_install_is_constrained(dockerfile):
    constrained_stage = False
    installs = 0
    for keyword, rest in dockerfile:
        if keyword == "FROM":
            constrained_stage = False
        elif keyword == "ENV" and "PIP_CONSTRAINT=" in rest:
            constrained_stage = True
        elif keyword == "RUN":
            for command in rest.split("&&"):
                if re.search(r"pip (install|wheel)", command):
                    installs += 1
                    assert constrained_stage or "-c /tmp/constraints.txt" in command, command
    assert installs >= 3


def test_the_build_context_holds_what_the_dockerfile_copies(dockerfile):
    allowed = {
        line[1:].rstrip("/")
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.startswith("!")
    }
    sources = [
        source
        for keyword, rest in dockerfile
        if keyword == "COPY" and not rest.startswith("--from")
        for source in rest.split()[:-1]
    ]
    assert sources
    for source in sources:
        assert (REPO_ROOT / source).exists(), source
        assert source.rstrip("/") in allowed, f"{source} is kept out of the build context by .dockerignore"


def test_the_image_builds_the_database_it_then_serves_on_all_interfaces(dockerfile):
    from syria_incidents.cli.site import build, serve

    runs = [rest for keyword, rest in dockerfile if keyword == "RUN"]
    [build_run] = [r for r in runs if r.startswith("syria-incidents build")]
    [cmd] = [rest for keyword, rest in dockerfile if keyword == "CMD"]
    command = json.loads(cmd)
    assert command[:2] == ["syria-incidents", "serve"]
    served = dict(zip(command[2::2], command[3::2]))
    built = dict(zip(shlex.split(build_run)[2::2], shlex.split(build_run)[3::2]))
    assert served["--host"] == "0.0.0.0" and served["--out"] == built["--out"]
    assert [rest for keyword, rest in dockerfile if keyword == "EXPOSE"] == [served["--port"]]
    for command_object, options in ((serve, served), (build, built)):
        known = {opt for param in command_object.params for opt in param.opts}
        assert set(options) <= known, command_object.name


@pytest.mark.slow
def test_the_first_stage_builds_a_wheel_carrying_the_repository_data(dockerfile, tmp_path):
    """The wheel stage's COPY and `pip wheel`, run in a scratch directory (offline: no build isolation)."""
    from syria_incidents.versions.release import wheel_differences

    froms = [index for index, (keyword, _) in enumerate(dockerfile) if keyword == "FROM"]
    stage = dockerfile[froms[0] : froms[1]]
    assert ("WORKDIR", "/src") in stage  # the COPY targets below are relative to it
    for keyword, rest in stage:
        if keyword == "COPY":
            *sources, target = rest.split()
            for source in sources:
                destination = tmp_path / (source if target == "./" else target)
                if (REPO_ROOT / source).is_dir():
                    shutil.copytree(REPO_ROOT / source, destination)
                else:
                    shutil.copy2(REPO_ROOT / source, destination)
    [wheel_command] = [
        command.strip()
        for keyword, rest in stage
        if keyword == "RUN"
        for command in rest.split("&&")
        if "pip wheel" in command
    ]
    args = shlex.split(wheel_command)
    assert args[:4] == ["python", "-m", "pip", "wheel"]
    out = tmp_path / "dist"
    args = [sys.executable, *args[1:]]
    args[args.index("--wheel-dir") + 1] = str(out)
    built = subprocess.run([*args, "--no-build-isolation"], cwd=tmp_path, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = out.glob("syria_incidents-*.whl")
    assert wheel_differences(wheel, REPO_ROOT) == []
