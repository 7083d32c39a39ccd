"""Reciprocal-rank fusion and the query helpers the engines share."""

from __future__ import annotations

import pytest

from vizochok.core.search.request import normalize, rrf_fuse


def test_rrf_sums_weighted_reciprocal_ranks() -> None:
    fused = dict(
        rrf_fuse({"vector": ["a", "b"], "fulltext": ["b", "c"]}, {"vector": 1.0, "fulltext": 2.0}, k=60)
    )
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 2 / 61)
    assert fused["c"] == pytest.approx(2 / 62)
    assert [sku for sku, _ in rrf_fuse({"vector": ["a", "b"], "fulltext": ["b", "c"]})] == ["b", "a", "c"]


def test_zero_weight_drops_a_leg() -> None:
    assert rrf_fuse({"vector": ["a"], "fulltext": ["b"]}, {"vector": 0}) == [("b", pytest.approx(1 / 61))]


def test_normalize_folds_case_apostrophes_and_space() -> None:
    assert normalize("  М’ЯСО   Свиняче ") == normalize("мʼясо свиняче") == normalize("м'ясо свиняче")
    assert " " not in normalize("  м'ясо  ").strip() and normalize("A  B") == "a b"
