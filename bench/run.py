"""Benchmark: build the large dataset, serve it with gunicorn (two workers) and load it
with wrk from a separate process.

    make bench                       # full size: 100 workplaces ... 1 000 000 entries
    BENCH_SCALE=0.05 make bench      # a twentieth of it, to check that it works
    BENCH_OUT=bench.json make bench  # write the figures as JSON elsewhere
    make bench-readme                # the README's figures table from that JSON

Environment: BENCH_DATABASES (default "postgresql sqlite": the same steps on each, as
separate sets of figures), BENCH_DATABASE_URL (an empty PostgreSQL database; without it a
throw-away PostgreSQL is started with scripts/pg-test-server), BENCH_SCALE, BENCH_DURATION (seconds
per step, default 10), BENCH_CONNECTIONS (default 16), BENCH_THREADS (wrk, default 2),
BENCH_WORKER_CLASS (gunicorn, default sync), BENCH_SERVER_THREADS (per worker, default 1),
BENCH_OUT (default bench/latest.json; the README's table is made from it by
scripts/bench_readme.py).
"""

import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path

from bench.targets import TARGETS, verdict

ROOT = Path(__file__).resolve().parent.parent
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WRK_THREADS = int(os.environ.get("BENCH_THREADS", "2"))
# As gunicorn.conf.py serves the app: sync workers. Threads (gthread) were slower here at
# every step, logging most of all: they spend the time handing Python's lock to each other.
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
SERVER_THREADS = int(os.environ.get("BENCH_SERVER_THREADS", "1"))

SIZES = {
    "companies": max(2, round(100 * SCALE)),
    "teams": max(10, round(2_000 * SCALE)),
    "people": max(20, round(20_000 * SCALE)),
    "entries": max(100, round(1_000_000 * SCALE)),
}

REPORT_LUA = """
done = function(summary, latency, requests)
  io.write(string.format(
    "BENCH_RESULT %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), summary.errors.status,
    summary.errors.connect, summary.errors.read, summary.errors.timeout))
end
"""

# Each request posts as the next of several people, each to their own team: as many
# colleagues logging at once do (one person's posts alone would all wait on one team's rows).
POST_LUA = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local senders = {%(senders)s}
local counter = 0
request = function()
  counter = counter + 1
  local sender = senders[(counter + tid) %% #senders + 1]
  local body = "amount=25&collected_on=%(day)s&method=swish&note=bench"
    .. "&idempotency_key=" .. string.format("%%08x%%08x", tid, counter) .. "%(run)s"
    .. "&csrf_token=" .. sender[3]
  return wrk.format("POST", sender[1], {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = sender[2],
    ["X-CSRFToken"] = sender[3],
    ["User-Agent"] = "%(agent)s",
  }, body)
end
"""


def stockholm_today() -> str:
    """The day the app takes as today (its one clock), whatever the machine's zone."""
    sys.path.insert(0, str(ROOT))
    from lokalamal_app import clock

    return clock.today().isoformat()


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    log("wrk is missing; installing Debian's package")
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True)
    return shutil.which("wrk")


