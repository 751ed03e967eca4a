"""gunicorn settings for the --preload check: the project's gunicorn.conf.py plus two probes.

The master opens a database connection before it forks (as an app that queried at start-up would), so
each worker inherits a pooled connection; the project's post_fork must make the workers drop it and open
their own. Every connection names its process in PostgreSQL's application_name (libpq reads PGAPPNAME),
so pg_stat_activity shows whose connection is whose and whether a worker ever used the master's.
"""

import os
from pathlib import Path

# The project's settings and hooks, read as gunicorn itself reads the file.
exec(compile(Path(__file__).resolve().parents[1].joinpath("gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"))
project_post_fork = post_fork  # noqa: F821  (defined by the file read above)
preload_app = True


def when_ready(_server):
    """In the master, after the app was loaded and before any fork: leave a used connection in the pool."""
    from sqlalchemy import text

    from app.extensions import db
    from wsgi import app

    os.environ["PGAPPNAME"] = f"waspada-master-{os.getpid()}"
    with app.app_context():
        db.session.execute(text("SELECT 'waspada-preload-probe'"))
        db.session.remove()


def post_fork(server, worker):
    """The project's post_fork, then name this worker's own connections."""
    # BENCH_SKIP_DISPOSE=1 is the positive control (`stress.py --no-dispose`): the check must fail.
    if os.environ.get("BENCH_SKIP_DISPOSE") != "1":
        project_post_fork(server, worker)
    os.environ["PGAPPNAME"] = f"waspada-worker-{os.getpid()}"
