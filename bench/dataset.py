"""Build the benchmark dataset in bulk with SQL: workplaces, teams, people, ledger entries,
and the stored totals computed from that ledger so that they agree. PostgreSQL (`build`)
and SQLite (`build_sqlite`) get the same rows."""

from sqlalchemy import text

SUBJECT_TOTALS = """
INSERT INTO tally (subject, subject_id, period, reported_ore, attested_ore, received_ore,
                   match_reported_ore, match_attested_ore, match_received_ore, entry_count,
                   changed_at)
SELECT s.subject, s.subject_id, p.period,
       coalesce(sum(e.amount_ore)
                FILTER (WHERE e.status IN ('pending', 'attested', 'received')), 0),
       coalesce(sum(e.amount_ore) FILTER (WHERE e.status IN ('attested', 'received')), 0),
       coalesce(sum(e.amount_ore) FILTER (WHERE e.status = 'received'), 0),
       0, 0, 0, count(*), max(e.created_at)
FROM ledger_entry e
CROSS JOIN LATERAL (VALUES ('team', e.team_id), ('company', e.company_id),
                           ('goal', e.goal_id), ('cg:' || e.goal_id, e.company_id),
                           ('tg:' || e.goal_id, e.team_id))
                   AS s(subject, subject_id)
CROSS JOIN LATERAL (SELECT 'all' UNION ALL SELECT to_char(e.collected_on, 'YYYY-MM')
                    UNION ALL SELECT 'c' || c.id FROM campaign c
                    WHERE c.starts_on <= e.collected_on
                      AND (c.ends_on IS NULL OR e.collected_on <= c.ends_on))
                   AS p(period)
GROUP BY s.subject, s.subject_id, p.period
"""


def build(session, companies: int, teams: int, people: int, entries: int,
          password_hash: str, log=print) -> None:
    """Fill an empty, migrated PostgreSQL database; commits."""
    run = lambda sql, **kw: session.execute(text(sql), kw)  # noqa: E731
    log(f"  {companies} workplaces, {teams} teams, {people} people, {entries} ledger entries")
    run("""
        INSERT INTO company (id, name, name_key, slug, street, postcode, city, headcount,
                             join_code, created_at)
        SELECT i, 'Bänkföretag ' || i || ' AB', 'bänkföretag ' || i || ' ab',
               'bankforetag-' || i || '-ab', 'Testgatan ' || i, '72212', 'Västerås',
               5 + (i * 37) % 400, 'bench-c-' || i, now()
        FROM generate_series(1, :n) AS i
    """, n=companies)
    run("""
        INSERT INTO team (id, company_id, goal_id, name, name_key, slug, target_ore, pitch,
                          join_code, reference, created_at)
        SELECT i, (i - 1) % :companies + 1,
               (SELECT id FROM goal WHERE number = i % 5 + 1),
               'Laget ' || i, 'laget ' || i, 'laget-' || i,
               CASE WHEN i % 3 = 0 THEN NULL ELSE 500000 + (i % 40) * 100000 END, '',
               'bench-t-' || i, 'B' || i, now()
        FROM generate_series(1, :n) AS i
    """, n=teams, companies=companies)
    run("""
        INSERT INTO "user" (id, email, display_name, password_hash, session_token, is_staff,
                            disabled, is_demo, show_name, created_at)
        SELECT i, 'person' || i || '@bench.lokalamal.se', 'Person ' || i, :hash,
               'bench-session-' || i, false, false, false, false, now()
        FROM generate_series(1, :n) AS i
    """, n=people, hash=password_hash)
    # Person i is in team (i - 1) % teams + 1 and in that team's workplace.
    run("""
        INSERT INTO membership (user_id, company_id, role, created_at)
        SELECT i, ((i - 1) % :teams) % :companies + 1,
               CASE WHEN i <= :companies THEN 'admin' ELSE 'member' END, now()
        FROM generate_series(1, :n) AS i
    """, n=people, teams=teams, companies=companies)
    run("""
        INSERT INTO team_member (team_id, user_id, company_id, created_at)
        SELECT (i - 1) % :teams + 1, i, ((i - 1) % :teams) % :companies + 1, now()
        FROM generate_series(1, :n) AS i
    """, n=people, teams=teams, companies=companies)
    run("UPDATE team SET captain_id = id WHERE id <= :people", people=people)
    log("  ledger entries")
    run("""
        INSERT INTO ledger_entry (team_id, company_id, goal_id, amount_ore, collected_on,
                                  method, note, status, status_reason, logged_by_id,
                                  received_on, received_reference, created_at)
        SELECT t.id, t.company_id, t.goal_id, (20 + (j::bigint * 7919) % 1500) * 100,
               current_date - ((j * 31) % 120), 'swish', '',
               CASE WHEN j % 10 < 4 THEN 'received' WHEN j % 10 < 6 THEN 'attested'
                    ELSE 'pending' END, '',
               t.id, CASE WHEN j % 10 < 4 THEN current_date - ((j * 31) % 120) END,
               CASE WHEN j % 10 < 4 THEN 'Bänkdata' ELSE '' END,
               now() - make_interval(secs => (:n - j))
        FROM generate_series(1, :n) AS j
        JOIN team t ON t.id = (j - 1) % :teams + 1
    """, n=entries, teams=teams)
    log("  stored totals from the ledger")
    run(SUBJECT_TOTALS)
    for table in ("company", "team", "user", "membership", "team_member", "ledger_entry",
                  "tally"):
        run(f"""SELECT setval(pg_get_serial_sequence('"{table}"', 'id'),
                              (SELECT max(id) FROM "{table}"))""")
    run("UPDATE board_version SET version = version + 1")
    session.commit()
    # VACUUM as well as ANALYZE, outside a transaction: left to autovacuum, the work on a
    # million new rows would run during the measurements, on the same two cores.
    engine = session.get_bind()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")