class Sqlite:
    """A throw-away SQLite file for the run, as `make run` uses one."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="lokalamal-bench-sqlite-")
        self.url = f"sqlite:///{self.dir}/bench.db"
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)


class Postgres:
    """A throw-away PostgreSQL for the run, unless BENCH_DATABASE_URL names one."""

    def __init__(self):
        self.dir = None
        self.url = os.environ.get("BENCH_DATABASE_URL")

    def __enter__(self):
        if not self.url:
            self.dir = tempfile.mkdtemp(prefix="lokalamal-bench-pg-")
            out = subprocess.run(
                [str(ROOT / "scripts/pg-test-server"), "start", self.dir, str(free_port())],
                check=True, capture_output=True, text=True,
            )
            self.url = out.stdout.strip().splitlines()[-1]
        return self

    def __exit__(self, *exc):
        if self.dir:
            subprocess.run([str(ROOT / "scripts/pg-test-server"), "stop", self.dir])
            shutil.rmtree(self.dir, ignore_errors=True)


def build_dataset(env: dict) -> None:
    """Migrate and fill the database in this process, with the app's own settings."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from lokalamal_app import create_app
    from lokalamal_app.auth.passwords import hash_password
    from lokalamal_app.extensions import db

    from . import dataset

    app = create_app("development")
    with app.app_context():
        upgrade()
        if db.session.execute(db.text("SELECT count(*) FROM ledger_entry")).scalar_one():
            raise SystemExit("The benchmark database must be empty.")
        started = time.monotonic()
        build = dataset.build if db.engine.dialect.name == "postgresql" else dataset.build_sqlite
        build(db.session, **SIZES, password_hash=hash_password("bänk och bord 2026"), log=log)
        ledger_sum, stored = dataset.check(db.session)
        log(f"  built in {time.monotonic() - started:.0f} s; ledger {ledger_sum} öre, "
            f"stored total {stored} öre: {'consistent' if ledger_sum == stored else 'DIFFERENT'}")
        if ledger_sum != stored:
            raise SystemExit("Stored totals disagree with the ledger.")
        challenge_id = dataset.add_challenge(db.session)
        log(f"  challenge {challenge_id} between workplaces 1 and 2")
        db.session.remove()
        db.engine.dispose()


class Server:
    def __init__(self, env: dict):
        self.port = free_port()
        self.env = {**os.environ, **env}
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", WORKER_CLASS,
             "--threads", str(SERVER_THREADS), "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning",
             "wsgi:app"],
            cwd=ROOT, env=self.env,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(self.url("/healthz"), timeout=1).read()
                return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{self.proc.pid}$", text, re.M):
                rss = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
                if rss:
                    sizes.append(round(int(rss.group(1)) / 1024, 1))
        return sizes

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


# One browser: logged-in steps send the User-Agent they logged in with, as a phone does. With
# another, Flask-Login's session protection marks every answer's session as no longer fresh
# and each answer carries a new cookie, which no real visitor causes.
USER_AGENT = "Mozilla/5.0 (lokalamal-bench)"

GET_WITH_COOKIE_LUA = """
wrk.headers["Cookie"] = "%(cookie)s"
wrk.headers["User-Agent"] = "%(agent)s"
"""

MEMBER = ("person1@bench.lokalamal.se", "bänk och bord 2026")


def wrk(wrk_path: str, url: str, script: str) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script + REPORT_LUA)
        lua = f.name
    try:
        out = subprocess.run(
            [wrk_path, f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--timeout",
             "5s", "-s", lua, url],
            check=True, capture_output=True, text=True,
        ).stdout
    finally:
        os.unlink(lua)
    line = next(line for line in out.splitlines() if line.startswith("BENCH_RESULT"))
    requests, duration_us, p50, p99, status_errors, *socket_errors = map(int, line.split()[1:])
    return {
        "rps": round(requests / (duration_us / 1e6), 1),
        "p50_ms": round(p50 / 1000, 2),
        "p99_ms": round(p99 / 1000, 2),
        "non_2xx_3xx": status_errors,
        "socket_errors": sum(socket_errors),
    }


