"""The migrations are the only way the schema is made: they must match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lokalamal_app.extensions import db


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models differ from migrations; run `flask db migrate`: {diff}"


def test_migrations_seed_the_five_goals(app):
    from lokalamal_app.models import Goal

    with app.app_context():
        slugs = db.session.execute(db.select(Goal.slug).order_by(Goal.number)).scalars().all()
    assert slugs == [
        "ingen-hemloshet", "alla-ar-trygga", "ingen-ensamhet", "ingen-psykisk-ohalsa",
        "alla-kan-arbeta",
    ]
