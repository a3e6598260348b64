"""`make bench-readme`: the README's figures tables, made from the JSON `make bench` wrote.

    python -m bench.readme [run.json ...] [README.md]

Without runs named: bench/previous.json (when there is one) and bench/latest.json, the last
two runs in the order they ran. Only the part between the two markers is rewritten; the
rest of the README stays as it is.
"""

import json
import sys
from pathlib import Path

from bench.targets import TARGETS, verdict

ROOT = Path(__file__).resolve().parent.parent
DATABASE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite (as `make run` serves it)"}
START = "<!-- bench-table: made by `make bench-readme` from the benchmark's JSON; edit that, not this -->"
END = "<!-- /bench-table -->"


def _number(value, digits: int) -> str:
    return "-" if value is None else f"{value:,.{digits}f}".replace(",", " ")


def databases(document: dict) -> dict[str, dict]:
    """Each database's steps; a run from before SQLite was measured has PostgreSQL's only."""
    if "databases" in document:
        return {name: run["steps"] for name, run in document["databases"].items()}
    return {"postgresql": document["steps"]}


def table(document: dict) -> str:
    """The figures as Markdown: what they were measured on, then per database one row per
    step with its target and whether it was met."""
    meta = document["meta"]
    sizes = meta.get("sizes", {})
    commit = meta.get("commit", "unknown")
    short = commit[:12] if commit != "unknown" else commit
    changes = " with uncommitted changes" if meta.get("uncommitted_changes") else ""
    lines = [
        f"Measured {meta.get('measured_at', '?')} at commit `{short}`{changes} on "
        f"{meta.get('cores', '?')} cores ({meta.get('machine', '?')}, Python "
        f"{meta.get('python', '?')}); scale {meta.get('scale', '?')}: "
        f"{sizes.get('companies', '?')} workplaces, {sizes.get('teams', '?')} teams, "
        f"{sizes.get('people', '?')} people, {sizes.get('entries', '?')} ledger entries; "
        f"gunicorn {meta.get('gunicorn_workers', '?')} {meta.get('worker_class', '?')} workers "
        f"× {meta.get('server_threads', '?')} thread(s), wrk {meta.get('wrk_threads', '?')} "
        f"threads at {meta.get('connections', '?')} connections, "
        f"{meta.get('duration_s', '?')} s per step.",
    ]
    rss = []
    for database, steps in databases(document).items():
        lines += ["", f"**{DATABASE_NAMES.get(database, database)}**", "",
                  "| step | request | req/s | p50 ms | p99 ms | ratio to healthz | target |",
                  "|------|---------|------:|-------:|-------:|-----------------:|--------|"]
        for name, step in steps.items():
            request = step.get("request", "")
            if step.get("about"):
                request = f"{request} ({step['about']})" if request else step["about"]
            if step.get("failed"):
                request = f"{request}: failed, {step['failed']}"
            target = TARGETS.get(database, {}).get(name)
            mark = f"≥ {target}: {verdict(database, name, step)}" if target else ""
            lines.append(
                f"| {name} | {request.replace('|', '&#124;')} | {_number(step.get('rps'), 1)} | "
                f"{_number(step.get('p50_ms'), 2)} | {_number(step.get('p99_ms'), 2)} | "
                f"{_number(step.get('ratio'), 3)} | {mark} |"
            )
        rss += steps.get("healthz", {}).get("worker_rss_mb") or []
    if meta.get("load_average"):
        lines += ["", "Load average at the end (1, 5, 15 minutes): "
                  + ", ".join(str(x) for x in meta["load_average"]) + "."]
    if rss:
        lines += ["", "Gunicorn workers' resident memory at the end: "
                  + ", ".join(f"{r} MB" for r in rss) + "."]
    return "\n".join(lines)


def update(readme: str, *documents: dict) -> str:
    """The README with the text between the markers replaced by one table per run."""
    if START not in readme or END not in readme:
        raise ValueError("The README has no bench-table markers to write between.")
    head, rest = readme.split(START, 1)
    _old, tail = rest.split(END, 1)
    runs = [f"#### Run {n}\n\n{table(document)}" if len(documents) > 1 else table(document)
            for n, document in enumerate(documents, 1)]
    return f"{head}{START}\n" + "\n\n".join(runs) + f"\n{END}{tail}"


def main(argv: list[str]) -> int:
    sources = [Path(arg) for arg in argv if arg.endswith(".json")]
    targets = [Path(arg) for arg in argv if not arg.endswith(".json")]
    if not sources:
        sources = [path for path in (ROOT / "bench" / "previous.json",
                                     ROOT / "bench" / "latest.json") if path.exists()]
    target = targets[0] if targets else ROOT / "README.md"
    documents = [json.loads(source.read_text()) for source in sources]
    target.write_text(update(target.read_text(), *documents))
    print(f"Wrote the figures from {', '.join(map(str, sources))} into {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
