"""The Pacer: a steady rate, a backoff that slows the run after a throttle, and the mapped errors."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from sesops.aws.pacing import MIN_RATE, Pacer
from sesops.errors import AwsError, InputError


class FakeTime:
    """A clock that moves only when slept on; records every sleep."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"said {code}"}}, "PutSuppressedDestination")


class Answers:
    """A stand-in boto3 method: raises or returns each queued answer in turn, recording the calls."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **params: Any) -> Any:
        self.calls.append(params)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def paced(rate: float = 2.0, tries: int = 4) -> tuple[Pacer, FakeTime]:
    time = FakeTime()
    return Pacer(rate, tries=tries, clock=time.clock, sleep=time.sleep), time


def test_calls_are_spaced_at_the_rate() -> None:
    pacer, time = paced(rate=4.0)
    method = Answers("a", "b", "c")
    assert [pacer.call("ses:X", method, Id=i) for i in range(3)] == ["a", "b", "c"]
    assert time.slept == [0.25, 0.25]  # the first goes at once
    assert method.calls == [{"Id": 0}, {"Id": 1}, {"Id": 2}]


def test_slow_calls_are_not_slowed_further() -> None:
    pacer, time = paced(rate=4.0)
    pacer.wait_turn()
    time.now += 1.0  # the call itself took a second
    pacer.wait_turn()
    assert time.slept == []


def test_a_throttle_backs_off_halves_the_rate_and_retries_the_same_call() -> None:
    pacer, time = paced(rate=2.0)
    method = Answers(client_error("TooManyRequestsException"), client_error("Throttling"), "done")
    assert pacer.call("ses:PutSuppressedDestination", method, EmailAddress="a@x.com") == "done"
    assert time.slept == [1.0, 2.0]  # 1 s then 2 s; after each, the next call may go at once
    assert pacer.rate == 0.5 and pacer.throttles == 2
    assert method.calls == [{"EmailAddress": "a@x.com"}] * 3


def test_the_rate_never_drops_below_the_floor() -> None:
    pacer, _ = paced(rate=MIN_RATE, tries=3)
    pacer.call("ses:X", Answers(client_error("Throttling"), "ok"))
    assert pacer.rate == MIN_RATE


def test_throttled_on_every_try_raises_the_mapped_error_with_the_note() -> None:
    pacer, time = paced(tries=3)
    method = Answers(*[client_error("TooManyRequestsException")] * 3)
    with pytest.raises(
        AwsError,
        match=r"^ses:PutSuppressedDestination a@x\.com: TooManyRequestsException: said TooManyRequestsException\. "
        r"AWS still throttled it after boto3's retries: .* \(2 done\)$",
    ):
        pacer.call("ses:PutSuppressedDestination", method, resource="a@x.com", note=" (2 done)")
    assert time.slept[-2:] == [1.0, 2.0] and len(method.calls) == 3


def test_the_wait_is_capped() -> None:
    time = FakeTime()
    pacer = Pacer(1000.0, tries=8, max_wait=5.0, clock=time.clock, sleep=time.sleep)
    pacer.call("ses:X", Answers(*[client_error("Throttling")] * 7, "ok"))
    assert max(time.slept) == 5.0


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            client_error("AccessDeniedException"),
            r"^ses:PutSuppressedDestination: AccessDeniedException: .*Allow",
        ),
        (
            EndpointConnectionError(endpoint_url="https://email.us-east-1.amazonaws.com"),
            r"^ses:PutSuppressedDestination: Could not connect .* The endpoint is unreachable",
        ),
    ],
)
def test_other_failures_are_mapped_at_once(error: Exception, message: str) -> None:
    pacer, time = paced()
    method = Answers(error)
    with pytest.raises(AwsError, match=message):
        pacer.call("ses:PutSuppressedDestination", method)
    assert len(method.calls) == 1 and time.slept == []


def test_an_absent_code_is_none() -> None:
    pacer, _ = paced()
    assert (
        pacer.call("ses:X", Answers(client_error("NotFoundException")), absent={"NotFoundException"}) is None
    )


@pytest.mark.parametrize(
    ("rate", "tries", "message"), [(0.0, 3, "--rate 0: give a positive"), (1.0, 0, "tries must")]
)
def test_bad_settings_are_refused(rate: float, tries: int, message: str) -> None:
    with pytest.raises(InputError, match=message):
        Pacer(rate, tries=tries)