def add_challenge(session) -> int:
    """A running challenge between workplaces 1 and 2 (their first people are their admins),
    made through the app's own services so that its figures are the app's; commits."""
    from datetime import timedelta

    from lokalamal_app import clock
    from lokalamal_app.challenges import services
    from lokalamal_app.models import Company, User

    first, second = session.get(Company, 1), session.get(Company, 2)
    today = clock.today()
    challenge = services.propose_challenge(first, [second], today, today + timedelta(days=29),
                                           "total", None, "", actor=session.get(User, 1))
    services.answer_challenge(challenge, second, True, "", session.get(User, 2))
    session.commit()
    return challenge.id


def check(session) -> tuple[int, int]:
    """The ledger's sum of counted money and the stored grand total (the five goals' rows
    together): they must agree."""
    ledger = session.execute(text(
        "SELECT coalesce(sum(amount_ore), 0) FROM ledger_entry "
        "WHERE status IN ('pending', 'attested', 'received')"
    )).scalar_one()
    stored = session.execute(text(
        "SELECT coalesce(sum(reported_ore), 0) FROM tally WHERE subject = 'goal' "
        "AND period = 'all'"
    )).scalar_one()
    return int(ledger), int(stored)


# SQLite has no generate_series by default: numbers 1..n from a recursive query.
_NUMBERS = "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n) "


def build_sqlite(session, companies: int, teams: int, people: int, entries: int,
                 password_hash: str, log=print) -> None:
    """The same rows as `build`, in an empty, migrated SQLite database; the stored totals
    are written by the app's own rebuild (`ledger-rebuild`). Commits."""
    from lokalamal_app.ledger import check as ledger_check

    run = lambda sql, **kw: session.execute(text(sql), kw)  # noqa: E731
    log(f"  {companies} workplaces, {teams} teams, {people} people, {entries} ledger entries")
    run(_NUMBERS + """
        INSERT INTO company (id, name, name_key, search_key, slug, street, postcode, city,
                             headcount, join_code, created_at)
        SELECT i, 'Bänkföretag ' || i || ' AB', 'bänkföretag ' || i || ' ab',
               'bankforetag ' || i || ' ab', 'bankforetag-' || i || '-ab',
               'Testgatan ' || i, '72212', 'Västerås', 5 + (i * 37) % 400, 'bench-c-' || i,
               CURRENT_TIMESTAMP
        FROM s
    """, n=companies)
    run(_NUMBERS + """
        INSERT INTO team (id, company_id, goal_id, name, name_key, slug, target_ore, pitch,
                          join_code, reference, created_at)
        SELECT i, (i - 1) % :companies + 1,
               (SELECT id FROM goal WHERE number = i % 5 + 1),
               'Laget ' || i, 'laget ' || i, 'laget-' || i,
               CASE WHEN i % 3 = 0 THEN NULL ELSE 500000 + (i % 40) * 100000 END, '',
               'bench-t-' || i, 'B' || i, CURRENT_TIMESTAMP
        FROM s
    """, n=teams, companies=companies)
    run(_NUMBERS + """
        INSERT INTO "user" (id, email, display_name, password_hash, session_token, is_staff,
                            disabled, is_demo, show_name, created_at)
        SELECT i, 'person' || i || '@bench.lokalamal.se', 'Person ' || i, :hash,
               'bench-session-' || i, 0, 0, 0, 0, CURRENT_TIMESTAMP
        FROM s
    """, n=people, hash=password_hash)
    run(_NUMBERS + """
        INSERT INTO membership (user_id, company_id, role, created_at)
        SELECT i, ((i - 1) % :teams) % :companies + 1,
               CASE WHEN i <= :companies THEN 'admin' ELSE 'member' END, CURRENT_TIMESTAMP
        FROM s
    """, n=people, teams=teams, companies=companies)
    run(_NUMBERS + """
        INSERT INTO team_member (team_id, user_id, company_id, created_at)
        SELECT (i - 1) % :teams + 1, i, ((i - 1) % :teams) % :companies + 1, CURRENT_TIMESTAMP
        FROM s
    """, n=people, teams=teams, companies=companies)
    run("UPDATE team SET captain_id = id WHERE id <= :people", people=people)
    log("  ledger entries")
    run(_NUMBERS + """
        INSERT INTO ledger_entry (team_id, company_id, goal_id, amount_ore, collected_on,
                                  method, note, status, status_reason, logged_by_id,
                                  received_on, received_reference, created_at)
        SELECT t.id, t.company_id, t.goal_id, (20 + (s.i * 7919) % 1500) * 100,
               date('now', '-' || ((s.i * 31) % 120) || ' days'), 'swish', '',
               CASE WHEN s.i % 10 < 4 THEN 'received' WHEN s.i % 10 < 6 THEN 'attested'
                    ELSE 'pending' END, '',
               t.id,
               CASE WHEN s.i % 10 < 4 THEN date('now', '-' || ((s.i * 31) % 120) || ' days')
               END,
               CASE WHEN s.i % 10 < 4 THEN 'Bänkdata' ELSE '' END,
               datetime('now', '-' || (:n - s.i) || ' seconds')
        FROM s JOIN team t ON t.id = (s.i - 1) % :teams + 1
    """, n=entries, teams=teams)
    log("  stored totals from the ledger")
    ledger_check.rebuild_tallies()
    run("UPDATE board_version SET version = version + 1")
    session.commit()
    run("ANALYZE")
    session.commit()
