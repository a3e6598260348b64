"""The README's benchmark table is made from the benchmark's JSON, not typed."""

import json

import pytest

from bench import readme

SAMPLE = {
    "meta": {
        "commit": "0123456789abcdef0123456789abcdef01234567", "uncommitted_changes": False,
        "cores": 2, "machine": "x86_64", "python": "3.11.7",
        "measured_at": "2026-11-30T19:00:00+00:00", "scale": 0.05,
        "sizes": {"companies": 5, "teams": 100, "people": 1000, "entries": 50000},
        "duration_s": 5, "connections": 16, "wrk_threads": 2, "gunicorn_workers": 2,
        "worker_class": "sync", "server_threads": 1, "load_average": [3.5, 2.25, 1.0],
    },
    "steps": {
        "healthz": {"request": "GET /healthz", "about": "the baseline", "rps": 3500.04,
                    "p50_ms": 4.2, "p99_ms": 7.41, "ratio": 1.0, "worker_rss_mb": [98.5, 101.0]},
        "home_page": {"request": "GET /", "about": "the home page", "rps": 1234.5,
                      "p50_ms": 12.0, "p99_ms": 30.5, "ratio": 0.353},
        "log_collection": {"request": "POST /teams/1/collections", "rps": 0.0,
                           "p50_ms": None, "p99_ms": None, "ratio": 0.0,
                           "failed": "POST /teams/1/collections answered 404"},
    },
}

README = f"""# Title

Before the table.

{readme.START}
| old | table |
{readme.END}

After the table.
"""


def test_the_table_has_one_row_per_step_with_its_figures_and_ratio():
    text = readme.table(SAMPLE)
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| step | request | req/s")
    assert rows[1] == "| healthz | GET /healthz (the baseline) | 3 500.0 | 4.20 | 7.41 | 1.000 |  |"
    assert rows[2] == ("| home_page | GET / (the home page) | 1 234.5 | 12.00 | 30.50 | 0.353 "
                       "| ≥ 0.4: missed |")
    assert rows[3].startswith("| log_collection | POST /teams/1/collections: failed, ")
    assert rows[3].endswith("| 0.0 | - | - | 0.000 | ≥ 0.2: missed |")


def test_each_database_has_its_own_table_with_its_own_targets():
    fast_page = {"request": "GET /", "rps": 2000.0, "p50_ms": 5.0, "p99_ms": 20.0,
                 "ratio": 0.571}
    slow_page = {**fast_page, "p99_ms": 80.0}
    log = {"request": "POST /teams/1/collections", "rps": 450.0, "p50_ms": 30.0,
           "p99_ms": 60.0, "ratio": 0.129}
    document = {"meta": SAMPLE["meta"], "databases": {
        "postgresql": {"steps": {"home_page": fast_page, "tv_page": slow_page,
                                 "log_collection": log}},
        "sqlite": {"steps": {"log_collection": log}},
    }}
    text = readme.table(document)
    postgresql, sqlite = text.split("**SQLite")
    assert "**PostgreSQL**" in postgresql
    assert "| home_page | GET / | 2 000.0 | 5.00 | 20.00 | 0.571 | ≥ 0.4: met |" in postgresql
    # Fast enough on average but too slow at the 99th percentile.
    assert "| tv_page | GET / | 2 000.0 | 5.00 | 80.00 | 0.571 | ≥ 0.4: missed |" in postgresql
    assert "| 0.129 | ≥ 0.2: missed |" in postgresql
    assert "| 0.129 | ≥ 0.1: met |" in sqlite


def test_two_runs_are_shown_one_after_the_other(tmp_path):
    first, second = tmp_path / "previous.json", tmp_path / "latest.json"
    first.write_text(json.dumps(SAMPLE))
    later = {**SAMPLE, "meta": {**SAMPLE["meta"], "commit": "f" * 40}}
    second.write_text(json.dumps(later))
    target = tmp_path / "README.md"
    target.write_text(README)
    assert readme.main([str(first), str(second), str(target)]) == 0
    text = target.read_text()
    assert text.index("#### Run 1") < text.index("commit `0123456789ab`") \
        < text.index("#### Run 2") < text.index("commit `ffffffffffff`")


def test_the_table_says_what_was_measured_on_which_commit_and_cores():
    text = readme.table(SAMPLE)
    assert "commit `0123456789ab`" in text
    assert "on 2 cores" in text
    assert "scale 0.05: 5 workplaces, 100 teams, 1000 people, 50000 ledger entries" in text
    assert "98.5 MB, 101.0 MB" in text
    assert "Load average at the end (1, 5, 15 minutes): 3.5, 2.25, 1.0." in text
    unknown = {**SAMPLE, "meta": {**SAMPLE["meta"], "commit": "unknown",
                                  "uncommitted_changes": True}}
    assert "commit `unknown` with uncommitted changes" in readme.table(unknown)


def test_only_the_text_between_the_markers_is_rewritten():
    updated = readme.update(README, SAMPLE)
    assert updated.startswith("# Title\n\nBefore the table.\n\n" + readme.START + "\n")
    assert updated.endswith(readme.END + "\n\nAfter the table.\n")
    assert "| old | table |" not in updated
    assert readme.update(updated, SAMPLE) == updated  # made again: the same


def test_a_readme_without_markers_is_refused():
    with pytest.raises(ValueError):
        readme.update("# No markers\n", SAMPLE)


def test_the_command_writes_the_readme_from_a_json_file(tmp_path):
    source, target = tmp_path / "bench.json", tmp_path / "README.md"
    source.write_text(json.dumps(SAMPLE))
    target.write_text(README)
    assert readme.main([str(source), str(target)]) == 0
    assert readme.table(SAMPLE) in target.read_text()
