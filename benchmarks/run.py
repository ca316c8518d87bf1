"""Run every benchmark, print the results and write benchmarks/RESULTS.md.

Each result is a ratio against a baseline measured in the same run on the same machine, printed
with its target and whether the target was met. Benchmarks report; tests assert: the exit status
is 0 whatever the numbers (a benchmark that crashes is reported as an error, and the rest run).

    .venv/bin/python benchmarks/run.py [--only 1,3] [--databases sqlite,postgresql] [--diagnose]
                                       [--output PATH]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
import traceback
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import bench_ack, bench_burst, bench_fanout, bench_recovery, bench_sweep  # noqa: E402
from benchmarks.common import POSTGRES_ENV, Report, backends, machine  # noqa: E402

BENCHMARKS = {
    1: ("Ack latency: open loop at 100 requests/s, and a saturation run", bench_ack.run),
    2: ("Urgent fan-out to 3,000 contacts in 1,000 organisations (rate-limited)", bench_fanout.run),
    3: ("500-click burst on one invitation, both cores kept busy by another process (rate-limited)",
        bench_burst.run),
    4: ("Sweep lag: invitations due at once (rate-limited)", bench_sweep.run),
    5: ("Recovery: restart after a SIGKILL mid-fan-out to the next invitation", bench_recovery.run),
}
BACKEND_NAMES = {"sqlite": "SQLite (a file in a temporary directory)",
                 "postgresql": "PostgreSQL (a throw-away database on DIALOG_BENCH_POSTGRES_URL)"}
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def _ratio(ratio: float | None) -> str:
    if ratio is None:
        return "–"
    return f"{ratio:.0f}×" if ratio >= 100 else f"{ratio:.2f}×"


def _met(met: bool | None) -> str:
    return "–" if met is None else ("yes" if met else "**no**")


def _print_report(report: Report) -> None:
    print(f"\n{report.number}. {report.title} [{report.backend}, {report.seconds:.0f} s]", flush=True)
    if report.error:
        print(f"   ERROR: {report.error}", flush=True)
    for result in report.results:
        met = "-" if result.met is None else ("met" if result.met else "NOT MET")
        print(f"   {result.measure}: {result.value} (baseline {result.baseline}); "
              f"ratio {_ratio(result.ratio)}; target {result.target}: {met}", flush=True)
    for line in report.details:
        print(f"     · {line}", flush=True)


def _markdown(reports: list[Report], info: dict[str, str], seconds: float) -> str:
    used = sorted({r.backend for r in reports}, key=list(BACKEND_NAMES).index)
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`benchmarks/run.py`). Each ratio compares Dialogbot with a baseline "
        "measured in the same run on the same machine; `benchmarks/README.md` says what each one means. "
        "Benchmarks report, tests assert: a missed target is a finding, not a failure.",
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        *[f"| {key} | {value} |" for key, value in info.items()],
        f"| database | {'; '.join(BACKEND_NAMES[b] for b in used)} |",
        f"| total run time | {seconds:.0f} s |",
        "",
        "## Results",
        "",
        "| # | database | measure | Dialogbot | baseline | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for report in reports:
        if report.error:
            lines.append(f"| {report.number} | {report.backend} | {report.title} | error: "
                         f"{report.error.replace('|', '/')} | | | | **no** |")
        for r in report.results:
            lines.append(f"| {report.number} | {report.backend} | {r.measure} | {r.value} | {r.baseline} | "
                         f"{_ratio(r.ratio)} | {r.target} | {_met(r.met)} |")
    lines += ["", "## Details", ""]
    for report in reports:
        lines.append(f"### {report.number}. {report.title} ({report.backend}, {report.seconds:.0f} s)")
        lines.append("")
        if report.error:
            lines.append(f"- Error: {report.error}")
        lines += [f"- {line}" for line in report.details]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated benchmark numbers (default: all)")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"results file (default {RESULTS})")
    parser.add_argument("--databases", default="",
                        help="comma-separated: sqlite, postgresql (default: sqlite, plus postgresql when "
                             "DIALOG_BENCH_POSTGRES_URL is set)")
    parser.add_argument("--diagnose", action="store_true",
                        help="also run the click burst with the fake's rate limits off, to show what the "
                             "limits cost")
    args = parser.parse_args(argv)
    chosen = [int(n) for n in args.only.split(",") if n.strip()] or list(BENCHMARKS)
    databases = [d.strip() for d in args.databases.split(",") if d.strip()] or backends()
    unknown = [d for d in databases if d not in BACKEND_NAMES]
    if unknown or ("postgresql" in databases and not os.environ.get(POSTGRES_ENV)):
        parser.error(f"databases are sqlite and postgresql (the latter needs {POSTGRES_ENV})")
    runs = [(number, BENCHMARKS[number][0], BENCHMARKS[number][1]) for number in chosen]
    if args.diagnose:
        runs.append((3, "500-click burst on one invitation, rate limits off (diagnostic)",
                     partial(bench_burst.run, rate_limits=False)))
    logging.basicConfig(level=logging.ERROR)
    info = machine()
    print("Dialogbot benchmarks: " + "; ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    started = time.monotonic()
    reports: list[Report] = []
    with tempfile.TemporaryDirectory(prefix="dialogbot-bench-") as tmp:
        for backend in databases:
            for position, (number, title, run) in enumerate(runs):
                workdir = Path(tmp) / f"{backend}-{position}-{number}"
                workdir.mkdir()
                began = time.monotonic()
                try:
                    report = run(backend, workdir)
                except Exception as exc:  # noqa: BLE001 - report it and go on with the others
                    traceback.print_exc()
                    report = Report(number, title, backend, error=f"{type(exc).__name__}: {exc}")
                report.title = title
                report.seconds = time.monotonic() - began
                _print_report(report)
                reports.append(report)
    seconds = time.monotonic() - started
    args.output.write_text(_markdown(reports, info, seconds) + "\n")
    missed = sum(1 for r in reports for x in r.results if x.met is False) + sum(1 for r in reports if r.error)
    print(f"\n{sum(len(r.results) for r in reports)} results, {missed} target(s) missed or errors, "
          f"in {seconds:.0f} s; written to {args.output}", flush=True)
    return 0

if __name__ == "__main__":
    sys.exit(main())
