"""Benchmark: `syria-incidents validate` against `frictionless validate` and a bare polars read.

For each scale, writes a synthetic valid package (benchmarks/generate.py, seeded),
then times, in the same run and each in a fresh child process, our validator,
frictionless' validator and a plain polars read of the same CSVs (all columns as
strings, as a validator must read them). Prints wall time, peak memory (the
child's ru_maxrss, from os.wait4) and the ratios, checks the targets, and writes
the results to benchmarks/out/validate-<date>.json.

    python benchmarks/validate.py --incidents 10000 100000 1000000
    python benchmarks/validate.py --incidents 10000 100000 1000000 --skip-frictionless-above 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
from generate import generate_package  # noqa: E402

# Targets from the issue, at 1,000,000 incidents.
FASTER_THAN_FRICTIONLESS = 25.0
WITHIN_POLARS_READ = 4.0
PEAK_MB = 1500.0

POLARS_READ = (
    "import sys, polars as pl\nfor path in sys.argv[1:]:\n    pl.read_csv(path, infer_schema=False)\n"
)


@dataclass
class Timing:
    incidents: int
    rows: int
    tool: str
    seconds: float
    peak_mb: float
    exit_code: int


def _script(name: str) -> str:
    """A console script installed beside this Python (the virtualenv's), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} is not installed; pip install -c constraints.txt -e '.[bench]'")
    return found


# Peak memory is read in a small helper process, not here: a child forked from this
# (large) process starts with this process's resident pages, and Linux carries that
# high-water mark across exec into the child's ru_maxrss.
MEASURE = (
    "import json, os, subprocess, sys, time\n"
    "out = open(sys.argv[1], 'wb')\n"
    "began = time.perf_counter()\n"
    "child = subprocess.Popen(sys.argv[2:], stdout=out, stderr=subprocess.STDOUT)\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "print(json.dumps([time.perf_counter() - began, usage.ru_maxrss, os.waitstatus_to_exitcode(status)]))\n"
)


def measure(command: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak resident MB, exit code and the start of the output of one fresh child."""
    with tempfile.NamedTemporaryFile(suffix=".log") as log:
        helper = subprocess.run(
            [sys.executable, "-S", "-c", MEASURE, log.name, *command],
            capture_output=True,
            text=True,
            check=True,
        )
        seconds, maxrss_kib, code = json.loads(helper.stdout)
        head = Path(log.name).read_bytes()[:2000].decode("utf-8", errors="replace")
    return seconds, maxrss_kib / 1024, code, head  # ru_maxrss is in KiB on Linux


def package_for(incidents: int, seed: int, regenerate: bool) -> tuple[Path, dict]:
    """The synthetic package for a scale, reused from an earlier run when its parameters match."""
    root = OUT / f"package-{incidents}-seed{seed}"
    marker = root / "counts.json"
    if marker.is_file() and not regenerate:
        return root, json.loads(marker.read_text())
    if root.exists():
        shutil.rmtree(root)
    began = time.perf_counter()
    counts = generate_package(root, incidents, seed)
    print(
        f"generated {incidents:,} incidents in {time.perf_counter() - began:.1f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items()),
        flush=True,
    )
    marker.write_text(json.dumps(counts))
    return root, counts


def run_scale(incidents: int, seed: int, with_frictionless: bool, regenerate: bool) -> list[Timing]:
    root, counts = package_for(incidents, seed, regenerate)
    rows = sum(counts.values())
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    csvs = [str(root / res["path"]) for res in descriptor["resources"]]
    commands = {
        "syria-incidents validate": [_script("syria-incidents"), "validate", str(root)],
        "polars read": [sys.executable, "-c", POLARS_READ, *csvs],
    }
    if with_frictionless:
        commands["frictionless validate"] = [
            _script("frictionless"),
            "validate",
            str(root / "datapackage.json"),
        ]
    timings = []
    for tool, command in commands.items():
        print(f"  {incidents:>9,} incidents: {tool} ...", end=" ", flush=True)
        seconds, peak, code, head = measure(command)
        print(f"{seconds:.2f} s, {peak:.0f} MB, exit {code}", flush=True)
        if code != 0:
            print(
                f"    {tool} did not pass the valid package (exit {code}); its output begins:\n"
                + "\n".join("    " + line for line in head.splitlines()[:15])
            )
        timings.append(Timing(incidents, rows, tool, seconds, peak, code))
    return timings


def table(timings: list[Timing]) -> list[str]:
    """The results as a Markdown table, with each tool's ratios at its scale."""
    lines = [
        "| incidents | rows | tool | wall s | peak MB | frictionless ÷ tool | tool ÷ polars read |",
        "| ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for t in timings:
        same = {x.tool: x for x in timings if x.incidents == t.incidents}
        fr = same.get("frictionless validate")
        pr = same.get("polars read")
        vs_fr = f"{fr.seconds / t.seconds:.1f}×" if fr else "–"
        vs_pr = f"{t.seconds / pr.seconds:.2f}×" if pr else "–"
        lines.append(
            f"| {t.incidents:,} | {t.rows:,} | {t.tool} | {t.seconds:.2f} | {t.peak_mb:.0f} | "
            f"{vs_fr} | {vs_pr} |"
        )
    return lines


def verdicts(timings: list[Timing]) -> list[str]:
    """Each target, met or not, at the largest scale measured; and time per million rows at each scale."""
    ours = [t for t in timings if t.tool == "syria-incidents validate"]
    if not ours:
        return []
    out = ["", "seconds per million rows (linear scaling keeps this flat):"]
    for t in ours:
        out.append(f"  {t.incidents:>9,} incidents, {t.rows:>10,} rows: {t.seconds / t.rows * 1e6:.2f} s")
    top = max(ours, key=lambda t: t.incidents)
    same = {t.tool: t for t in timings if t.incidents == top.incidents}
    out.append(f"targets at {top.incidents:,} incidents (set for 1,000,000):")
    if "frictionless validate" in same:
        speedup = same["frictionless validate"].seconds / top.seconds
        out.append(
            f"  {'met' if speedup >= FASTER_THAN_FRICTIONLESS else 'NOT met'}: "
            f"{speedup:.1f}× faster than frictionless (target ≥ {FASTER_THAN_FRICTIONLESS:g}×)"
        )
    ratio = top.seconds / same["polars read"].seconds
    out.append(
        f"  {'met' if ratio <= WITHIN_POLARS_READ else 'NOT met'}: "
        f"{ratio:.2f}× the polars read (target ≤ {WITHIN_POLARS_READ:g}×)"
    )
    out.append(
        f"  {'met' if top.peak_mb < PEAK_MB else 'NOT met'}: peak {top.peak_mb:.0f} MB (target < "
        f"{PEAK_MB:g} MB)"
    )
    if any(t.exit_code != 0 for t in timings):
        out.append("  WARNING: some command did not exit 0 on a valid package (see above)")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n")[-1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--incidents",
        type=int,
        nargs="+",
        default=[10_000, 100_000],
        help="scales to measure (figures ≈ 3× incidents, statements = incidents)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--skip-frictionless-above",
        type=int,
        default=None,
        metavar="N",
        help="do not run frictionless above N incidents (default: run it at every scale)",
    )
    parser.add_argument("--regenerate", action="store_true", help="write the packages again even if present")
    args = parser.parse_args(argv)

    OUT.mkdir(exist_ok=True)
    timings: list[Timing] = []
    for incidents in sorted(args.incidents):
        with_frictionless = args.skip_frictionless_above is None or incidents <= args.skip_frictionless_above
        timings.extend(run_scale(incidents, args.seed, with_frictionless, args.regenerate))
    report = table(timings) + verdicts(timings)
    print()
    print("\n".join(report))

    import frictionless
    import polars

    result = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "polars": polars.__version__,
            "frictionless": frictionless.__version__,
        },
        "seed": args.seed,
        "timings": [asdict(t) for t in timings],
        "summary": report,
    }
    target = OUT / f"validate-{dt.date.today().isoformat()}.json"
    target.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {target.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
