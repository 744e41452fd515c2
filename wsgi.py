"""What gunicorn imports: `gunicorn wsgi:app`."""
import gc

from app import create_app

app = create_app()
# Everything built so far (modules, the app, compiled schemas and statements) lives as long as
# the worker: moved out of the collector's sight, a full collection no longer walks ~90,000
# objects (about 50 ms, which whichever requests were waiting paid in full).
gc.freeze()