def login(server: Server, email: str, password: str) -> tuple[str, str]:
    """Log in through the real form; the session cookie and a CSRF token for posts."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(server.url("/login")).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'"X-CSRFToken": "([^"]+)"', page)
    data = urllib.parse.urlencode({"email": email, "password": password,
                                   "csrf_token": token.group(1)}).encode()
    opener.open(server.url("/login"), data=data).read()
    home = opener.open(server.url("/")).read().decode()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', home).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, token


def post_collection_once(server: Server, path: str, cookie: str, token: str) -> int:
    body = urllib.parse.urlencode({
        "amount": "25", "collected_on": stockholm_today(), "method": "swish",
        "note": "bench", "idempotency_key": secrets.token_hex(16),
        "csrf_token": token,
    }).encode()
    request = urllib.request.Request(server.url(path), data=body, headers={
        "Cookie": cookie, "X-CSRFToken": token, "User-Agent": USER_AGENT,
        "Content-Type": "application/x-www-form-urlencoded",
    })

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        return urllib.request.build_opener(NoRedirect).open(request).status
    except urllib.error.HTTPError as error:
        return error.code


DATABASES = {"postgresql": Postgres, "sqlite": Sqlite}


def main() -> int:
    wrk_path = ensure_wrk()
    chosen = os.environ.get("BENCH_DATABASES", "postgresql sqlite").split()
    unknown = [name for name in chosen if name not in DATABASES]
    if unknown:
        raise SystemExit(f"BENCH_DATABASES: unknown {', '.join(unknown)} "
                         f"(choose from {', '.join(DATABASES)})")
    databases = {}
    for name in chosen:
        log(f"== {name}")
        databases[name] = {"steps": measure(DATABASES[name], wrk_path)}
        print_table(name, databases[name]["steps"])
    out = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "latest.json")
    document = {"meta": run_facts(), "databases": databases}
    if out.exists() and not os.environ.get("BENCH_OUT"):
        # The run before stays beside it: the README shows two runs in a row.
        out.replace(out.with_name("previous.json"))
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    log(f"Wrote {out}")
    return 0


def measure(database, wrk_path: str) -> dict:
    """Build the dataset in a fresh database of this kind and run every step on it."""
    with database() as db:
        env = {
            "DATABASE_URL": db.url,
            "FLASK_CONFIG": "development",
            "SECRET_KEY": secrets.token_hex(32),
        }
        log(f"Building the dataset (scale {SCALE})")
        # In a child process: the app's settings are read from the environment at import.
        subprocess.run([sys.executable, "-c", "from bench.run import build_dataset; import os, json; "
                        "build_dataset(json.loads(os.environ['BENCH_ENV']))"],
                       cwd=ROOT, env={**os.environ, "BENCH_ENV": json.dumps(env)}, check=True)
        return run_load(env, wrk_path)


def run_facts() -> dict:
    """What the figures were measured on: the code (commit), the machine, the settings."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout.strip() or "unknown"
        # The figures of the runs before (bench/*.json) are not the code being measured.
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no",
                                     "--", ".", ":!bench/*.json"],
                                    cwd=ROOT, capture_output=True, text=True).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = "unknown", False
    return {
        "commit": commit,
        "uncommitted_changes": dirty,
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        # Other work on the machine moves every figure; the 1, 5 and 15 minute load averages.
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "scale": SCALE,
        "sizes": SIZES,
        "duration_s": DURATION,
        "connections": CONNECTIONS,
        "wrk_threads": WRK_THREADS,
        "gunicorn_workers": 2,
        "worker_class": WORKER_CLASS,
        "server_threads": SERVER_THREADS,
    }


# (name, path, what it is, logged in as a member): the boards' steps, then whole pages a
# visitor opens, each compared with /healthz in the same run.
STEPS = [
    ("healthz", "/healthz", "the baseline", False),
    ("company_teams_board", "/leaderboards/companies/bankforetag-1-ab/teams?fragment=1",
     "a workplace's team board fragment", False),
    ("all_companies_board", "/leaderboards/companies?fragment=1",
     "the all-workplaces board fragment", False),
    ("goal_board", "/leaderboards/goals/ingen-ensamhet/teams?fragment=1",
     "a goal's team board fragment", False),
    ("unchanged_poll", "/leaderboards/teams?fragment=1&v={version}",
     "a live poll with the current version (204)", False),
    ("all_companies_page", "/leaderboards/companies", "the whole all-workplaces board page",
     False),
    ("home_page", "/", "the home page", False),
    ("goal_page", "/goals/ingen-ensamhet", "a goal's page", False),
    ("team_page", "/teams/laget-1", "a team's page", False),
    ("team_page_member", "/teams/laget-1", "the same team page, logged in as its member",
     True),
    ("workplace_page", "/companies/bankforetag-1-ab", "a workplace's page", False),
    ("board_page", "/leaderboards/companies/bankforetag-1-ab/teams",
     "a workplace's whole team board page", False),
    ("challenge_page", "/challenges/1", "a running challenge's page", False),
    ("tv_page", "/leaderboards/tv", "the boards' TV page", False),
]
# People 1..LOGGERS are members of teams 1..LOGGERS, in as many workplaces.
LOGGERS = int(os.environ.get("BENCH_LOGGERS", "16"))
LOG_STEPS = {
    "log_collection": (LOGGERS, f"the real form, logged in, with CSRF, {LOGGERS} people "
                                f"each logging for their own team"),
    "log_collection_one_team": (1, "the same, one person logging for one team"),
}


