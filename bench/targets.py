"""What each benchmark step must reach, as a ratio of its requests per second to
`/healthz` in the same run, per database. One list for the run's printout and the README."""

BOARDS = ("company_teams_board", "all_companies_board", "goal_board")
PAGES = ("all_companies_page", "home_page", "goal_page", "team_page", "team_page_member",
         "workplace_page", "board_page", "challenge_page", "tv_page")

TARGETS = {
    "postgresql": {
        **dict.fromkeys(BOARDS, 0.4),
        "unchanged_poll": 0.7,
        **dict.fromkeys(PAGES, 0.4),
        "log_collection": 0.2,
    },
    "sqlite": {
        **dict.fromkeys(BOARDS, 0.4),
        "log_collection": 0.1,
    },
}
# Whole pages must also answer within this at the 99th percentile.
PAGE_P99_MS = 50.0


def verdict(database: str, name: str, step: dict) -> str | None:
    """"met", "missed" or None (no target) for one step's figures."""
    target = TARGETS.get(database, {}).get(name)
    if target is None:
        return None
    ratio = step.get("ratio") or 0
    p99 = step.get("p99_ms")
    slow = name in PAGES and (p99 is None or p99 > PAGE_P99_MS)
    return "missed" if ratio < target or slow or step.get("failed") else "met"
