"""The audit log: every flushed change becomes a row in the same transaction; rows cannot change."""

import json
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from app import audit
from app.audit import Actor, AuditLog
from app.auth.models import User
from app.extensions import db
from app.regions.models import Region, RegionKind

from .access import url_args
from .conftest import PASSWORD, dispose_app, login, make_app
from .factories import region
from .write_routes import CASES, covered_rules, post, prepared_args


def _rows(**where):
    stmt = select(AuditLog).order_by(AuditLog.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditLog, key) == value)
    return list(db.session.scalars(stmt))


def test_create_update_delete_are_recorded_with_actor_region_and_diff(app):
    with app.app_context():
        audit.set_actor(db.session, Actor(user_id=None, username="penguji", ip="10.0.0.9"))
        parent = db.session.scalars(select(Region).where(Region.code == "63.11")).one()
        region = Region(
            code="63.11.09", name="Kecamatan Uji", kind=RegionKind.KECAMATAN, timezone="Asia/Makassar", parent=parent
        )
        db.session.add(region)
        db.session.commit()
        region.name = "Kecamatan Uji Baru"
        db.session.commit()
        db.session.delete(region)
        db.session.commit()

        rows = _rows(entity="regions", entity_id=region.id)
        assert [r.action for r in rows] == ["create", "update", "delete"]
        created, updated, deleted = rows
        assert created.changes["name"] == "Kecamatan Uji" and created.changes["kind"] == "kecamatan"
        assert updated.changes == {"name": ["Kecamatan Uji", "Kecamatan Uji Baru"]}
        assert deleted.changes["code"] == "63.11.09"
        assert {r.username for r in rows} == {"penguji"}
        assert {r.ip for r in rows} == {"10.0.0.9"}
        assert {r.region_id for r in rows} == {region.id}
        assert all(r.at.tzinfo is not None for r in rows)


def test_audit_rows_roll_back_with_the_change(app):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditLog))
        region = db.session.scalars(select(Region).where(Region.code == "63.11")).one()
        region.population = 130_000
        db.session.flush()
        assert db.session.scalar(select(func.count()).select_from(AuditLog)) == before + 1
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(AuditLog)) == before


def test_password_hash_is_redacted_and_session_token_never_logged(app, users):
    with app.app_context():
        created = _rows(entity="users", entity_id=users["operator"], action="create")[0]
        assert created.changes["password_hash"] == "***"
        assert "session_token" not in created.changes
        blob = " ".join(str(r.changes) for r in _rows())
        assert "scrypt" not in blob


def test_the_orm_refuses_to_change_audit_rows(app):
    with app.app_context():
        row = audit.record(db.session, "login", entity="users")
        db.session.commit()
        row.action = "logout"
        with pytest.raises(ValueError, match="audit"):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(AuditLog, row.id))
        with pytest.raises(ValueError, match="audit"):
            db.session.flush()
        db.session.rollback()


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"])
def test_the_database_refuses_to_change_audit_rows(app, statement):
    with app.app_context():
        audit.record(db.session, "login", entity="users")
        db.session.commit()
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text(statement))
            db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(AuditLog)) >= 1


# ---------------------------------------------------------------- every write route is audited (S10)


