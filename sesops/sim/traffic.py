"""The traffic model behind :mod:`sesops.sim.simulate`: what becomes of each sent message.

Outcomes are drawn per sent message at the configured rates; the recipients are then chosen to fit
the outcome (hard bounces go to invalid or misspelt addresses, ``Suppressed`` to addresses that
bounced before, complaints to providers that run feedback loops), so rates stay exact while the
addresses behave like a real list.
"""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from sesops import arns
from sesops.sim import data as simdata
from sesops.sim.data import Provider
from sesops.sim.population import TYPO, Address, Population, pick
from sesops.sim.shapes import Clock, ses_id, uuid4

if TYPE_CHECKING:
    from sesops.sim.config import SimulationConfig

Event = tuple[int, dict[str, Any]]  # (epoch ms, SES object)

_RECIPIENT_COUNTS = (1, 2, 3)
_RECIPIENT_CUM = (0.94, 0.985, 1.0)
_HARD_SUBTYPES = ("General", "NoEmail", "Suppressed", "OnAccountSuppressionList", "UnsubscribedRecipient")
_HARD_CUM = tuple(accumulate((0.70, 0.12, 0.12, 0.05, 0.01)))
_SOFT_KINDS = (
    "General",
    "MailboxFull",
    "MessageTooLarge",
    "ContentRejected",
    "AttachmentRejected",
    "Undetermined",
)
_SOFT_CUM = tuple(accumulate((0.45, 0.30, 0.05, 0.10, 0.04, 0.06)))
_FEEDBACK_TYPES = ("abuse", "other", "fraud", "virus", "not-spam", None)  # None: no feedback report
_FEEDBACK_CUM = tuple(accumulate((0.86, 0.03, 0.02, 0.01, 0.01, 0.07)))
_DELAY_CUM = tuple(accumulate(d[1] for d in simdata.DELAYS))
_APP_IPS = ("198.51.100.23", "198.51.100.24", "198.51.100.71", "203.0.113.18")


