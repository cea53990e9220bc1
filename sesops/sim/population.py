"""Who receives the simulated mail: the recipient population and when messages are sent."""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate
from typing import Any

from sesops.sim import data as simdata
from sesops.sim.data import Provider

Address = tuple[str, Provider]

_HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 9, 8, 9, 10, 10, 9, 8, 7, 6, 5, 4, 2, 1)


def pick(rng: random.Random, items: tuple[Any, ...], cum: tuple[float, ...]) -> Any:
    return items[min(bisect(cum, rng.random() * cum[-1]), len(items) - 1)]


def send_times(rng: random.Random, messages: int, days: int, start_ms: int) -> list[int]:
    """Sorted send times: office hours busier than nights, weekends at 60 %."""
    slots = [
        (0.6 if (start_ms // 86_400_000 + day + 3) % 7 >= 5 else 1.0) * weight
        for day in range(days)
        for weight in _HOUR_WEIGHTS
    ]
    chosen = rng.choices(range(len(slots)), cum_weights=list(accumulate(slots)), k=messages)
    hour = 3_600_000
    return sorted(start_ms + slot * hour + int(rng.random() * hour) for slot in chosen)


class Population:
    """Recipients: a good pool (real-world domain mix) and a pool of addresses that bounce."""

    def __init__(self, rng: random.Random, size: int) -> None:
        domains = [(d, w, p) for p in simdata.PROVIDERS for d, w in p.domains]
        cum = tuple(accumulate(w for _, w, _ in domains))
        self.good: list[Address] = []
        for _ in range(size):
            domain, _, provider = pick(rng, tuple(domains), cum)
            self.good.append((f"{self._local(rng)}@{domain}", provider))
        self.feedback_loop = [a for a in self.good if a[1].feedback_agent] or self.good
        self.invalid: list[Address] = []
        for _ in range(max(50, size // 20)):
            if rng.random() < 0.25:
                typo = simdata.TYPO_DOMAINS[int(rng.random() * len(simdata.TYPO_DOMAINS))]
                self.invalid.append((f"{self._local(rng)}@{typo}", TYPO))
            else:
                domain, _, provider = pick(rng, tuple(domains), cum)
                self.invalid.append((f"{self._local(rng)}{int(rng.random() * 90) + 10}@{domain}", provider))
        self.bounced: list[Address] = []  # hard-bounced once: SES suppresses them next time

    @staticmethod
    def _local(rng: random.Random) -> str:
        first = simdata.FIRST_NAMES[int(rng.random() * len(simdata.FIRST_NAMES))]
        last = simdata.LAST_NAMES[int(rng.random() * len(simdata.LAST_NAMES))]
        style = int(rng.random() * 6)
        if style == 0:
            return f"{first}.{last}"
        if style == 1:
            return f"{first}{last}{int(rng.random() * 100)}"
        if style == 2:
            return f"{first[0]}{last}"
        if style == 3:
            return f"{first}_{last}"
        if style == 4:
            return f"{last}.{first}{int(rng.random() * 1000)}"
        return f"{first}.{last}+news"

    @staticmethod
    def one(rng: random.Random, pool: list[Address]) -> Address:
        return pool[int(rng.random() * len(pool))]


# Misspelt domains have no mail server; a pseudo-provider answers for them.
TYPO = Provider(
    "typo", (), "", "", simdata.TYPO_BOUNCE, simdata.TYPO_BOUNCE, simdata.TYPO_BOUNCE,
    simdata.TYPO_BOUNCE, simdata.TYPO_BOUNCE,
)  # fmt: skip
