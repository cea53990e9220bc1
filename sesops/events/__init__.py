"""SES and SNS JSON -> per-recipient rows: the pure event model.

No files, no pandas, no boto3: `shapes` is the one table of SES event shapes (details,
recipients, columns, category rules, EventBridge detail-types), `envelopes` opens the
wrappers AWS puts around an SES object (SNS, SQS, Lambda, EventBridge), `parse` turns one
decoded record into rows or a control kind by them, `classify` names each row's category by
its rules, `strict` refuses JSON that names a key twice.
"""

from sesops.events.classify import classify
from sesops.events.parse import COLUMNS, Parsed, decode_json, normalize_email, parse_record

__all__ = ["COLUMNS", "Parsed", "classify", "decode_json", "normalize_email", "parse_record"]