class Traffic:
    """Turns each sent message into its time-stamped SES objects."""

    def __init__(self, config: SimulationConfig, rng: random.Random, population: Population) -> None:
        self.c = config
        self.rng = rng
        self.pop = population
        self.clock = Clock()
        self.ep = config.event_publishing
        self.arn = arns.identity_arn(config.region, config.account_id, config.identity)
        self.from_domain = config.sender.rpartition("@")[2].rstrip(">")
        mta = (
            "a8-{}.smtp-out.amazonses.com"
            if config.region == "us-east-1"
            else "e{}.smtp-out.%s.amazonses.com"
        )
        self.mtas = [mta.replace("%s", config.region).format(n) for n in range(10, 100)]
        self.mx_ips = {
            p.name: [f"{p.mx_ip_prefix}{n}" for n in range(10, 210)] for p in (*simdata.PROVIDERS, TYPO)
        }
        # Precomputed so the hot path picks instead of formatting; constant headers are shared.
        self.subjects = [
            simdata.SUBJECTS[i % len(simdata.SUBJECTS)].format(
                n=int(rng.random() * 9_000_000) + 1_000_000, n2=int(rng.random() * 40) + 3
            )
            for i in range(50 * len(simdata.SUBJECTS))
        ]
        self.h_from = {"name": "From", "value": config.sender}
        self.h_reply = {"name": "Reply-To", "value": config.reply_to}
        self.h_mime = {"name": "MIME-Version", "value": "1.0"}
        self.h_post = {"name": "List-Unsubscribe-Post", "value": "List-Unsubscribe=One-Click"}

    # -- one message -------------------------------------------------------------------------

    def message(self, ms: int) -> list[Event]:
        """Every SES object one message sent at ``ms`` gives rise to."""
        rng, c = self.rng, self.c
        k = _RECIPIENT_COUNTS[bisect(_RECIPIENT_CUM, rng.random())]
        u = rng.random()
        events: list[Event] = []
        if self.ep and u < c.reject_rate + c.rendering_failure_rate:
            to = [self.pop.one(rng, self.pop.good) for _ in range(k)]
            mail = self._mail(ms, to)
            events.append((ms, {"eventType": "Send", "mail": mail, "send": {}}))
            if u < c.reject_rate:
                events.append(
                    (ms + 300, {"eventType": "Reject", "mail": mail, "reject": {"reason": "Bad content"}})
                )
            else:
                failure = {
                    "errorMessage": "Attribute 'first_name' is not present in the rendering data.",
                    "templateName": "WeeklyDigest",
                }
                events.append(
                    (ms + 120, {"eventType": "Rendering Failure", "mail": mail, "failure": failure})
                )
            return events
        u -= c.reject_rate + c.rendering_failure_rate if self.ep else 0.0
        if u < c.bounce_rate:
            subtype = pick(rng, _HARD_SUBTYPES, _HARD_CUM)
            to = [self._bouncing(subtype) for _ in range(k)]
            mail = self._mail(ms, to)
            events.append(self._hard_bounce(ms, mail, to, subtype))
        elif u < c.bounce_rate + c.soft_bounce_rate:
            to = [self.pop.one(rng, self.pop.good) for _ in range(k)]
            mail = self._mail(ms, to)
            events.append(self._soft_bounce(ms, mail, to, pick(rng, _SOFT_KINDS, _SOFT_CUM)))
        else:
            v = rng.random()
            complaint = v < c.complaint_rate * k  # one complainer per message: scale by k
            ooto = not complaint and v < (c.complaint_rate + c.ooto_rate) * k
            first = self.pop.one(rng, self.pop.feedback_loop if complaint else self.pop.good)
            to = [first] + [self.pop.one(rng, self.pop.good) for _ in range(k - 1)]
            mail = self._mail(ms, to)
            delivered = ms
            for address in to:
                at = ms + 200 + int(rng.expovariate(1 / 1500))
                if rng.random() < c.delay_rate:
                    events.append(self._delay(ms, mail, address))
                    at = events[-1][0] + int(rng.uniform(600_000, 7_200_000))
                events.append(self._delivery(ms, at, mail, address))
                delivered = max(delivered, at)
                if self.ep:
                    events.extend(self._engagement(at, mail, address))
            if complaint:
                events.append(self._complaint(delivered, mail, first))
            elif ooto:
                events.append(self._ooto(delivered, mail, first))
        if self.ep:
            events.append((ms, {"eventType": "Send", "mail": mail, "send": {}}))
        return events

    def _bouncing(self, subtype: str) -> Address:
        pop, rng = self.pop, self.rng
        if subtype in ("Suppressed", "OnAccountSuppressionList"):
            return pop.one(rng, pop.bounced or pop.invalid)
        if subtype == "UnsubscribedRecipient":
            return pop.one(rng, pop.good)
        address = pop.one(rng, pop.invalid)
        pop.bounced.append(address)
        return address

    # -- the mail object ---------------------------------------------------------------------

    def _mail(self, ms: int, to: list[Address]) -> dict[str, Any]:
        rng, c, clock = self.rng, self.c, self.clock
        random = rng.random
        emails = [a[0] for a in to]
        subject = self.subjects[int(random() * len(self.subjects))]
        date = clock.rfc2822(ms)
        ip = _APP_IPS[int(random() * len(_APP_IPS))]
        token = f"{rng.getrandbits(64):016x}"
        headers = [
            self.h_from,
            self.h_reply,
            {"name": "To", "value": ", ".join(emails)},
            {"name": "Subject", "value": subject},
            self.h_mime,
            {
                "name": "Content-Type",
                "value": f'multipart/alternative; boundary="----=_Part_{token[:7]}_{token[7:]}.{ms}"',
            },
            {"name": "Date", "value": date},
            {
                "name": "List-Unsubscribe",
                "value": f"<https://{self.from_domain}/u/{token}>, <mailto:unsubscribe@{self.from_domain}>",
            },
            self.h_post,
        ]
        common = {"from": [c.sender], "date": date, "to": emails, "subject": subject}
        if self.ep:
            return {
                "timestamp": clock.iso(ms),
                "source": c.sender,
                "sourceArn": self.arn,
                "sendingAccountId": c.account_id,
                "messageId": ses_id(ms, rng),
                "destination": emails,
                "headersTruncated": False,
                "headers": headers,
                "commonHeaders": common,
                "tags": {
                    "ses:operation": ["SendEmail"],
                    "ses:configuration-set": [c.configuration_set],
                    "ses:source-ip": [ip],
                    "ses:from-domain": [self.from_domain],
                    "ses:caller-identity": [c.caller_identity],
                    "campaign": [c.campaign],
                },
            }
        return {
            "timestamp": clock.iso(ms),
            "source": c.sender,
            "sourceArn": self.arn,
            "sourceIp": ip,
            "callerIdentity": c.caller_identity,
            "sendingAccountId": c.account_id,
            "messageId": ses_id(ms, rng),
            "destination": emails,
            "headersTruncated": False,
            "headers": headers,
            "commonHeaders": common,
        }

    def _wrap(
        self, kind: str, detail_key: str, mail: dict[str, Any], detail: dict[str, Any]
    ) -> dict[str, Any]:
        if self.ep:
            return {"eventType": kind, "mail": mail, detail_key: detail}
        return {"notificationType": kind, detail_key: detail, "mail": mail}

    # -- feedback ----------------------------------------------------------------------------

    def _fill(self, template: str, email: str, mail: dict[str, Any]) -> str:
        rng = self.rng
        return template.format(
            email=email,
            token=f"{rng.getrandbits(52):013x}",
            octet=int(rng.random() * 254) + 1,
            message_id=mail["messageId"],
        )

    def _reporting_mta(self) -> str:
        return self.mtas[int(self.rng.random() * 90)]

    def _mx_ip(self, provider: Provider) -> str:
        return self.mx_ips[provider.name][int(self.rng.random() * 200)]

    def _delivery(self, sent: int, at: int, mail: dict[str, Any], address: Address) -> Event:
        email, provider = address
        detail = {
            "timestamp": self.clock.iso(at),
            "processingTimeMillis": at - sent,
            "recipients": [email],
            "smtpResponse": provider.accepted.format(
                token=f"{self.rng.getrandbits(52):013x}", message_id=mail["messageId"]
            ),
            "remoteMtaIp": self._mx_ip(provider),
            "reportingMTA": self._reporting_mta(),
        }
        return at, self._wrap("Delivery", "delivery", mail, detail)

    def _hard_bounce(self, ms: int, mail: dict[str, Any], to: list[Address], subtype: str) -> Event:
        rng = self.rng
        by_ses = subtype in ("Suppressed", "OnAccountSuppressionList", "UnsubscribedRecipient")
        at = ms + (int(rng.uniform(20, 400)) if by_ses else int(rng.uniform(500, 12_000)))
        recipients = []
        for email, provider in to:
            if subtype == "Suppressed":
                status, diagnostic = "5.1.1", simdata.SUPPRESSED_DIAGNOSTIC
            elif subtype == "OnAccountSuppressionList":
                status, diagnostic = "5.1.1", simdata.ACCOUNT_SUPPRESSED_DIAGNOSTIC
            elif subtype == "UnsubscribedRecipient":
                status, diagnostic = "5.1.1", simdata.UNSUBSCRIBED_DIAGNOSTIC
            else:
                status, diagnostic = provider.no_user
            recipient = {"emailAddress": email, "action": "failed", "status": status}
            recipient["diagnosticCode"] = self._fill(diagnostic, email, mail)
            recipients.append(recipient)
        detail: dict[str, Any] = {
            "feedbackId": ses_id(at, rng),
            "bounceType": "Permanent",
            "bounceSubType": subtype,
            "bouncedRecipients": recipients,
            "timestamp": self.clock.iso(at),
        }
        if by_ses:
            detail["reportingMTA"] = "dns; amazonses.com"
        else:
            detail["remoteMtaIp"] = self._mx_ip(to[0][1])
            detail["reportingMTA"] = f"dns; {self._reporting_mta()}"
        return at, self._wrap("Bounce", "bounce", mail, detail)

    def _soft_bounce(self, ms: int, mail: dict[str, Any], to: list[Address], kind: str) -> Event:
        rng = self.rng
        slow = kind in ("General", "MailboxFull")  # SES retried for hours before giving up
        at = ms + (int(rng.uniform(3_600_000, 43_200_000)) if slow else int(rng.uniform(800, 15_000)))
        recipients: list[dict[str, Any]] = []
        for email, provider in to:
            if kind == "Undetermined":
                recipients.append({"emailAddress": email})
                continue
            status, diagnostic = {
                "General": provider.deferred,
                "MailboxFull": provider.mailbox_full,
                "MessageTooLarge": provider.too_large,
                "ContentRejected": provider.content_rejected,
                "AttachmentRejected": simdata.ATTACHMENT_REJECTED,
            }[kind]
            recipients.append(
                {
                    "emailAddress": email,
                    "action": "failed",
                    "status": status,
                    "diagnosticCode": self._fill(diagnostic, email, mail),
                }
            )
        detail = {
            "feedbackId": ses_id(at, rng),
            "bounceType": "Undetermined" if kind == "Undetermined" else "Transient",
            "bounceSubType": kind,
            "bouncedRecipients": recipients,
            "timestamp": self.clock.iso(at),
            "remoteMtaIp": self._mx_ip(to[0][1]),
            "reportingMTA": f"dns; {self._reporting_mta()}",
        }
        return at, self._wrap("Bounce", "bounce", mail, detail)

    def _ooto(self, delivered: int, mail: dict[str, Any], address: Address) -> Event:
        at = delivered + int(self.rng.uniform(2_000, 180_000))
        detail = {
            "feedbackId": ses_id(at, self.rng),
            "bounceType": "Transient",
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": address[0]}],
            "timestamp": self.clock.iso(at),
        }
        return at, self._wrap("Bounce", "bounce", mail, detail)

    def _complaint(self, delivered: int, mail: dict[str, Any], address: Address) -> Event:
        rng = self.rng
        at = delivered + 30_000 + int(rng.expovariate(1 / 14_400_000))  # most within hours, some days later
        at_iso = self.clock.iso(at)
        feedback_type = pick(rng, _FEEDBACK_TYPES, _FEEDBACK_CUM)
        detail: dict[str, Any] = {
            "feedbackId": ses_id(at, rng),
            "complaintSubType": None,
            "complainedRecipients": [{"emailAddress": address[0]}],
            "timestamp": at_iso,
        }
        if feedback_type is not None:  # with a feedback report (ARF)
            detail["userAgent"] = address[1].feedback_agent or "Feedback Loop"
            detail["complaintFeedbackType"] = feedback_type
            detail["arrivalDate"] = self.clock.iso(at - int(rng.uniform(1_000, 60_000)))
        return at, self._wrap("Complaint", "complaint", mail, detail)

    def _delay(self, ms: int, mail: dict[str, Any], address: Address) -> Event:
        rng = self.rng
        delay_type, _, status, diagnostic = pick(rng, simdata.DELAYS, _DELAY_CUM)
        at = ms + int(rng.uniform(300_000, 1_800_000))
        detail = {
            "timestamp": self.clock.iso(at),
            "delayType": delay_type,
            "expirationTime": self.clock.iso(ms + 50_400_000),
            "delayedRecipients": [
                {"emailAddress": address[0], "status": status, "diagnosticCode": diagnostic}
            ],
            "reportingMTA": self._reporting_mta(),
        }
        if address[1].mx_ip_prefix:
            detail["remoteMtaIp"] = self._mx_ip(address[1])
        # DeliveryDelay exists only in event publishing, so it always has the eventType shape.
        return at, {"eventType": "DeliveryDelay", "mail": mail, "deliveryDelay": detail}

    def _engagement(self, delivered: int, mail: dict[str, Any], address: Address) -> list[Event]:
        rng, c = self.rng, self.c
        out: list[Event] = []
        if rng.random() < c.open_rate:
            opened = delivered + int(rng.expovariate(1 / 5_400_000)) + 5_000
            agent = simdata.USER_AGENTS[int(rng.random() * len(simdata.USER_AGENTS))]
            ip = f"192.0.2.{int(rng.random() * 250) + 1}"
            if len(mail["destination"]) > 1:  # rows are per destination: keep the one who opened
                mail = dict(mail, destination=[address[0]])
            detail = {"ipAddress": ip, "timestamp": self.clock.iso(opened), "userAgent": agent}
            out.append((opened, {"eventType": "Open", "mail": mail, "open": detail}))
            if rng.random() < c.click_rate / max(c.open_rate, 1e-9):
                clicked = opened + int(rng.uniform(2_000, 300_000))
                click = {
                    "ipAddress": ip,
                    "link": simdata.LINKS[int(rng.random() * len(simdata.LINKS))],
                    "linkTags": {"campaign": [c.campaign]},
                    "timestamp": self.clock.iso(clicked),
                    "userAgent": agent,
                }
                out.append((clicked, {"eventType": "Click", "mail": mail, "click": click}))
        if rng.random() < c.unsubscribe_rate:
            at = delivered + int(rng.uniform(60_000, 86_400_000))
            preferences = {"topicName": "Newsletter", "subscriptionStatus": "OptOut"}
            subscription = {
                "contactList": "Customers",
                "timestamp": self.clock.iso(at),
                "source": "UnsubscribeHeader",
                "newTopicPreferences": {"unsubscribeAll": True, "topicSubscriptionStatus": [preferences]},
                "oldTopicPreferences": {
                    "unsubscribeAll": False,
                    "topicSubscriptionStatus": [{"topicName": "Newsletter", "subscriptionStatus": "OptIn"}],
                },
            }
            single = dict(mail, destination=[address[0]])
            out.append((at, {"eventType": "Subscription", "mail": single, "subscription": subscription}))
        return out

    def subscription_id(self) -> str:
        return uuid4(self.rng)
