"""Products and catalog jobs in PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from psycopg.types.json import Jsonb

from vizochok.core.catalog.indexing import content_hash, fulltext_fields, row_hash, search_name
from vizochok.core.models import CatalogJob, ProductInput
from vizochok.core.query import ANALYZER_VERSION

if TYPE_CHECKING:
    from collections.abc import Sequence

    from vizochok.adapters.db.database import Connection, Database
    from vizochok.adapters.db.replicas import ReadDatabase

_PRODUCT_COLUMNS = (
    "sku", "name", "category_path", "brand", "description", "ingredients", "country", "unit",
    "quantity_step", "min_quantity", "weight", "volume", "image_url", "attributes", "barcode", "is_active",
)  # fmt: skip

# Index terms come from core/query (stems, amounts, readings), so the tsvector is written as a
# literal: PostgreSQL's parser and dictionaries would undo that work, and `array_to_tsvector`
# drops positions, and with them the A–D weights that ts_rank needs.
_FTS = "%s::tsvector"
_MAX_POSITION = 16383


def tsvector_literal(fields: Sequence[Sequence[str]], weights: str = "ABCD") -> str:
    """`'молок':1A 'галичин':2A,9B …`: each field's terms at increasing positions with its weight."""
    positions: dict[str, list[str]] = {}
    position = 0
    for terms, weight in zip(fields, weights, strict=False):
        for term in terms:
            position = min(position + 1, _MAX_POSITION)
            positions.setdefault(term, []).append(f"{position}{weight}")
    return " ".join(
        "'" + term.replace("\\", "\\\\").replace("'", "''") + "':" + ",".join(marks[:256])
        for term, marks in positions.items()
    )


_UPSERT = f"""
INSERT INTO products (tenant_id, {", ".join(_PRODUCT_COLUMNS)}, content_hash, row_hash, embed_job_id,
                      search_name, fts, search_version, updated_at)
VALUES (%s, {", ".join(["%s"] * len(_PRODUCT_COLUMNS))}, %s, %s, %s, %s, {_FTS}, {ANALYZER_VERSION}, now())
ON CONFLICT (tenant_id, sku) DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in _PRODUCT_COLUMNS[1:])},
    content_hash = EXCLUDED.content_hash, row_hash = EXCLUDED.row_hash,
    embed_job_id = COALESCE(EXCLUDED.embed_job_id, products.embed_job_id),
    search_name = EXCLUDED.search_name, fts = EXCLUDED.fts, search_version = EXCLUDED.search_version,
    updated_at = now()
"""  # noqa: S608 - built from module constants only

_REINDEX = f"""UPDATE products SET search_name = %s, fts = {_FTS}, search_version = {ANALYZER_VERSION}
               WHERE sku = %s"""  # noqa: S608 - built from module constants only


JOB_LEASE_SECONDS = 120.0
"""How long a running job stays claimed without a progress write; then any server process takes it over."""


def _job(row: dict[str, Any]) -> CatalogJob:
    return CatalogJob(
        job_id=row["id"], tenant_id=row["tenant_id"], status=row["status"], total=row["total"],
        embedded=row["embedded"], created=row["created"], updated=row["updated"], unchanged=row["unchanged"],
        errors=row["errors"], started_at=row["started_at"], completed_at=row["completed_at"],
    )  # fmt: skip


