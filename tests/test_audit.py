"""The audit log: every flushed change becomes a row in the same transaction; rows cannot change."""

import pytest
from sqlalchemy import func, select, text

from app import audit
from app.audit import Actor, AuditLog
from app.extensions import db
from app.regions.models import Region, RegionKind


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
