"""The vector cache: one bounded SQLite file, shared by processes (matcher.vector_cache)."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import vector_cache
from matcher.vector_cache import (
    CACHE_FILENAME,
    EVICT_TO,
    EmbeddingCache,
    VectorCacheError,
    VectorCacheWarning,
)


def vector(seed: int, dimension: int = 8) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(dimension).astype(np.float32)


def key(i: int) -> str:
    return EmbeddingCache.key("model@abc/onnx-int8", "passage", f"text {i}")


def test_reopening_reads_back_every_vector(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    for i in range(50):
        cache.put(key(i), vector(i))
    cache.close()

    again = EmbeddingCache(tmp_path)
    assert len(again) == 50
    got = again.get_many([key(i) for i in range(50)])
    assert all(np.array_equal(got[key(i)], vector(i)) for i in range(50))
    assert again.get(key(99)) is None


def test_unflushed_vectors_are_readable_before_the_flush(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    cache.put(key(1), vector(1))
    assert np.array_equal(cache.get(key(1)), vector(1))  # type: ignore[arg-type]
    # ... and are not in the file until flushed.
    assert EmbeddingCache(tmp_path).get(key(1)) is None
    cache.flush()
    assert EmbeddingCache(tmp_path).get(key(1)) is not None


def test_the_bound_is_respected_and_the_least_recently_used_go_first(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, max_entries=20)
    for i in range(20):
        cache.put(key(i), vector(i))
    cache.flush()
    assert len(cache) == 20  # at the bound: nothing evicted
    cache.get(key(0))  # used again: now the most recently used
    cache.flush()
    for i in range(20, 25):
        cache.put(key(i), vector(i))
    cache.flush()

    assert len(cache) == int(20 * EVICT_TO)
    kept = cache.get_many([key(i) for i in range(25)])
    assert key(0) in kept
    assert all(key(i) in kept for i in range(20, 25))  # the newest stay
    assert key(1) not in kept  # the oldest unused went first


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=60), max_size=200), st.integers(1, 30))
def test_never_more_than_the_bound_after_a_flush(ids: list[int], bound: int) -> None:
    cache = EmbeddingCache(max_entries=bound)
    for i in ids:
        cache.put(key(i), vector(i))
        if i % 7 == 0:
            cache.flush()
    cache.flush()
    assert len(cache) <= bound
    if len(set(ids)) <= bound:
        assert len(cache) == len(set(ids))  # nothing is evicted below the bound


def test_eviction_gives_space_back_to_the_file_system(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, max_entries=5000)
    for i in range(5000):
        cache.put(key(i), vector(i, dimension=384))
    cache.flush()
    full = (tmp_path / CACHE_FILENAME).stat().st_size
    cache.max_entries = 500
    cache.put(key(5000), vector(5000, dimension=384))
    cache.flush()
    with sqlite3.connect(tmp_path / CACHE_FILENAME) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert len(cache) == 450
    assert (tmp_path / CACHE_FILENAME).stat().st_size < full / 3


def _write_range(directory: str, start: int, stop: int) -> None:
    cache = EmbeddingCache(directory)
    for i in range(start, stop):
        cache.put(key(i), vector(i))
        if i % 50 == 0:
            cache.flush()
    cache.close()


def test_two_processes_write_the_same_file(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    # Overlapping ranges: both write keys 300-399.
    workers = [
        context.Process(target=_write_range, args=(str(tmp_path), 0, 400)),
        context.Process(target=_write_range, args=(str(tmp_path), 300, 700)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    cache = EmbeddingCache(tmp_path)
    assert len(cache) == 700
    got = cache.get_many([key(i) for i in range(700)])
    assert all(np.array_equal(got[key(i)], vector(i)) for i in range(700))


def test_a_corrupt_file_is_moved_aside_and_rebuilt_with_a_warning(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    cache.put(key(1), vector(1))
    cache.close()
    path = tmp_path / CACHE_FILENAME
    path.write_bytes(b"this is not an SQLite file" * 100)

    with pytest.warns(VectorCacheWarning, match="unreadable"):
        rebuilt = EmbeddingCache(tmp_path)
    assert len(rebuilt) == 0
    rebuilt.put(key(2), vector(2))
    rebuilt.close()
    assert np.array_equal(EmbeddingCache(tmp_path).get(key(2)), vector(2))  # type: ignore[arg-type]
    assert (tmp_path / (CACHE_FILENAME + ".corrupt")).is_file()


def test_keys_differ_by_model_identity_role_and_text() -> None:
    keys = {
        EmbeddingCache.key("e5@abc/onnx-int8", "query", "lager"),
        EmbeddingCache.key("e5@abc/onnx-fp32", "query", "lager"),
        EmbeddingCache.key("e5@abc/torch", "query", "lager"),
        EmbeddingCache.key("e5@abc/torch", "passage", "lager"),
        EmbeddingCache.key("e5@abc/torch", "passage", "lager "),
    }
    assert len(keys) == 5


def test_a_bound_below_one_is_refused() -> None:
    with pytest.raises(VectorCacheError, match="max_entries must be at least 1, got 0"):
        EmbeddingCache(max_entries=0)


def _read_write_forked(cache: EmbeddingCache, results: multiprocessing.Queue) -> None:
    # A forked child uses the parent's object: it must open a connection of its own.
    cache.put(key(1), vector(1))
    cache.flush()
    results.put(bool(np.array_equal(cache.get(key(0)), vector(0))))


def test_a_forked_process_opens_its_own_connection(tmp_path: Path) -> None:
    """A pre-forking server's workers use the master's cache (`service.prefork`)."""
    cache = EmbeddingCache(tmp_path)
    cache.put(key(0), vector(0))
    cache.flush()
    inherited = cache._connection
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_read_write_forked, args=(cache, results))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    assert results.get(timeout=5) is True
    # The parent's connection is its own still, and it reads what the child wrote.
    assert cache._connection is inherited
    assert np.array_equal(cache.get(key(1)), vector(1))


def test_a_file_another_process_is_setting_up_is_waited_for_never_moved_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vector_cache, "_BUSY_TIMEOUT_S", 5.0)
    path = tmp_path / CACHE_FILENAME
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")  # as a process in the middle of creating the file
    released = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
    released.start()
    try:
        cache = EmbeddingCache(tmp_path)
        cache.put(key(1), vector(1))
        cache.flush()
    finally:
        released.join()
        holder.close()
    assert len(cache) == 1
    assert not list(tmp_path.glob("*.corrupt"))


def test_a_file_locked_past_the_timeout_is_an_error_not_a_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vector_cache, "_BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / CACHE_FILENAME
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            EmbeddingCache(tmp_path)
    finally:
        holder.execute("COMMIT")
        holder.close()
    assert path.exists() and not list(tmp_path.glob("*.corrupt"))
