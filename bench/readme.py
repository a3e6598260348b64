"""`make bench-readme`: the README's figures table, made from the JSON `make bench` wrote.

    python -m bench.readme [bench/latest.json] [README.md]

Only the part between the two markers is rewritten; the rest of the README stays as it is.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START = "<!-- bench-table: made by `make bench-readme` from the benchmark's JSON; edit that, not this -->"
END = "<!-- /bench-table -->"


def _number(value, digits: int) -> str:
    return "-" if value is None else f"{value:,.{digits}f}".replace(",", " ")


def table(document: dict) -> str:
    """The figures as Markdown: what they were measured on, then one row per step."""
    meta, steps = document["meta"], document["steps"]
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
        "",
        "| step | request | req/s | p50 ms | p99 ms | ratio to healthz |",
        "|------|---------|------:|-------:|-------:|-----------------:|",
    ]
    for name, step in steps.items():
        request = step.get("request", "")
        if step.get("about"):
            request = f"{request} ({step['about']})" if request else step["about"]
        if step.get("failed"):
            request = f"{request}: failed, {step['failed']}"
        lines.append(
            f"| {name} | {request.replace('|', '&#124;')} | {_number(step.get('rps'), 1)} | "
            f"{_number(step.get('p50_ms'), 2)} | {_number(step.get('p99_ms'), 2)} | "
            f"{_number(step.get('ratio'), 3)} |"
        )
    if meta.get("load_average"):
        lines += ["", "Load average at the end (1, 5, 15 minutes): "
                  + ", ".join(str(x) for x in meta["load_average"]) + "."]
    rss = steps.get("healthz", {}).get("worker_rss_mb")
    if rss:
        lines += ["", "Gunicorn workers' resident memory at the end: "
                  + ", ".join(f"{r} MB" for r in rss) + "."]
    return "\n".join(lines)


def update(readme: str, document: dict) -> str:
    """The README with the text between the markers replaced by the table."""
    if START not in readme or END not in readme:
        raise ValueError("The README has no bench-table markers to write between.")
    head, rest = readme.split(START, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{START}\n{table(document)}\n{END}{tail}"


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else ROOT / "bench" / "latest.json"
    target = Path(argv[1]) if len(argv) > 1 else ROOT / "README.md"
    document = json.loads(source.read_text())
    target.write_text(update(target.read_text(), document))
    print(f"Wrote the figures from {source} into {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
