"""Batch planning (pipeline/engines/batching.py): longest first, within
padded source tokens and decoder positions."""

from __future__ import annotations

from pipeline.engines.batching import plan_batches
from pipeline.engines.settings import DecodingSettings


def test_batch_plan_respects_tokens_and_decoder_positions():
    settings = DecodingSettings(beam_size=4, batch_size=100, max_decoding_length=10, cache_positions=160)
    lengths = [5, 30, 12, 12, 7, 250, 1, 30, 9, 3, 20, 20, 20, 20]
    batches = plan_batches(lengths, settings)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))  # each segment exactly once
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(lengths, reverse=True)  # longest first
    assert batches[0] == [5]  # longer than a whole batch: alone
    for batch in batches[1:]:
        assert len(batch) * max(lengths[i] for i in batch) <= 100  # padded tokens
        assert len(batch) * 4 * 10 <= 160  # sentences x beam x cap
    assert max(len(b) for b in batches) == 4  # the position bound binds for short segments
    assert [len(b) for b in batches[:2]] == [1, 3]  # 3 x 30 tokens; a fourth would pad to 120


def test_batch_plan_position_bound_follows_the_proportional_cap():
    settings = DecodingSettings(beam_size=4, batch_size=10_000)  # cap 2 x longest + 10, 8192 positions
    batches = plan_batches([30] * 100 + [100] * 10, settings)
    long, short = batches[0], batches[-1]
    assert len(long) == 8192 // (4 * 210)  # 9 of the 100-token sentences
    assert len(short) <= 8192 // (4 * 70)
    assert all(len(b) * 4 * settings.cap_for(30) <= 8192 for b in batches[2:])


def test_batch_plan_of_nothing_is_empty():
    assert plan_batches([], DecodingSettings()) == []