def run_load(env: dict, wrk_path: str) -> dict:
    results: dict[str, dict] = {}
    with Server(env) as server:
        version = json.loads(urllib.request.urlopen(
            server.url("/api/leaderboards/companies?limit=1")).read())["version"]
        cookie, token = login(server, *MEMBER)
        for name, path, about, as_member in STEPS:
            path = path.format(version=version)
            headers = {"Cookie": cookie} if as_member else {}
            status = urllib.request.urlopen(urllib.request.Request(
                server.url(path), headers=headers)).status
            log(f"{name}: GET {path} ({status}), {DURATION} s at {CONNECTIONS} connections")
            script = (GET_WITH_COOKIE_LUA % {"cookie": cookie, "agent": USER_AGENT}
                      if as_member else "")
            results[name] = {"request": f"GET {path}", "about": about,
                             **wrk(wrk_path, server.url(path), script)}
        senders = [(1, cookie, token)] + [
            (n, *login(server, f"person{n}@bench.lokalamal.se", MEMBER[1]))
            for n in range(2, min(LOGGERS, SIZES["teams"]) + 1)]
        for name, (people, about) in LOG_STEPS.items():
            results[name] = {"request": "POST /teams/<id>/collections", "about": about,
                             **log_collections(server, wrk_path, senders[:people])}
        rss = server.worker_rss_mb()
        log(f"gunicorn workers' resident memory: {', '.join(f'{r} MB' for r in rss)}")
    base = results["healthz"]["rps"] or 1
    for figures in results.values():
        figures["ratio"] = round(figures["rps"] / base, 3)
    results["healthz"]["worker_rss_mb"] = rss
    return results


def log_collections(server: Server, wrk_path: str, senders: list[tuple]) -> dict:
    """(f) logging collections through the real form post, as each of `senders`
    (team number, session cookie, CSRF token) in turn."""
    for team, cookie, token in senders:
        path = f"/teams/{team}/collections"
        status = post_collection_once(server, path, cookie, token)
        if status not in (200, 201, 204, 302, 303):
            log(f"log_collection: FAILED, POST {path} answered {status}")
            return {"rps": 0.0, "p50_ms": None, "p99_ms": None,
                    "failed": f"POST {path} answered {status}"}
    log(f"log_collection: POST as {len(senders)} people, {DURATION} s at "
        f"{CONNECTIONS} connections")
    lua_senders = ", ".join(f'{{"/teams/{team}/collections", "{cookie}", "{token}"}}'
                            for team, cookie, token in senders)
    script = POST_LUA % {"day": stockholm_today(), "run": secrets.token_hex(8),
                         "senders": lua_senders, "agent": USER_AGENT}
    return wrk(wrk_path, server.url(f"/teams/{senders[0][0]}/collections"), script)


def print_table(database: str, results: dict) -> None:
    log("")
    log(f"{database}:")
    log(f"{'step':<22} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio to healthz':>17}"
        f"  target")
    for name, r in results.items():
        p50 = "-" if r.get("p50_ms") is None else f"{r['p50_ms']:.2f}"
        p99 = "-" if r.get("p99_ms") is None else f"{r['p99_ms']:.2f}"
        target = TARGETS.get(database, {}).get(name)
        mark = f"  ≥ {target} {verdict(database, name, r)}" if target else ""
        note = f"  {r['failed']}" if r.get("failed") else ""
        log(f"{name:<22} {r['rps']:>9.1f} {p50:>8} {p99:>8} {r['ratio']:>17.3f}{mark}{note}")


if __name__ == "__main__":
    sys.exit(main())
