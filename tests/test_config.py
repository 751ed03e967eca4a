"""Factory and configuration: precedence, secret key rules, database URL."""

import os
import secrets
import stat

import pytest

from app import create_app
from app.config import ConfigError

STRONG = "f" * 8 + "0123456789abcdefghijklmnopqrstuvwxyz"


def test_defaults_are_production_and_safe(tmp_path, monkeypatch):
    monkeypatch.delenv("WASPADA_MODE", raising=False)
    app = create_app(instance_path=str(tmp_path))
    assert app.config["MODE"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'waspada.sqlite'}"
    assert not app.debug and not app.testing


def test_precedence_defaults_then_instance_file_then_env_then_overrides(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("PER_PAGE = 20\nLOGIN_LOCK_MINUTES = 30\nPASSWORD_MIN_LENGTH = 10\n")
    monkeypatch.setenv("WASPADA_LOGIN_LOCK_MINUTES", "45")
    monkeypatch.setenv("WASPADA_PASSWORD_MIN_LENGTH", "12")
    app = create_app({"PASSWORD_MIN_LENGTH": 14, "MODE": "testing"}, instance_path=str(tmp_path))
    assert app.config["PER_PAGE"] == 20  # instance file over default
    assert app.config["LOGIN_LOCK_MINUTES"] == 45  # environment over instance file
    assert app.config["PASSWORD_MIN_LENGTH"] == 14  # explicit override over environment
    assert app.config["LOGIN_MAX_FAILURES"] == 10  # untouched default


def test_database_url_switches_to_postgresql_with_psycopg3(tmp_path, monkeypatch):
    monkeypatch.setenv("WASPADA_DATABASE_URL", "postgresql://waspada@127.0.0.1:5432/waspada")
    app = create_app({"MODE": "testing"}, instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://waspada@127.0.0.1:5432/waspada"


def test_secret_key_is_generated_once_into_instance_with_private_mode(tmp_path):
    first = create_app({"MODE": "development"}, instance_path=str(tmp_path))
    key_file = tmp_path / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) == 64
    second = create_app({"MODE": "production"}, instance_path=str(tmp_path))
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_a_worker_starting_while_another_makes_the_key_gets_the_same_whole_key(tmp_path, monkeypatch):
    # gunicorn boots its workers together on a fresh instance; one that read the key file while another was
    # still writing it found it empty, refused to boot, and gunicorn stopped them all.
    from app import config

    token_hex = secrets.token_hex
    keys_seen_by_second_worker = []

    def key_made_while_a_second_worker_starts(nbytes):
        if not keys_seen_by_second_worker:
            keys_seen_by_second_worker.append(None)
            keys_seen_by_second_worker[0] = config._read_or_create_key(tmp_path / "secret_key")
        return token_hex(nbytes)

    monkeypatch.setattr(config.secrets, "token_hex", key_made_while_a_second_worker_starts)
    first = config._read_or_create_key(tmp_path / "secret_key")
    assert first and len(first) == 64
    assert keys_seen_by_second_worker == [first]
    assert (tmp_path / "secret_key").read_text() == first
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]  # no draft left behind


@pytest.mark.parametrize("weak", ["dev", "changeme", "short-key", "a" * 40, "abababababababababababababababab"])
def test_production_refuses_weak_secret_key(tmp_path, monkeypatch, weak):
    monkeypatch.setenv("WASPADA_SECRET_KEY", weak)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(instance_path=str(tmp_path))


def test_production_refuses_weak_key_file(tmp_path):
    (tmp_path / "secret_key").write_text("changeme\n")
    with pytest.raises(ConfigError):
        create_app(instance_path=str(tmp_path))


def test_missing_key_is_refused_when_the_key_file_cannot_be_made(tmp_path):
    # A file where the instance folder should be: the key can be neither read nor created.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(ConfigError):
        create_app(instance_path=str(blocker))


def test_development_tolerates_weak_key(tmp_path):
    app = create_app({"MODE": "development", "SECRET_KEY": "dev"}, instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == "dev"


def test_strong_configured_key_is_accepted_in_production(tmp_path, monkeypatch):
    monkeypatch.setenv("WASPADA_SECRET_KEY", STRONG)
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == STRONG
    assert not (tmp_path / "secret_key").exists()


def test_unknown_mode_is_refused(tmp_path):
    with pytest.raises(ConfigError):
        create_app({"MODE": "staging"}, instance_path=str(tmp_path))
