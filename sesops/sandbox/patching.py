"""SES fidelity for moto: install and uninstall the sandbox's patches (moto pinned at 5.2.5).

:func:`install` monkeypatches moto's classes in this process, so it applies both to
``moto.mock_aws`` and to a ``ThreadedMotoServer`` started here. Each patch is listed in
:data:`PATCHES` with the function that applies it, and has a test in
``tests/sandbox/test_server.py`` that fails with a clear message when a moto upgrade moves
what it patches:

* ``ses-notification-attributes`` (:mod:`~sesops.sandbox.ses_identity`): identity notification
  settings read back;
* ``ses-feedback`` (:mod:`~sesops.sandbox.ses_feedback`): the mailbox simulator's real notifications;
* ``sns-signing`` and ``sns-confirmation`` (:mod:`~sesops.sandbox.sns_delivery`): signed
  deliveries, SNS's HTTP headers, confirmed http(s) subscriptions;
* ``ses-event-publishing`` (:mod:`~sesops.sandbox.ses_events`): a configuration set's event
  destinations receive SES's event records;
* ``eventbridge-envelope`` and ``firehose-compression`` (:mod:`~sesops.sandbox.destinations`): rule
  targets get EventBridge's whole event, a GZIP Firehose stream writes ``.gz`` objects;
* ``sesv2-suppression`` and ``sesv2-event-destinations`` (:mod:`~sesops.sandbox.sesv2`);
* ``sesv2-import-jobs`` (:mod:`~sesops.sandbox.sesv2_import`): suppression-list import jobs from S3;
* ``ses-send-statistics`` (:mod:`~sesops.sandbox.ses_statistics`): GetSendStatistics and VDM count
  what the sandbox sent.

The patches last from the first :func:`install` to the matching last :func:`uninstall`
(:class:`sesops.sandbox.server.Sandbox` and :func:`sesops.sandbox.server.mocked` pair them).
"""

from __future__ import annotations

from collections.abc import Callable

from sesops.sandbox import patch_state
from sesops.sandbox.destinations import patch_destinations
from sesops.sandbox.patch_state import authority
from sesops.sandbox.ses_events import patch_event_publishing
from sesops.sandbox.ses_feedback import patch_feedback
from sesops.sandbox.ses_identity import patch_notification_attributes
from sesops.sandbox.ses_statistics import patch_send_statistics
from sesops.sandbox.sesv2 import patch_sesv2
from sesops.sandbox.sesv2_import import patch_import_jobs
from sesops.sandbox.sns_delivery import patch_confirmation, patch_signing
from sesops.sns.signing import SigningAuthority

__all__ = ["MOTO_VERSION", "PATCHES", "authority", "install", "installed", "uninstall"]

MOTO_VERSION = "5.2.5"
#: Each patch by name, with the function that applies it (some share one).
PATCHES: dict[str, Callable[[], None]] = {
    "ses-notification-attributes": patch_notification_attributes,
    "ses-feedback": patch_feedback,
    "ses-event-publishing": patch_event_publishing,
    "eventbridge-envelope": patch_destinations,
    "firehose-compression": patch_destinations,
    "sns-signing": patch_signing,
    "sns-confirmation": patch_confirmation,
    "sesv2-suppression": patch_sesv2,
    "sesv2-event-destinations": patch_sesv2,
    "sesv2-import-jobs": patch_import_jobs,
    "ses-send-statistics": patch_send_statistics,
}


def check_moto_version() -> None:
    """Refuse any moto but the pinned one: the patches reach into its internals."""
    import moto

    if moto.__version__ != MOTO_VERSION:
        raise RuntimeError(
            f"sesops.sandbox patches moto {MOTO_VERSION}, found {moto.__version__}; "
            "run tests/sandbox/test_server.py and update the patches before changing the pin"
        )


def install(signer: SigningAuthority | None = None) -> SigningAuthority:
    """Patch moto (on the first of nested calls) and return the signer in use.

    Pair every call with :func:`uninstall`; moto is restored when the last user leaves,
    so plain ``mock_aws`` elsewhere in the process sees moto's own behaviour.
    """
    check_moto_version()
    with patch_state.lock:
        if not patch_state.users():
            try:
                for patch in dict.fromkeys(PATCHES.values()):  # each function once
                    patch()
            except BaseException:
                patch_state.restore_all()  # no half-patched moto
                raise
        patch_state.push_signer(signer)
        return authority()


def uninstall() -> None:
    """Undo one :func:`install`; the last one restores moto's originals."""
    with patch_state.lock:
        if patch_state.pop_signer() == 0:
            patch_state.restore_all()


def installed() -> bool:
    return patch_state.users() > 0
