"""Decoding settings shared by engines (pipeline/engines/settings.py)."""

from __future__ import annotations

import pytest

from pipeline.engines.settings import DecodingSettings


def test_cap_is_proportional_to_source_length():
    settings = DecodingSettings()
    assert settings.cap_for(10) == 30
    assert settings.cap_for(40) == 90
    assert settings.cap_for(10_000) == 512
    assert DecodingSettings(max_decoding_length=7).cap_for(100) == 7


def test_cap_label_spells_the_cap_rule_for_signatures():
    assert DecodingSettings().cap_label == "2x+10"
    assert DecodingSettings(max_decoding_length=12).cap_label == "12"


@pytest.mark.parametrize("threads", [1, 2])
def test_thread_layout_is_workers_of_one_thread(threads):
    assert DecodingSettings(threads=threads).workers == threads


@pytest.mark.parametrize(("threads", "jobs", "each"), [(8, 2, 4), (2, 2, 1), (3, 2, 1), (1, 4, 1)])
def test_threads_are_shared_out_between_processes(threads, jobs, each):
    settings = DecodingSettings(threads=threads, beam_size=2, batch_size=64, max_decoding_length=9, cache_positions=100)
    shared = settings.shared_by(jobs)
    assert shared.workers == each  # at least one each
    assert shared == DecodingSettings(each, 2, 64, 9, 100, processes=jobs)  # nothing else changes
