"""gunicorn settings used by `gunicorn wsgi:app` (override on the command line as needed)."""

bind = "127.0.0.1:8000"
workers = 3
timeout = 60
accesslog = "-"
# gunicorn 27 opens a control socket in the user's home by default; Waspada does not use `gunicornc`, and a
# shared path lets parallel instances (tests, load checks) trip over each other, and ProtectSystem=strict
# would refuse it anyway.
control_socket_disable = True


def post_fork(_server, _worker):
    """With --preload the app (and its connection pool) was built before forking: start each worker afresh."""
    from app.extensions import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)
