"""Shared state in a real Redis: the lease, the draft cache, the run record,
and the broker password kept out of what we print."""

from __future__ import annotations

import io
import time

import pytest

from pipeline.distributed.state import (
    BrokerError,
    CachingEngine,
    DraftCache,
    Lease,
    RedactingStream,
    Redactor,
    RunBook,
    broker_url,
    connect,
    mask_url,
)
from tests.support.fake_engine import FakeEngine

from .conftest import PASSWORD


def test_mask_url_hides_the_password_in_every_spelling():
    assert mask_url("redis://:p%40ss@10.0.0.5:6379/0") == "redis://:***@10.0.0.5:6379/0"
    assert mask_url("redis://user:secret@host/1") == "redis://user:***@host/1"
    assert mask_url("redis://host:6379/0") == "redis://host:6379/0"
    redact = Redactor("redis://:p%40ss@10.0.0.5:6379/0")
    assert redact("auth p@ss and p%40ss failed") == "auth *** and *** failed"
    out = io.StringIO()
    RedactingStream(out, Redactor(f"redis://:{PASSWORD}@h/0")).write(f"connecting to redis://:{PASSWORD}@h/0\n")
    assert PASSWORD not in out.getvalue() and "***" in out.getvalue()


def test_the_broker_comes_from_the_option_then_the_environment_then_the_file(monkeypatch):
    monkeypatch.setenv("PIPELINE_BROKER", "redis://env/0")
    assert broker_url("redis://option/0", "redis://file/0") == "redis://option/0"
    assert broker_url(None, "redis://file/0") == "redis://env/0"
    monkeypatch.delenv("PIPELINE_BROKER")
    assert broker_url(None, "redis://file/0") == "redis://file/0"
    with pytest.raises(BrokerError, match="no broker"):
        broker_url(None, "")
    with pytest.raises(BrokerError, match="only Redis") as refused:
        broker_url(f"amqp://u:{PASSWORD}@h//", "")
    assert PASSWORD not in str(refused.value)


def test_an_unreachable_or_refusing_broker_is_one_line_without_the_password(redis_server):
    wrong = redis_server.url.replace(PASSWORD, "Wr0ng-" + PASSWORD)
    with pytest.raises(BrokerError) as refused:
        connect(wrong)
    assert "Wr0ng" not in str(refused.value) and "\n" not in str(refused.value)
    assert "***" in str(refused.value)
    closed = f"redis://:{PASSWORD}@127.0.0.1:1/0"
    with pytest.raises(BrokerError) as down:
        connect(closed, timeout=1)
    assert PASSWORD not in str(down.value) and "cannot reach the broker" in str(down.value)


def test_the_lease_is_held_once_renewed_and_released_only_by_its_holder(redis_server):
    client = redis_server.client()
    first = Lease(client, "pipeline:test:lease:a", ttl=5)
    second = Lease(client, "pipeline:test:lease:a", ttl=5)
    assert first.acquire()
    assert not second.acquire()  # one document never runs twice at once
    assert not second.release()  # compare-and-delete: not its lease
    assert first.holder() == first.token
    assert first.renew()
    assert first.release()
    assert second.acquire()
    assert not first.renew() and first.lost.is_set()  # the first one's lease is gone: it knows
    second.release()


def test_a_lease_that_lapses_mid_document_is_lost_and_never_renewed_over_the_new_holder(redis_server):
    client = redis_server.client()
    slow = Lease(client, "pipeline:test:lease:b", ttl=0.3)
    assert slow.acquire()
    time.sleep(0.5)  # the holder was paused past its lease (a stopped VM, a long GC)
    other = Lease(client, "pipeline:test:lease:b", ttl=5)
    assert other.acquire()
    assert not slow.renew() and slow.lost.is_set()
    assert other.holder() == other.token
    assert not slow.release()
    assert other.holder() == other.token
    other.release()


