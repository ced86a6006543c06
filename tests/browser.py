"""Where the browser tests find a Chromium: one search, shared by the tests and `make browser`.

In order: the path in $SYRIA_INCIDENTS_CHROMIUM; then `chromium`, `chromium-browser`,
`google-chrome`, `google-chrome-stable` on PATH; then /usr/bin/chromium. A variable that
is set but names no executable file is an error, not a reason to look elsewhere: a typo
must not silently test another browser.

As a script (standard library only, so `make browser` can run it before anything is
installed): prints the path found and exits 0; or prints what to do on stderr and exits
1 when nothing was found, 2 when $SYRIA_INCIDENTS_CHROMIUM names no executable file.

    python3 tests/browser.py
"""

from __future__ import annotations

import os
import shutil
import sys

ENV_VAR = "SYRIA_INCIDENTS_CHROMIUM"
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FALLBACK = "/usr/bin/chromium"
NEEDED = f"a Chromium: set {ENV_VAR}=/path or install chromium"


class BadVariable(Exception):
    """$SYRIA_INCIDENTS_CHROMIUM is set but names no executable file."""


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_chromium(environ=None, fallback: str = FALLBACK) -> str | None:
    """The Chromium to drive, or None. Raises BadVariable when the variable is wrong."""
    environ = os.environ if environ is None else environ
    chosen = environ.get(ENV_VAR, "")
    if chosen:
        if not _executable(chosen):
            raise BadVariable(
                f"{ENV_VAR}={chosen} is not an executable file; point it at a Chromium or unset it"
            )
        return os.path.abspath(chosen)
    for name in NAMES:
        found = shutil.which(name, path=environ.get("PATH", os.defpath))
        if found:
            return found
    return fallback if _executable(fallback) else None


def missing_message(environ=None, fallback: str = FALLBACK) -> str | None:
    """Why the browser tests cannot run (naming what they need), or None when they can."""
    try:
        if find_chromium(environ, fallback):
            return None
    except BadVariable as exc:
        return f"the browser tests need {NEEDED} ({exc})"
    return (
        f"the browser tests need {NEEDED} (looked for ${ENV_VAR}, then "
        f"{', '.join(NAMES)} on PATH, then {fallback}; "
        f"as root `make browser` installs Debian's chromium)"
    )


def require_chromium() -> str:
    """For the tests: the Chromium's path; else skip, naming what is needed (fail under CI=true)."""
    import pytest

    reason = missing_message()
    if reason is None:
        return find_chromium()
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}. CI=true: the browser tests must run, never skip", pytrace=False)
    pytest.skip(reason)


def main() -> int:
    try:
        path = find_chromium()
    except BadVariable:
        print(missing_message(), file=sys.stderr)
        return 2
    if path is None:
        print(missing_message(), file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
