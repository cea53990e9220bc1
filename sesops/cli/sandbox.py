"""``sesops sandbox``: run the embedded AWS sandbox on 127.0.0.1 until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from sesops.cli import COMMANDS


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help=COMMANDS["sandbox"],
        description=(
            "Start moto's server on 127.0.0.1 with SES fidelity extensions (mailbox simulator "
            "feedback, signed SNS deliveries, subscription confirmation, suppression list) and "
            "print the environment that points boto3 and the AWS CLI at it. Runs until Ctrl-C."
        ),
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    parser.add_argument(
        "--region", default="us-east-1", help="AWS_DEFAULT_REGION to print (default: us-east-1)"
    )
    parser.add_argument(
        "--cert-dir", type=Path, help="write the signing certificate here (default: a temp dir)"
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sesops.errors import require_extra

    require_extra("sandbox")
    from sesops.cli.waiting import wait_for_interrupt
    from sesops.sandbox.server import Sandbox, dummy_environ

    # The sandbox process never sees the user's credentials or profile.
    clean = dummy_environ(os.environ, args.region)
    os.environ.clear()
    os.environ.update(clean)

    with Sandbox(port=args.port, region=args.region, cert_dir=args.cert_dir, quiet=not args.verbose) as sb:
        print(f"sesops sandbox listening on {sb.endpoint} (Ctrl-C to stop)")
        print("\n# point boto3 and the AWS CLI at it:")
        for key, value in sb.env.items():
            print(f"export {key}={value}")
        print("unset AWS_PROFILE AWS_SESSION_TOKEN")
        print(f"\n# verify its SNS signatures: sesops serve --cert-dir {sb.cert_dir}", flush=True)
        wait_for_interrupt()
    print("sandbox stopped.")
    return 0
