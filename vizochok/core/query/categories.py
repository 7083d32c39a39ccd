"""Category understanding: a tenant's own category tree, read as data.

Every category path and every department (the paths' first levels) is embedded once, as a
passage, and a query is mapped to the categories it names: by words (every query word in one
level of the path: «молочні продукти», "frozen vegetables" → "frozen > frozen produce" needs the
vector) or by meaning (the query's vector close to the category's: «молочка», "dairy"). The
category leg then ranks the products of those categories, so a department-level query returns
that department's products instead of products whose names merely share a word («ковбасні
вироби» is not pasta, "frozen vegetables" is not ice cream).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from vizochok.core.query.analyze import QueryAnalysis, index_terms

SEPARATOR = ">"


@dataclass(frozen=True)
class CategoryIndex:
    """One tenant's categories: each path (and each department) with its terms and vector."""

    paths: tuple[str, ...] = ()
    """Full paths and department prefixes, as the catalog writes them."""
    sizes: tuple[int, ...] = ()
    """Active products under each entry."""
    vectors: tuple[tuple[float, ...], ...] = ()
    levels: tuple[tuple[frozenset[str], ...], ...] = field(default=())
    """Per entry, the index terms of each level of its path."""
    language: str = "uk"
    """The language most of the catalog's names are in."""
    children: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per entry, the catalog's own paths under it (a path is its own only child)."""

    @classmethod
    def build(
        cls, facts: list[tuple[str, int]], vectors: dict[str, list[float]], language: str
    ) -> CategoryIndex:
        """Entries for every path and every department of `(category_path, products)` facts."""
        sizes: dict[str, int] = {}
        for path, count in facts:
            if not path or not path.strip():
                continue
            sizes[path] = sizes.get(path, 0) + count
            department = path.split(SEPARATOR)[0].strip()
            if department != path.strip():
                sizes[department] = sizes.get(department, 0) + count
        paths = tuple(p for p in sizes if p in vectors)
        children: dict[str, list[str]] = {}
        for path, _ in facts:
            if path and path.strip():
                children.setdefault(path, []).append(path)
                department = path.split(SEPARATOR)[0].strip()
                if department != path:
                    children.setdefault(department, []).append(path)
        return cls(
            children={k: tuple(dict.fromkeys(v)) for k, v in children.items()},
            paths=paths,
            sizes=tuple(sizes[p] for p in paths),
            vectors=tuple(tuple(vectors[p]) for p in paths),
            levels=tuple(tuple(frozenset(index_terms(level)) for level in p.split(SEPARATOR)) for p in paths),
            language=language,
        )

    @staticmethod
    def entries(facts: list[tuple[str, int]]) -> list[str]:
        """The texts to embed: every path and every department."""
        out: dict[str, None] = {}
        for path, _ in facts:
            if path and path.strip():
                out[path] = None
                out[path.split(SEPARATOR)[0].strip()] = None
        return list(out)

    def match(
        self, analysis: QueryAnalysis, vector: list[float] | None, margin: float = 0.02, floor: float = 0.0
    ) -> list[str]:
        """The catalog's paths under the categories the query names: by words, then by vector.

        By vector, the nearest categories within `margin` of the nearest (at most three) when the
        nearest is at least `floor` close.
        """
        if not self.paths or not analysis.groups:
            return []
        lexical = [p for p, levels in zip(self.paths, self.levels, strict=True) if _names(analysis, levels)]
        by_vector: list[str] = []
        if vector is not None and self.vectors:
            scores = [_dot(vector, v) for v in self.vectors]
            best = max(scores)
            if best >= floor:
                order = sorted(range(len(scores)), key=lambda i: -scores[i])
                by_vector = [self.paths[i] for i in order[:3] if scores[i] >= best - margin]
        return list(
            dict.fromkeys(p for entry in lexical + by_vector for p in self.children.get(entry, (entry,)))
        )


GENERIC = frozenset(
    index_terms(
        "вироби виріб продукти продукція товари засоби изделия продукты продукция товары средства"
        " products product items goods supplies stuff"
    )
)
"""Words a department query adds to what it names («хлібобулочні вироби», "cleaning supplies"): a
category path rarely repeats them, so they are not required of it when another word is there."""
_COMPOUND_FROM = 4


def _names(analysis: QueryAnalysis, levels: tuple[frozenset[str], ...]) -> bool:
    """Every word of the query (any of its readings, generic words aside) is a word of one level of the path."""
    groups = [g for g in analysis.groups if not GENERIC.intersection(g)] or list(analysis.groups)
    return any(level and all(any(_hit(t, level) for t in group) for group in groups) for level in levels)


def _hit(term: str, level: frozenset[str]) -> bool:
    """Whether a query term names one of a level's words.

    The same word, its prefix, or a Ukrainian or Russian compound that starts with it («хлібобулочні»
    → «Хліб»). Not English: "buttermilk" is not butter, "pineapple" not pine.
    """
    compound = not term.isascii()
    return term in level or any(
        (len(term) >= _COMPOUND_FROM and w.startswith(term))
        or (compound and len(w) >= _COMPOUND_FROM and term.startswith(w))
        for w in level
    )


def _dot(a: list[float], b: tuple[float, ...]) -> float:
    return math.fsum(x * y for x, y in zip(a, b, strict=False))
