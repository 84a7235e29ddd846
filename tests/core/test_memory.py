"""Memory during long work: the garbage collector's thresholds while an export runs."""

from __future__ import annotations

import gc

import pytest

from kg.core.memory import YOUNGEST_THRESHOLD, fewer_collections


def test_fewer_collections_holds_for_its_block_and_restores_the_thresholds() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        assert gc.get_threshold() == (YOUNGEST_THRESHOLD, *before[1:])
        raise RuntimeError("a failed export")
    assert gc.get_threshold() == before
