"""A problem the doctor names: what is wrong with which thing, and the fix (pure)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    code: str  # stable name, for tests and scripts
    subject: str  # the identity, topic, subscription, destination, rule or role concerned
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}\n    fix: {self.fix}"
