"""The app as `make scan` serves it: the real app plus the positive control and the parameter recorder.

Loaded only by scan/run.py (`gunicorn scan.wsgi:app`), which sets WASPADA_SCAN_LOG.
"""

import os

from app import create_app

from . import control, recorder

app = create_app()
control.install(app)
recorder.install(app, os.environ["WASPADA_SCAN_LOG"])