class PostgresCatalogRepository:
    """Upserts by SKU with content hashes, so that only real content changes are re-embedded."""

    def __init__(self, db: Database, reads: ReadDatabase | None = None) -> None:
        self._db = db
        # Chat and search reads may come from standbys; writes, jobs and admin stay on the primary.
        self._reads: Any = reads if reads is not None else db

    async def _wrote(self, tenant_id: str) -> None:
        """Reads of the tenant wait for a standby that has this write (read-your-writes)."""
        if self._reads is not self._db:
            await self._reads.wrote(tenant_id)

    async def upsert(
        self, tenant_id: str, job_id: str, products: Sequence[ProductInput], errors: Sequence[str] = ()
    ) -> tuple[CatalogJob, int]:
        """Write products and create their job; returns the job and how many products await embedding."""
        created = updated = unchanged = to_embed = 0
        async with self._db.tenant(tenant_id) as conn:
            existing = await self._existing(conn, tenant_id, [p.sku for p in products])
            # Content enriched before (any SKU, any earlier upload) keeps its text in full text.
            enriched = await self._enrichments(conn, [content_hash(p) for p in products])
            params = []
            for product in products:
                c_hash, r_hash = content_hash(product), row_hash(product)
                old = existing.get(product.sku)
                if old is not None and old["row_hash"] == r_hash:
                    unchanged += 1
                    continue
                created += old is None
                updated += old is not None
                needs_embedding = product.is_active and (old is None or old["embedded_hash"] != c_hash)
                to_embed += needs_embedding
                embed_job = job_id if needs_embedding else None
                enrichment = enriched.get(c_hash, "")
                params.append(
                    self._params(tenant_id, product, c_hash, r_hash, embed_job, enrichment=enrichment)
                )
            status = "pending" if to_embed else "complete"
            await conn.execute(
                """INSERT INTO catalog_jobs (id, tenant_id, status, total, created, updated, unchanged, to_embed,
                       errors, completed_at)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, CASE WHEN %s THEN now() END)""",
                (job_id, tenant_id, status, len(products) + len(errors), created, updated, unchanged, to_embed,
                 Jsonb(list(errors)), status == "complete"),
            )  # fmt: skip
            if params:
                async with conn.cursor() as cur:
                    await cur.executemany(_UPSERT, params)
            job = await self._get_job(conn, job_id)
        assert job is not None  # noqa: S101 - inserted in this transaction
        await self._wrote(tenant_id)
        return job, to_embed

    @staticmethod
    def _params(
        tenant_id: str, p: ProductInput, c_hash: str, r_hash: str, job_id: str | None, *, enrichment: str = ""
    ) -> tuple[Any, ...]:
        values = [getattr(p, c) for c in _PRODUCT_COLUMNS]
        values[_PRODUCT_COLUMNS.index("attributes")] = (
            Jsonb(p.attributes) if p.attributes is not None else None
        )
        return (
            tenant_id,
            *values,
            c_hash,
            r_hash,
            job_id,
            search_name(p),
            tsvector_literal(fulltext_fields(p, enrichment)),
        )

    @staticmethod
    async def _existing(conn: Connection, tenant_id: str, skus: list[str]) -> dict[str, dict[str, Any]]:
        cur = await conn.execute(
            "SELECT sku, row_hash, embedded_hash FROM products WHERE tenant_id = %s AND sku = ANY(%s)",
            (tenant_id, skus),
        )
        return {row["sku"]: row for row in await cur.fetchall()}

    @staticmethod
    async def _get_job(conn: Connection, job_id: str) -> CatalogJob | None:
        cur = await conn.execute("SELECT * FROM catalog_jobs WHERE id = %s", (job_id,))
        row = await cur.fetchone()
        return None if row is None else _job(row)

    async def get_job(self, tenant_id: str, job_id: str) -> CatalogJob | None:
        """One job of the tenant."""
        async with self._db.tenant(tenant_id) as conn:
            return await self._get_job(conn, job_id)

    async def list_jobs(self, tenant_id: str, limit: int = 20) -> list[CatalogJob]:
        """Recent jobs, newest first."""
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute(
                "SELECT * FROM catalog_jobs ORDER BY submitted_at DESC, id DESC LIMIT %s", (limit,)
            )
            return [_job(r) for r in await cur.fetchall()]

    async def update_job(self, job: CatalogJob) -> None:
        """Persist a job's progress; a running job's lease moves on with it, a finished one drops it."""
        async with self._db.tenant(job.tenant_id) as conn:
            await conn.execute(
                """UPDATE catalog_jobs SET status = %s, embedded = %s, errors = %s, started_at = %s,
                       completed_at = %s,
                       lease_until = CASE WHEN %s = 'embedding' THEN now() + make_interval(secs => %s) END
                   WHERE id = %s""",
                (job.status, job.embedded, Jsonb(job.errors), job.started_at, job.completed_at,
                 job.status, JOB_LEASE_SECONDS, job.job_id),
            )  # fmt: skip

    async def claim_job(self, tenant_id: str, job_id: str) -> CatalogJob | None:
        """Take a job to run in this process: pending, failed, or running elsewhere with a lease run out.

        One UPDATE decides, so two server processes never run the same job.
        """
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute(
                """UPDATE catalog_jobs SET status = 'embedding', attempts = attempts + 1, completed_at = NULL,
                       started_at = COALESCE(started_at, now()),
                       lease_until = now() + make_interval(secs => %s)
                   WHERE id = %s AND (status IN ('pending', 'failed')
                         OR (status = 'embedding' AND (lease_until IS NULL OR lease_until < now())))
                   RETURNING *""",
                (JOB_LEASE_SECONDS, job_id),
            )
            row = await cur.fetchone()
        return None if row is None else _job(row)

    async def release_job(self, tenant_id: str, job_id: str) -> None:
        """Give a running job up (shutdown): the next start or another process takes it over at once."""
        async with self._db.tenant(tenant_id) as conn:
            await conn.execute(
                "UPDATE catalog_jobs SET lease_until = NULL WHERE id = %s AND status = 'embedding'", (job_id,)
            )

    async def pending_embeddings(
        self, tenant_id: str, job_id: str, limit: int
    ) -> list[tuple[ProductInput, str]]:
        """Products of this job whose embedding is missing or stale, with the content hash to embed."""
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute(
                f"""SELECT {", ".join(_PRODUCT_COLUMNS)}, content_hash FROM products
                    WHERE embed_job_id = %s AND embedded_hash IS DISTINCT FROM content_hash
                    ORDER BY sku LIMIT %s""",  # noqa: S608 - built from module constants only
                (job_id, limit),
            )
            rows = await cur.fetchall()
        return [(ProductInput(**{c: r[c] for c in _PRODUCT_COLUMNS}), r["content_hash"]) for r in rows]

    async def store_embeddings(self, tenant_id: str, items: Sequence[tuple[str, str, list[float]]]) -> int:
        """Attach `(sku, content_hash, vector)`; a row whose content changed meanwhile keeps waiting."""
        async with self._db.tenant(tenant_id) as conn, conn.cursor() as cur:
            await cur.executemany(
                """UPDATE products SET embedding = %s::vector, embedded_hash = content_hash
                   WHERE sku = %s AND content_hash = %s""",
                [(str(vector), sku, c_hash) for sku, c_hash, vector in items],
            )
            stored = max(cur.rowcount, 0)
        await self._wrote(tenant_id)
        return stored

    async def remaining(self, tenant_id: str, job_id: str) -> int:
        """Products of the job still waiting for a vector."""
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute(
                """SELECT count(*) AS n FROM products
                   WHERE embed_job_id = %s AND embedded_hash IS DISTINCT FROM content_hash""",
                (job_id,),
            )
            row = await cur.fetchone()
        return int(row["n"]) if row else 0

    async def unfinished_jobs(self, *, include_failed: bool = True) -> list[tuple[str, str]]:
        """`(tenant_id, job_id)` of jobs to take up, across tenants.

        Pending jobs, running ones whose lease ran out (their process died), and with
        `include_failed` failed ones that still have products waiting for a vector.
        """
        async with self._db.unscoped() as conn:
            cur = await conn.execute("SELECT * FROM vizochok_unfinished_jobs(%s)", (include_failed,))
            return [(r["tenant_id"], r["job_id"]) for r in await cur.fetchall()]

    async def stale_search_tenants(self) -> list[str]:
        """Tenants with products indexed by an older analyzer version."""
        async with self._db.unscoped() as conn:
            cur = await conn.execute(
                "SELECT * FROM vizochok_stale_search_tenants(%s::smallint)", (ANALYZER_VERSION,)
            )
            return [r["tenant_id"] for r in await cur.fetchall()]

    async def reindex(self, tenant_id: str, batch: int = 1000) -> int:
        """Rebuild the search terms of products indexed by an older analyzer; returns how many."""
        done = 0
        while True:
            async with self._db.tenant(tenant_id) as conn:
                cur = await conn.execute(
                    f"SELECT {', '.join(_PRODUCT_COLUMNS)} FROM products WHERE search_version < %s LIMIT %s",  # noqa: S608 - built from module constants only
                    (ANALYZER_VERSION, batch),
                )
                rows = await cur.fetchall()
                if not rows:
                    break
                products = [ProductInput(**{c: r[c] for c in _PRODUCT_COLUMNS}) for r in rows]
                enriched = await self._enrichments(conn, [content_hash(p) for p in products])
                async with conn.cursor() as cur2:
                    await cur2.executemany(
                        _REINDEX,
                        [
                            (
                                search_name(p),
                                tsvector_literal(fulltext_fields(p, enriched.get(content_hash(p), ""))),
                                p.sku,
                            )
                            for p in products
                        ],
                    )
            done += len(rows)
        await self._wrote(tenant_id)
        return done

    @staticmethod
    async def _enrichments(conn: Connection, hashes: Sequence[str]) -> dict[str, str]:
        cur = await conn.execute(
            "SELECT content_hash, text FROM product_enrichments WHERE content_hash = ANY(%s)", (list(hashes),)
        )
        return {r["content_hash"]: r["text"] for r in await cur.fetchall()}

    async def enrichments(self, tenant_id: str, hashes: Sequence[str]) -> dict[str, str]:
        """Cached enrichment texts of these product contents (content hash → text)."""
        async with self._db.tenant(tenant_id) as conn:
            return await self._enrichments(conn, hashes)

    async def store_enrichments(self, tenant_id: str, items: Sequence[tuple[ProductInput, str, str]]) -> None:
        """Cache `(product, content_hash, text)` and index each text with its product's full text."""
        async with self._db.tenant(tenant_id) as conn, conn.cursor() as cur:
            await cur.executemany(
                """INSERT INTO product_enrichments (tenant_id, content_hash, text) VALUES (%s, %s, %s)
                   ON CONFLICT (tenant_id, content_hash) DO UPDATE SET text = EXCLUDED.text""",
                [(tenant_id, c_hash, text) for _, c_hash, text in items],
            )
            await cur.executemany(
                f"UPDATE products SET fts = {_FTS} WHERE sku = %s AND content_hash = %s",  # noqa: S608 - a constant
                [(tsvector_literal(fulltext_fields(p, text)), p.sku, c_hash) for p, c_hash, text in items],
            )
        await self._wrote(tenant_id)

    async def learned_needs(self, tenant_id: str) -> dict[str, Any]:
        """What search learned from the tenant's catalog after its last job (`LearnedNeeds.to_json`)."""
        async with self._reads.tenant(tenant_id) as conn:
            cur = await conn.execute("SELECT learned_needs FROM tenants WHERE id = %s", (tenant_id,))
            row = await cur.fetchone()
        return dict(row["learned_needs"]) if row else {}

    async def store_learned_needs(self, tenant_id: str, data: dict[str, Any]) -> None:
        """Replace the tenant's learned needs."""
        async with self._db.tenant(tenant_id) as conn:
            await conn.execute(
                "UPDATE tenants SET learned_needs = %s WHERE id = %s", (Jsonb(data), tenant_id)
            )
        await self._wrote(tenant_id)

    async def count_active(self, tenant_id: str) -> int:
        """Active, searchable products of a tenant."""
        async with self._reads.tenant(tenant_id) as conn:
            cur = await conn.execute(
                "SELECT count(*) AS n FROM products WHERE is_active AND embedding IS NOT NULL"
            )
            row = await cur.fetchone()
        return int(row["n"]) if row else 0

    async def has_catalog(self, tenant_id: str) -> bool:
        """Whether any active product is searchable yet.

        A product is searchable as soon as it is stored: the full-text and fuzzy legs answer
        while its vector is still being computed (the vector leg joins in when it is there).
        """
        async with self._reads.tenant(tenant_id) as conn:
            cur = await conn.execute("SELECT EXISTS (SELECT 1 FROM products WHERE is_active) AS found")
            row = await cur.fetchone()
        return bool(row and row["found"])

    async def get_products(self, tenant_id: str, skus: Sequence[str]) -> dict[str, ProductInput]:
        """Catalog data of the given SKUs (descriptive only: no prices live here)."""
        # Pipelined: read on every card action, one round trip instead of four.
        async with self._reads.tenant(tenant_id, pipelined=True) as conn:
            cur = await conn.execute(
                f"SELECT {', '.join(_PRODUCT_COLUMNS)} FROM products WHERE sku = ANY(%s)",  # noqa: S608 - built from module constants only
                (list(skus),),
            )
            rows = await cur.fetchall()
        return {r["sku"]: ProductInput(**{c: r[c] for c in _PRODUCT_COLUMNS}) for r in rows}

    async def export_page(
        self, tenant_id: str, after_sku: str, limit: int
    ) -> list[tuple[ProductInput, list[float] | None]]:
        """Products in SKU order after `after_sku` (keyset paging over the primary key), with vectors."""
        async with self._reads.tenant(tenant_id) as conn:
            cur = await conn.execute(
                f"""SELECT {", ".join(_PRODUCT_COLUMNS)}, embedding::real[] AS vector FROM products
                    WHERE tenant_id = %s AND sku > %s ORDER BY sku LIMIT %s""",  # noqa: S608 - built from module constants only
                (tenant_id, after_sku, limit),
            )
            rows = await cur.fetchall()
        return [(ProductInput(**{c: r[c] for c in _PRODUCT_COLUMNS}), r["vector"]) for r in rows]
