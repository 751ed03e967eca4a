"""Flask extensions, created unbound and initialised by create_app()."""

from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .sqltypes import include_in_migrations, render_migration_type

# Named constraints let Alembic alter SQLite tables (batch mode) and drop constraints by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def init_migrations(app, directory: str) -> None:
    """Flask-Migrate (Alembic) for `flask db` and init-db; web workers skip it (about 11 MB each)."""
    from flask_migrate import Migrate

    Migrate(
        app,
        db,
        directory=directory,
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_type,
        include_object=include_in_migrations,
    )


class Base(DeclarativeBase):
    """Declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
