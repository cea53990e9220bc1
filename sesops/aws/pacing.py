"""Pace a long run of one-address calls: a steady rate, and a backoff when AWS throttles anyway.

boto3's own retries (:mod:`sesops.aws.clients`) absorb a brief throttle; a run of thousands of
PutSuppressedDestination calls needs more: :class:`Pacer` spaces the calls at ``rate`` per
second and, when AWS still answers with a throttling error, waits (1 s, 2 s, 4 s, ... up to
``max_wait``), halves the rate for the rest of the run, and tries the same call again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sesops.aws.errors import THROTTLED, describe_error, error_code
from sesops.errors import InputError

DEFAULT_RATE = 5.0  # calls per second; SES answers TooManyRequestsException well before 50
MIN_RATE = 0.2  # a throttle never slows a run below one call every 5 s
TRIES = 6  # attempts per call, the first included


class Pacer:
    """Calls at most ``rate`` per second; backs off and slows down after a throttle."""

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        *,
        tries: int = TRIES,
        first_wait: float = 1.0,
        max_wait: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not rate > 0:
            raise InputError(f"--rate {rate:g}: give a positive number of calls per second")
        if tries < 1:
            raise InputError(f"tries must be at least 1, not {tries}")
        self.rate = rate
        self.tries = tries
        self.first_wait = first_wait
        self.max_wait = max_wait
        self.throttles = 0  # throttling answers seen (each was retried or raised)
        self._clock = clock
        self._sleep = sleep
        self._next = clock()

    def wait_turn(self) -> None:
        """Sleep until the next call may start, and book the slot after it."""
        now = self._clock()
        if self._next > now:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + 1.0 / self.rate

    def call(
        self,
        action: str,
        method: Callable[..., Any],
        /,
        *,
        resource: str | None = None,
        absent: Collection[str] = (),
        note: str = "",
        **params: Any,
    ) -> Any:
        """``method(**params)`` in its turn, retried after a throttle; None for an ``absent`` code.

        Any other failure, or a throttle on the last try, raises the mapped
        :class:`~sesops.errors.AwsError` (ending with ``note``).
        """
        attempt = 0
        while True:
            self.wait_turn()
            try:
                return method(**params)
            except ClientError as err:
                code = error_code(err)
                if code in absent:
                    return None
                attempt += 1
                if code not in THROTTLED or attempt == self.tries:
                    raise describe_error(err, action, resource, note=note) from None
                self._back_off(attempt)
            except BotoCoreError as err:
                raise describe_error(err, action, resource, note=note) from None

    def _back_off(self, attempt: int) -> None:
        """After the ``attempt``-th throttle in a row (1-based): halve the rate, then wait."""
        self.throttles += 1
        self.rate = max(MIN_RATE, self.rate / 2)
        self._sleep(min(self.max_wait, self.first_wait * 2 ** (attempt - 1)))
        self._next = self._clock()
