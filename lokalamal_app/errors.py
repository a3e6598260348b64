"""Friendly error pages (Swedish, or English when chosen); an unexpected error rolls the transaction back."""

import warnings

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, SAWarning
from sqlalchemy.orm.exc import StaleDataError

from .extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(400)
    def bad_request(error):
        if _wants_json():
            return jsonify(error=getattr(error, "description", _("Felaktig begäran"))), 400
        return render_template("errors/400.html"), 400

    @app.errorhandler(403)
    def forbidden(error):
        if _wants_json():
            return jsonify(error=_("Åtkomst nekad")), 403
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(error):
        if _wants_json():
            return jsonify(error=_("Hittades inte")), 404
        return render_template("errors/404.html"), 404

    @app.errorhandler(405)
    def method_not_allowed(error):
        return render_template("errors/400.html"), 405

    @app.errorhandler(413)
    def too_large(error):
        if _wants_json():
            return jsonify(error=_("För stor begäran")), 413
        # The limit of the page the request went to (activity photos may be larger).
        limit_mb = (request.max_content_length or app.config["MAX_CONTENT_LENGTH"]) // (1024 * 1024)
        return render_template("errors/413.html", limit_mb=limit_mb), 413

    @app.errorhandler(500)
    def internal_error(error):
        db.session.rollback()
        app.logger.error("Unhandled error on %s %s", request.method, request.path)
        if _wants_json():
            return jsonify(error=_("Något gick fel")), 500
        return render_template("errors/500.html"), 500

    from .ledger.services import Conflict

    @app.errorhandler(Conflict)
    def conflict(error):
        # A lost race on money that a caller did not answer itself: 409, nothing saved.
        db.session.rollback()
        if _wants_json():
            return jsonify(error=str(error)), 409
        return render_template("ledger/problem.html", message=str(error)), 409

    def _saved_by_someone_else():
        message = _("Det här hann någon annan (eller ett tidigare klick) spara nyss. "
                    "Ladda om sidan och se efter.")
        if _wants_json():
            return jsonify(error=message), 409
        return render_template("ledger/problem.html", message=message), 409

    @app.errorhandler(IntegrityError)
    def already_there(error):
        """A unique rule broken by two requests at once (a form sent twice, two people
        adding the same thing) that the service did not answer itself: the database kept
        the first, this one saved nothing. 409, never a 500."""
        db.session.rollback()
        app.logger.warning("Integrity conflict on %s %s: %s", request.method, request.path,
                           type(getattr(error, "orig", error)).__name__)
        return _saved_by_someone_else()

    # The ORM's DELETE of a row another request deleted a moment ago matches nothing, and
    # SQLAlchemy only warns: made an error here, so that the request stops before its
    # second effect (a second audit event, a second message) and is answered as the lost
    # race it is, below.
    warnings.filterwarnings("error", message=r"DELETE statement on table .* expected to delete",
                            category=SAWarning)

    @app.errorhandler(SAWarning)
    @app.errorhandler(StaleDataError)
    def gone_meanwhile(error):
        """A row this request changes or deletes was deleted (or changed) by another one a
        moment ago: nothing of this request is saved; 409, never a 500."""
        db.session.rollback()
        if isinstance(error, SAWarning) and "expected to delete" not in str(error):
            raise error
        app.logger.warning("Row gone meanwhile on %s %s: %s", request.method, request.path,
                           type(error).__name__)
        return _saved_by_someone_else()

    @app.errorhandler(409)
    def conflict_page(_error):
        """Any other 409 a view answered: the same plain Swedish page, not Werkzeug's."""
        db.session.rollback()
        return _saved_by_someone_else()

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/csrf.html"), 400
