"""Reference tables for :mod:`sesops.sim.simulate`: mailbox providers, their SMTP replies, names, subjects.

Pure data. Diagnostic texts imitate what each provider's MTA says (SES passes the remote
server's reply through as ``diagnosticCode``); ``{email}`` and ``{token}`` are filled per event.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Provider:
    """One mailbox provider: its domains (with weights) and how its servers answer."""

    name: str
    domains: tuple[tuple[str, float], ...]
    accepted: str  # Delivery smtpResponse
    mx_ip_prefix: str  # remoteMtaIp is this prefix + one octet
    no_user: tuple[str, str]  # (status, diagnosticCode) for an unknown mailbox
    mailbox_full: tuple[str, str]
    deferred: tuple[str, str]  # a 4.x.x temporary failure
    too_large: tuple[str, str]
    content_rejected: tuple[str, str]
    feedback_agent: str | None = None  # complaint userAgent when the provider runs a feedback loop


_GSMTP = " {token} - gsmtp"
_OUTLOOK_HOST = " [{token}.eop-nam12.prod.protection.outlook.com]"

PROVIDERS: tuple[Provider, ...] = (
    Provider(
        "google",
        (("gmail.com", 33.0), ("googlemail.com", 0.5)),
        "250 2.0.0 OK  {token} - gsmtp",
        "142.250.27.",
        (
            "5.1.1",
            "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try "
            "550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 unnecessary "
            "spaces. For more information, go to 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser"
            + _GSMTP,
        ),
        (
            "5.2.2",
            "smtp; 552-5.2.2 The recipient's inbox is out of storage space. Please direct the recipient to "
            "552 5.2.2  https://support.google.com/mail/?p=OverQuotaPerm" + _GSMTP,
        ),
        (
            "4.7.28",
            "smtp; 421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your "
            "421-4.7.28 SPF domain. To protect our users from spam, mail sent from your domain has been "
            "421 4.7.28 temporarily rate limited." + _GSMTP,
        ),
        (
            "5.3.4",
            "smtp; 552-5.3.4 Your message exceeded Google's message size limits. For more information, "
            "552 5.3.4  https://support.google.com/mail/?p=MaxSizeError" + _GSMTP,
        ),
        (
            "5.7.1",
            "smtp; 550-5.7.1 [54.240.8.{octet}] Our system has detected that this message is likely "
            "unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been "
            "550 5.7.1 blocked. https://support.google.com/mail/?p=UnsolicitedMessageError" + _GSMTP,
        ),
    ),
    Provider(
        "yahoo",
        (("yahoo.com", 9.0), ("aol.com", 2.5), ("yahoo.co.uk", 1.0), ("ymail.com", 0.5)),
        "250 ok dirdel",
        "67.195.204.",
        (
            "5.0.0",
            "smtp; 554 delivery error: dd This user doesn't have a yahoo.com account ({email}) [0] - {token}",
        ),
        ("5.2.2", "smtp; 552 1 Requested mail action aborted, mailbox is full - {token}"),
        (
            "4.7.0",
            "smtp; 421 4.7.0 [TSS04] Messages from 54.240.8.{octet} temporarily deferred due to unexpected "
            "volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
        ),
        ("5.3.4", "smtp; 552 1 Requested mail action aborted, exceeded storage allocation - {token}"),
        (
            "5.7.9",
            "smtp; 554 5.7.9 Message not accepted for policy reasons.  See "
            "https://postmaster.yahooinc.com/error-codes",
        ),
        "Yahoo!-Mail-Feedback/2.0",
    ),
    Provider(
        "microsoft",
        (("outlook.com", 6.0), ("hotmail.com", 7.0), ("live.com", 1.5), ("msn.com", 0.5)),
        "250 2.6.0 <{message_id}@email.amazonses.com> [InternalId={token}] Queued mail for delivery",
        "52.101.42.",
        (
            "5.5.0",
            "smtp; 550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302)." + _OUTLOOK_HOST,
        ),
        ("5.2.2", "smtp; 552 5.2.2 Mailbox full. Requested action not taken." + _OUTLOOK_HOST),
        (
            "4.7.650",
            "smtp; 451 4.7.650 The mail server [54.240.8.{octet}] has been temporarily rate limited due to "
            "IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775)",
        ),
        ("5.3.4", "smtp; 552 5.3.4 Message size exceeds fixed maximum message size" + _OUTLOOK_HOST),
        (
            "5.7.1",
            "smtp; 550 5.7.1 Unfortunately, messages from [54.240.8.{octet}] weren't sent. Please contact "
            "your Internet service provider since part of their network is on our block list (S3150).",
        ),
        "Microsoft JMRP",
    ),
    Provider(
        "apple",
        (("icloud.com", 6.0), ("me.com", 1.0), ("mac.com", 0.3)),
        "250 2.0.0 Ok: queued as {token}",
        "17.57.155.",
        ("5.1.1", "smtp; 550 5.1.1 <{email}>: user does not exist"),
        ("5.2.2", "smtp; 552 5.2.2 <{email}>: user is over quota"),
        ("4.7.1", "smtp; 421 4.7.1 Service unavailable, try again later ({token})"),
        ("5.3.4", "smtp; 552 5.3.4 Message too big"),
        ("5.7.1", "smtp; 554 5.7.1 [CS01] Message rejected due to local policy. {token}"),
    ),
    Provider(
        "isp",
        (
            ("comcast.net", 1.5),
            ("att.net", 0.8),
            ("verizon.net", 0.4),
            ("gmx.de", 0.7),
            ("web.de", 0.5),
            ("orange.fr", 0.5),
            ("btinternet.com", 0.4),
            ("mail.coop.example.net", 0.3),
            ("valleyisp.example.net", 0.3),
        ),
        "250 2.0.0 Ok: queued as {token}",
        "203.0.113.",
        (
            "5.1.1",
            "smtp; 550 5.1.1 <{email}>: Recipient address rejected: User unknown in virtual mailbox table",
        ),
        ("4.2.2", "smtp; 452 4.2.2 <{email}>: Recipient address rejected: Mailbox full"),
        ("4.3.0", "smtp; 451 4.3.0 <{email}>: Temporary lookup failure"),
        ("5.3.4", "smtp; 552 5.3.4 Error: message file too big"),
        ("5.7.1", "smtp; 554 5.7.1 <{email}>: Recipient address rejected: Spam content detected"),
        "Comcast Feedback Loop",
    ),
    Provider(
        "corporate",
        (
            ("acme.example", 1.2),
            ("globex.example", 0.8),
            ("initech.example.com", 0.7),
            ("umbrella-labs.example", 0.5),
            ("northwind.example.org", 0.6),
            ("example.edu", 0.9),
        ),
        "250 2.6.0 <{message_id}@email.amazonses.com> [InternalId={token}] Queued mail for delivery",
        "40.107.92.",
        (
            "5.1.10",
            "smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound; "
            "Recipient {email} not found by SMTP address lookup",
        ),
        ("5.2.2", "smtp; 554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException"),
        ("4.4.7", "smtp; 451 4.4.7 Message delayed; remote server did not respond in time"),
        ("5.3.4", "smtp; 550 5.3.4 ROUTING.SizeLimit; message size exceeds fixed maximum size for route"),
        ("5.7.1", "smtp; 550 5.7.1 Service unavailable, Client host [54.240.8.{octet}] blocked by policy"),
    ),
)

#: Misspelt domains: every address there hard-bounces (no such domain / no mail server).
TYPO_DOMAINS: tuple[str, ...] = (
    "gmial.com",
    "gmal.com",
    "gnail.com",
    "yaho.com",
    "hotmial.com",
    "outlok.com",
)
TYPO_BOUNCE = ("5.4.4", "smtp; 550 5.4.4 Invalid domain")

SUPPRESSED_DIAGNOSTIC = (
    "Amazon SES has suppressed sending to this address because it has a recent history of bouncing as "
    "an invalid address. For more information about how to remove an address from the suppression list, "
    "see the Amazon SES Developer Guide: "
    "http://docs.aws.amazon.com/ses/latest/DeveloperGuide/remove-from-suppressionlist.html "
)
ACCOUNT_SUPPRESSED_DIAGNOSTIC = (
    "Amazon SES did not send the message to this address because it is on the suppression list for "
    "your account. For more information about removing addresses from the suppression list, see the "
    "Amazon SES Developer Guide at "
    "https://docs.aws.amazon.com/ses/latest/DeveloperGuide/sending-email-suppression-list.html"
)
UNSUBSCRIBED_DIAGNOSTIC = (
    "Amazon SES did not send the message to this address because the recipient has unsubscribed from "
    "the contact list topic."
)
ATTACHMENT_REJECTED = ("5.7.0", "smtp; 554 5.7.0 Blocked attachment: file type not allowed ({token})")

#: DeliveryDelay delayType -> (status, diagnosticCode).
DELAYS: tuple[tuple[str, float, str, str], ...] = (
    ("TransientCommunicationFailure", 40.0, "4.4.1", "smtp; 421 4.4.1 Unable to connect to remote host"),
    ("RecipientServerError", 20.0, "4.3.0", "smtp; 451 4.3.0 Mail server temporarily rejected message."),
    ("MailboxFull", 12.0, "4.2.2", "smtp; 452 4.2.2 The email account that you tried to reach is over quota"),
    ("SpamDetected", 8.0, "4.7.1", "smtp; 421 4.7.1 Message temporarily deferred due to suspected spam"),
    ("IPFailure", 6.0, "4.7.0", "smtp; 421 4.7.0 IP not in whitelist for RCPT domain, closing connection."),
    ("General", 8.0, "4.0.0", "smtp; 450 4.0.0 Temporary failure, please try again later"),
    ("Undetermined", 4.0, "4.0.0", "smtp; 421 Service not available, closing transmission channel"),
    ("InternalFailure", 2.0, "4.0.0", "Amazon SES experienced an internal failure; retrying"),
)

FIRST_NAMES: tuple[str, ...] = (
    "james", "mary", "john", "patricia", "robert", "jennifer", "michael", "linda", "david", "elizabeth",
    "william", "barbara", "richard", "susan", "joseph", "jessica", "thomas", "sarah", "chris", "karen",
    "daniel", "lisa", "matthew", "nancy", "anthony", "sandra", "mark", "ashley", "paul", "emily",
    "steven", "donna", "andrew", "michelle", "joshua", "carol", "kevin", "amanda", "brian", "melissa",
    "maria", "jose", "wei", "mei", "arjun", "priya", "mohammed", "fatima", "lukas", "sofia",
    "noah", "emma", "liam", "olivia", "lucas", "mia", "hiroshi", "yuki", "olga", "ivan",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez",
    "martinez", "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor", "moore",
    "jackson", "martin", "lee", "perez", "thompson", "white", "harris", "sanchez", "clark", "ramirez",
    "lewis", "robinson", "walker", "young", "allen", "king", "wright", "scott", "nguyen", "hill",
    "chen", "wang", "kumar", "patel", "singh", "muller", "schmidt", "dubois", "rossi", "tanaka",
    "kowalski", "novak", "silva", "costa", "ahmed", "ali", "kim", "park", "cohen", "murphy",
)  # fmt: skip

#: Subjects by campaign kind; a day's mail mixes transactional and marketing.
SUBJECTS: tuple[str, ...] = (
    "Your order #{n} has shipped",
    "Your Example Shop receipt for order #{n}",
    "Reset your password",
    "Confirm your email address",
    "Your weekly digest: {n2} new arrivals picked for you",
    "Last chance: 20% off everything ends tonight",
    "Your invoice INV-{n} is ready",
    "New sign-in to your account from Chrome on Windows",
    "Spring collection is here",
    "You left something in your cart",
    "Your subscription renews on the 1st",
    "Welcome to Example Shop!",
)

USER_AGENTS: tuple[str, ...] = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/125.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/125.0 Mobile Safari/537.36",
)

LINKS: tuple[str, ...] = (
    "https://shop.example.com/new-arrivals",
    "https://shop.example.com/account/orders",
    "https://shop.example.com/cart",
    "https://shop.example.com/sale?utm_source=ses&utm_medium=email",
)
