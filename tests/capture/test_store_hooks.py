"""The capture store's listeners: called after the commit, with each message's new/duplicate flag,
on the writer's own thread; a listener's exception reaches the writer and the rows stay stored."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from sesops.capture.store import CaptureStore, NewMessage, NewReject, prepare
from tests.capture_samples import ses_bounce, unsigned_envelope


def body(message_id: str) -> str:
    return unsigned_envelope(ses_bounce(), message_id=message_id)


def test_commit_listeners_get_each_message_with_its_new_flag_after_the_commit(tmp_path: Path) -> None:
    calls: list[tuple[list[str], list[bool], int]] = []
    with CaptureStore(tmp_path / "c.sqlite") as store:

        def listener(messages: Sequence[NewMessage], new: Sequence[bool]) -> None:
            # Called after the commit: the rows are already readable.
            calls.append(([m.message_id for m in messages], list(new), store.counts().messages))

        store.on_commit(listener)
        assert store.add(body("a"), channel="http", verified=True)
        assert store.add_many([prepare(body(m), channel="sqs", verified=False) for m in "bab"]) == [
            True,
            False,
            False,
        ]
        assert store.add_many([]) == []  # nothing written: nobody called
    assert calls == [(["a"], [True], 1), (["b", "a", "b"], [True, False, False], 2)]


def test_listeners_run_in_the_order_registered(tmp_path: Path) -> None:
    order: list[str] = []
    with CaptureStore(tmp_path / "c.sqlite") as store:
        store.on_commit(lambda messages, new: order.append("first"))
        store.on_commit(lambda messages, new: order.append("second"))
        store.add(body("a"), channel="http", verified=True)
    assert order == ["first", "second"]


def test_reject_listeners_get_the_stored_reject(tmp_path: Path) -> None:
    seen: list[tuple[NewReject, int]] = []
    with CaptureStore(tmp_path / "c.sqlite") as store:
        store.on_reject(lambda reject: seen.append((reject, store.counts().rejects)))
        store.on_commit(lambda messages, new: pytest.fail("a reject is no commit of messages"))
        store.add_reject(b"junk", reason="not JSON", channel="sqs")
        [stored] = list(store.iter_rejects())
    [(reject, rejects_then)] = seen
    assert (reject.channel, reject.reason, reject.body, rejects_then) == ("sqs", "not JSON", "junk", 1)
    assert reject.received_at == stored["received_at"]


def test_each_writer_hears_of_its_own_messages_on_its_own_thread(tmp_path: Path) -> None:
    heard: dict[str, list[str]] = {}
    lock = threading.Lock()

    def listener(messages: Sequence[NewMessage], new: Sequence[bool]) -> None:
        assert all(new)
        with lock:
            heard.setdefault(threading.current_thread().name, []).extend(m.message_id for m in messages)

    written: dict[str, list[str]] = {}
    with CaptureStore(tmp_path / "c.sqlite") as store:
        store.on_commit(listener)

        def writer(n: int) -> None:
            ids = [f"{n}-{i}" for i in range(20)]
            for message_id in ids:
                store.add(body(message_id), channel="http", verified=True)
            written[threading.current_thread().name] = ids

        threads = [threading.Thread(target=writer, args=(n,), name=f"writer-{n}") for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not any(thread.is_alive() for thread in threads)
    assert heard == written  # group commit shares a transaction, never a listener call


@pytest.mark.parametrize("write", ["add", "add_many", "add_reject"])
def test_a_listeners_exception_reaches_the_writer_and_the_rows_stay(tmp_path: Path, write: str) -> None:
    def fail(*args: object) -> None:
        raise RuntimeError("listener broke")

    with CaptureStore(tmp_path / "c.sqlite") as store:
        store.on_commit(fail)
        store.on_reject(fail)
        with pytest.raises(RuntimeError, match="listener broke"):
            if write == "add":
                store.add(body("a"), channel="http", verified=True)
            elif write == "add_many":
                store.add_many([prepare(body("a"), channel="sqs", verified=False)])
            else:
                store.add_reject("junk", reason="not JSON", channel="sqs")
        counts = store.counts()
    assert (counts.messages, counts.rejects) == ((0, 1) if write == "add_reject" else (1, 0))
