"""Everything that talks to AWS lives in this package, and nothing else in sesops does.

Every public function takes an optional ``session`` (a :class:`boto3.Session`) and
``region``; with neither, boto3's normal credential chain and configuration apply, so
the same code runs on a real account and on the embedded sandbox (``AWS_ENDPOINT_URL``).
Plans are computed by pure functions; the calls are kept apart from them.

Every session and client comes from :mod:`sesops.aws.clients` (``session``, ``client``), and
every call's failure goes through :mod:`sesops.aws.errors` (``aws_call``, ``call``), which
turns it into an :class:`~sesops.errors.AwsError` naming the IAM action and the fix.
"""