def test_every_post_route_has_a_write_case(app, users):
    """Deny by default: a POST route without a valid request in tests/write_routes.py fails here."""
    posted = {rule.rule for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    missing = posted - covered_rules(app, url_args(app, users))
    assert missing == set(), f"POST routes without a case in tests/write_routes.py: {sorted(missing)}"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_every_write_route_adds_audit_rows_with_user_time_entity_and_region(app, users, case):
    args = prepared_args(app, users, case)
    client = app.test_client()
    if case.user:
        assert login(client, case.user).status_code == 302
    actor = case.user or case.form(args)["username"]
    with app.app_context():
        last = db.session.scalar(select(func.max(AuditLog.id)))
        expected_region = region(case.region).id if case.region else None
    started = datetime.now(UTC)
    response = post(app, client, case, args)
    finished = datetime.now(UTC)
    assert response.status_code == case.status, response.get_data(as_text=True)[:600]
    with app.app_context():
        rows = list(db.session.scalars(select(AuditLog).where(AuditLog.id > last).order_by(AuditLog.id)))
    assert rows, f"{case.id} wrote no audit row"
    for row in rows:
        assert (row.user_id, row.username, row.ip, row.via) == (users[actor], actor, "127.0.0.1", "web"), row
        assert row.at.utcoffset() == timedelta(0) and started - timedelta(seconds=1) <= row.at <= finished, row
        assert row.entity and row.action, row
    # Every row carries the region of what changed (none for national data: categories, templates, indices).
    assert {row.region_id for row in rows} == {expected_region}, [(r.entity, r.region_id) for r in rows]


# ---------------------------------------------------------------- no secrets in the audit log or the log (S10)


def region_id(app, code: str) -> str:
    """A region's id, as a form posts it."""
    with app.app_context():
        return str(region(code).id)


def test_no_password_session_token_or_csrf_token_reaches_the_audit_log_or_the_log(app, users, tmp_path, caplog):
    """Log-ins (failed, locked, refused by the address limit, good), a password change, an administrator's
    account creation and resets (given and generated): every secret involved stays out of both logs."""
    secure = make_app(
        app.config["DATABASE_URL"],
        tmp_path / "csrf-instance",
        WTF_CSRF_ENABLED=True,
        LOGIN_MAX_FAILURES=3,
        LOGIN_RATE_LIMIT="5 per 5 minutes",
    )
    caplog.set_level(logging.DEBUG)
    secrets = {PASSWORD, "Salah-Ketik-123", "Tabalong-Sungai-99", "Kandangan-Hulu-Sungai-31", "Sementara-Rantau-55"}
    try:
        client = secure.test_client()

        def token(path="/masuk"):
            found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True))
            secrets.add(found.group(1))
            return found.group(1)

        def send(path, **data):
            return client.post(path, data={"csrf_token": token(path if path != "/keluar" else "/"), **data})

        for _ in range(3):  # the third locks the account
            assert send("/masuk", username="pimpinan", password="Salah-Ketik-123").status_code == 422
        assert send("/masuk", username="pimpinan", password=PASSWORD).status_code == 422  # locked
        assert send("/masuk", username="operator", password=PASSWORD).status_code == 302
        secrets.add(client.get_cookie("waspada_session").value)
        new = {"new_password": "Tabalong-Sungai-99", "confirm": "Tabalong-Sungai-99"}
        assert send("/akun/kata-sandi", current_password=PASSWORD, **new).status_code == 302
        assert send("/keluar").status_code == 302
        # The sixth log-in post from this address: refused by the address limit.
        assert send("/masuk", username="admin", password=PASSWORD).status_code == 429
        client = secure.test_client()
        client.environ_base["REMOTE_ADDR"] = "10.4.4.4"  # another office
        assert send("/masuk", username="admin", password=PASSWORD).status_code == 302
        secrets.add(client.get_cookie("waspada_session").value)
        balangan = region_id(secure, "63.11")
        created = send(
            "/pengguna/baru",
            username="operator.baru",
            full_name="Operator Baru",
            role="operator",
            region_id=balangan,
            password="Kandangan-Hulu-Sungai-31",
        )
        assert created.status_code == 200
        target = users["operator.tala"]
        assert send(f"/pengguna/{target}/reset-sandi", password="Sementara-Rantau-55").status_code == 200
        generated = send(f"/pengguna/{target}/reset-sandi")
        secrets.add(re.search(r'class="secret"><code>([^<]+)</code>', generated.get_data(as_text=True)).group(1))
        with secure.app_context():
            for account in db.session.scalars(select(User)):
                secrets.update({account.password_hash, account.session_token})
                secrets.add(account.password_hash.rsplit("$", 1)[-1])  # the hash itself, without its method
            rows = db.session.scalars(select(AuditLog)).all()
            actions = {row.action for row in rows}
            audit_text = "\n".join(
                f"{r.username} {r.action} {r.entity} {r.entity_id} {r.ip} {json.dumps(r.changes)}" for r in rows
            )
    finally:
        dispose_app(secure)
    assert {"login_failed", "lockout", "login_locked", "rate_limited", "login", "logout", "update"} <= actions
    log_text = "\n".join(record.getMessage() for record in caplog.records) + caplog.text
    assert "Rate limit" in log_text  # the log was captured
    leaked = [s for s in secrets if s and (s in audit_text or s in log_text)]
    assert leaked == []
