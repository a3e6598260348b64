"""Demo data and the management commands."""

import pytest

from lokalamal_app.extensions import db
from lokalamal_app.models import Company, LedgerEntry, Team, User
from tests import factories


def test_demo_data_fills_every_goal_and_the_demo_accounts_log_in(app, runner, app_ctx):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert "Demodata inlagd" in result.output
    assert db.session.execute(db.select(db.func.count(Company.id))).scalar_one() >= 5
    goals = set(db.session.execute(db.select(Team.goal_id)).scalars())
    assert goals == {1, 2, 3, 4, 5}
    assert db.session.execute(db.select(db.func.count(LedgerEntry.id))).scalar_one() > 50
    for email in ("personal@demo.lokalamal.se", "admin@demo.lokalamal.se",
                  "kapten@demo.lokalamal.se", "medarbetare@demo.lokalamal.se"):
        response = app.test_client().post(
            "/login", data={"email": email, "password": app.config["DEMO_PASSWORD"]}
        )
        assert response.status_code == 302, email


def test_demo_data_if_empty_keeps_existing_data(runner, app_ctx):
    runner.invoke(args=["demo-data"])
    before = db.session.execute(db.select(db.func.count(User.id))).scalar_one()
    result = runner.invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0
    assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == before


def test_demo_data_refuses_a_database_with_real_users(runner, app_ctx):
    factories.make_user(email="riktig@example.se")
    factories.commit()
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code != 0
    assert "riktiga användare" in result.output
    assert db.session.execute(db.select(Company.id)).first() is None


def test_demo_data_refuses_the_production_configuration(app, app_ctx):
    from lokalamal_app import demo

    app.config["ALLOW_DEMO_DATA"] = False
    try:
        with pytest.raises(demo.DemoDataRefused):
            demo.load()
    finally:
        app.config["ALLOW_DEMO_DATA"] = True


def test_demo_accounts_prints_address_and_accounts(runner):
    result = runner.invoke(args=["demo-accounts"])
    assert "http://127.0.0.1:5000" in result.output
    assert "admin@demo.lokalamal.se" in result.output


def test_demo_accounts_prints_the_port_make_run_was_given(runner):
    result = runner.invoke(args=["demo-accounts", "--port", "5001"])
    assert "http://127.0.0.1:5001" in result.output


def test_make_run_passes_its_port_to_the_server():
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    dry = subprocess.run(["make", "-n", "run", "PORT=5001"], cwd=root, capture_output=True,
                         text=True, check=True).stdout
    assert "--port 5001" in dry and "5000" not in dry


def test_make_staff_promotes_an_existing_account(runner, app_ctx):
    user = factories.make_user(email="sara@example.se")
    factories.commit()
    result = runner.invoke(args=["make-staff", "Sara@example.se"])
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert user.is_staff


def test_make_staff_creates_the_first_staff_account(runner, app_ctx):
    result = runner.invoke(args=["make-staff", "ny@example.se"],
                           input="ett bra lösenord\nett bra lösenord\n")
    assert result.exit_code == 0, result.output
    user = db.session.execute(db.select(User).where(User.email == "ny@example.se")).scalar_one()
    assert user.is_staff


def test_production_refuses_to_start_without_a_secret(monkeypatch):
    from config import ProductionConfig
    from lokalamal_app import create_app

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "dev-only-not-secret")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)