def test_the_renewer_keeps_a_lease_alive_past_its_ttl(redis_server):
    client = redis_server.client()
    lease = Lease(client, "pipeline:test:lease:c", ttl=0.3)
    assert lease.acquire()
    lease.keep_renewed()
    time.sleep(0.8)
    assert lease.holder() == lease.token and not lease.lost.is_set()
    assert lease.release()
    assert lease.holder() is None


def test_the_draft_cache_decodes_a_sentence_once(redis_server):
    client = redis_server.client()
    client.flushdb()
    engine = FakeEngine()
    first = CachingEngine(engine, DraftCache(client))
    drafts = first.translate(["甲。", "乙。"])
    assert first.counts.decoded == 2 and first.counts.hits == 0
    second = CachingEngine(FakeEngine(), DraftCache(client))  # another worker
    again = second.translate(["乙。", "丙。", "甲。"])
    assert second.counts.hits == 2 and second.counts.decoded == 1
    assert again[0].text == drafts[1].text and again[2].text == drafts[0].text
    assert str(again[0].signature) == str(drafts[1].signature)


def test_the_draft_cache_is_keyed_by_the_engine_signature(redis_server):
    client = redis_server.client()
    cache = DraftCache(client)
    engine = FakeEngine()
    CachingEngine(engine, cache).translate(["丁。"])
    other = FakeEngine()
    other.signature = lambda: engine.signature().__class__("fake", "other-model", "1")
    caching = CachingEngine(other, cache)
    caching.translate(["丁。"])
    assert caching.counts.hits == 0 and caching.counts.decoded == 1


def test_the_run_record_counts_states(redis_server, tmp_path):
    client = redis_server.client()
    book = RunBook.create(client, tmp_path, ["a", "b", "c"])
    book.set_state("a", "running", where="host:1")
    book.finish("b", {"doc": "b"})
    book.fail("c", "seeds/c.txt: not a text file")
    counts = book.counts()
    assert (counts["running"], counts["done"], counts["failed"]) == (1, 1, 1)
    assert book.errors() == {"c": "seeds/c.txt: not a text file"}
    assert [b.run_id for b in RunBook.recent(client, tmp_path)] == [book.run_id]
    assert client.ttl(book.state_key) > 0 and client.ttl(book.where_key) > 0  # records expire


def test_a_run_submitted_while_redis_is_down_is_one_line_and_exit_1(workspace):
    from click.testing import CliRunner

    from pipeline.cli import main

    down = f"redis://:{PASSWORD}@127.0.0.1:1/0"
    result = CliRunner().invoke(main, ["run", "-w", str(workspace), "--executor", "celery", "--broker", down])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith("Error: cannot reach the broker at redis://:***@")
    assert PASSWORD not in result.output and "Traceback" not in result.output
    assert not (workspace / "locales").exists()  # nothing was touched


def test_each_pool_process_of_a_worker_takes_its_share_of_the_gpus(monkeypatch):
    """`pipeline worker -c N`: pool process i decodes with the settings of
    process i of N, the rule of `run --jobs N` (here on a machine of 4 GPUs)."""
    from billiard.process import current_process

    from pipeline.distributed import celery_app
    from pipeline.engines.settings import DecodingSettings

    sent = DecodingSettings(threads=8, beam_size=2)  # as the submitter's message has them
    assert celery_app.pool_place() == (0, 1)  # not in a pool: every GPU
    assert celery_app.process_settings(sent, *celery_app.pool_place()).gpus(4) == [0, 1, 2, 3]

    def shares(processes: int) -> list[list[int]]:
        monkeypatch.setattr(celery_app, "pool_processes", processes)
        found = []
        for index in range(processes):
            monkeypatch.setattr(current_process(), "index", index, raising=False)
            settings = celery_app.process_settings(sent, *celery_app.pool_place())
            assert settings.threads == 1 and settings.beam_size == 2
            found.append(settings.gpus(4))
        return found

    assert shares(2) == [[0, 2], [1, 3]]
    assert shares(4) == [[0], [1], [2], [3]]
    assert shares(6) == [[0], [1], [2], [3], [0], [1]]  # more processes than GPUs: two on GPUs 0 and 1
