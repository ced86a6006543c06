"""Every use of git in the package goes through this module.

Reading a package at a ref, walking the history of the data, the release's tags and
the database fingerprint all call the functions here; no other module runs ``git``.
A machine without git, or a directory outside a work tree, reads as "no history"
(``None`` or an empty list) wherever a caller can go on without one.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


class GitError(RuntimeError):
    """A git command that had to succeed failed, or git is not installed."""


@dataclass
class Commit:
    commit: str
    committed_at: str  # ISO 8601 with offset
    subject: str


def git(repo: str | Path, *args: str, binary: bool = False, check: bool = True):
    """Run git in ``repo``; stdout as text (or bytes), or None when ``check`` is off and git fails."""
    try:
        proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError:  # no git on this machine
        if not check:
            return None
        raise GitError("git is not installed") from None
    if proc.returncode != 0:
        if not check:
            return None
        raise GitError(proc.stderr.decode("utf-8", errors="replace").strip() or f"git {args[0]} failed")
    return proc.stdout if binary else proc.stdout.decode("utf-8", errors="replace")


def repo_of(path: str | Path) -> tuple[Path, str] | None:
    """The git work tree containing ``path`` and the package's prefix inside it, or None."""
    path = Path(path).resolve()
    directory = path if path.is_dir() else path.parent
    top = git(directory, "rev-parse", "--show-toplevel", check=False)
    if top is None:
        return None
    top_path = Path(top.strip())
    prefix = directory.relative_to(top_path).as_posix()
    return top_path, "" if prefix == "." else prefix + "/"


def resolve_commit(repo: str | Path, ref: str) -> str | None:
    """The full commit id ``ref`` names in ``repo``, or None."""
    out = git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    return out.strip() if out else None


def read_blob(repo: str | Path, commit: str, path: str) -> bytes | None:
    """The bytes of ``path`` at ``commit``, or None when it is not there."""
    return git(repo, "show", f"{commit}:{path}", binary=True, check=False)


def commits_touching(repo: str | Path, paths: list[str], rev: str = "HEAD") -> list[Commit]:
    """Commits reachable from ``rev`` that touched any of ``paths``, oldest first; [] without git."""
    out = git(repo, "log", "--reverse", "--format=%H%x09%cI%x09%s", rev, "--", *paths, check=False)
    if out is None:
        return []
    return [Commit(*line.split("\t", 2)) for line in out.splitlines() if line.count("\t") >= 2]


def last_commit_touching(repo: str | Path, paths: list[str], rev: str = "HEAD") -> str | None:
    """The newest commit reachable from ``rev`` that touched any of ``paths``, or None."""
    out = git(repo, "log", "-1", "--format=%H", rev, "--", *paths, check=False)
    return (out or "").strip() or None


def latest_tag(repo: str | Path, pattern: str) -> str | None:
    """The most recent tag matching ``pattern`` reachable from HEAD, or None."""
    out = git(repo, "describe", "--tags", "--abbrev=0", "--match", pattern, "HEAD", check=False)
    return out.strip() if out else None


def create_tag(repo: str | Path, name: str, message: str) -> None:
    """An annotated tag at HEAD; raises GitError when git refuses (e.g. the tag exists)."""
    git(repo, "tag", "-a", name, "-m", message)


class BlobReader:
    """Read many ``commit:path`` blobs through one ``git cat-file --batch`` process.

    One process for a whole history walk is much faster than one ``git show`` per file.
    """

    def __init__(self, repo: str | Path):
        self.proc = subprocess.Popen(
            ["git", "-C", str(repo), "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )

    def read(self, commit: str, path: str) -> bytes | None:
        self.proc.stdin.write(f"{commit}:{path}\n".encode())
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().decode().split()
        if len(header) < 3 or header[1] != "blob":
            return None  # "<object> missing", or a tree
        data = self.proc.stdout.read(int(header[2]))
        self.proc.stdout.read(1)  # the newline after each object
        return data

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
