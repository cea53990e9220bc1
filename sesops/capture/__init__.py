"""Receive raw SNS/SQS bodies and persist them durably before acknowledging.

`store` (SQLite), `receiver` (plain WSGI), `serving` (waitress) and `drain` (SQS).
"""

from sesops.capture.drain import DrainResult, drain
from sesops.capture.receiver import make_app
from sesops.capture.store import CaptureStore

__all__ = ["CaptureStore", "DrainResult", "drain", "make_app"]
