"""Is this envelope genuinely from our topic? SNS message fields, signature verification
(versions 1 and 2) and a throwaway signing authority for tests and the sandbox.
"""

from sesops.sns.signing import SigningAuthority
from sesops.sns.verify import SnsVerifier

__all__ = ["SigningAuthority", "SnsVerifier"]
