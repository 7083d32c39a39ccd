"""Query understanding, independent of any search engine (stdlib and pydantic only)."""

from vizochok.core.query.analyze import STOPWORDS, QueryAnalysis, analyze, index_terms, word_terms
from vizochok.core.query.dictionary import Dictionary
from vizochok.core.query.fold import fold
from vizochok.core.query.stem import stem
from vizochok.core.query.units import Quantity, quantities

ANALYZER_VERSION = 2
"""Bump when `index_terms` or `fold` change: products indexed by an older version are re-indexed."""

__all__ = (
    "ANALYZER_VERSION",
    "STOPWORDS",
    "Dictionary",
    "Quantity",
    "QueryAnalysis",
    "analyze",
    "fold",
    "index_terms",
    "quantities",
    "stem",
    "word_terms",
)
