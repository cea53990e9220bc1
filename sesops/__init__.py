"""sesops: Amazon SES bounce and complaint handling, end to end.

The core is pure (events, classify, verify, suppression policy); edges (CLI, receiver,
drain, widgets, notebooks) are thin layers over it, and :mod:`sesops.aws` is the only
module that talks to AWS.
"""

from sesops.errors import SesopsError
from sesops.events import COLUMNS
from sesops.load import read_events

__version__ = "0.1.0"
__all__ = ["COLUMNS", "SesopsError", "__version__", "read_events"]
