// A retailer's backend, written against the client that openapi-typescript generated from /schema (api.d.ts).
// tsc --strict must accept it, and the answers it prints are checked against the schema by the Python test:
// a renamed field, a changed type or a missing path fails one or the other.
import type { components, paths } from "./api";

type ProductInput = components["schemas"]["ProductInput"];
type Upload = paths["/api/v1/catalog/products"]["put"]["requestBody"]["content"]["application/json"];
type Accepted = paths["/api/v1/catalog/products"]["put"]["responses"][202]["content"]["application/json"];
type Job = paths["/api/v1/catalog/jobs/{job_id}"]["get"]["responses"][200]["content"]["application/json"];
type SearchQuery = NonNullable<paths["/api/v1/search"]["get"]["parameters"]["query"]>;
type SearchAnswer = paths["/api/v1/search"]["get"]["responses"][200]["content"]["application/json"];
type Unauthorized = paths["/api/v1/search"]["get"]["responses"][401]["content"]["application/json"];
type ErrorCode = components["schemas"]["ErrorCode"];

declare const process: { argv: string[]; exitCode: number };

interface Exchange {
  operation: string;
  status: number;
  body: unknown;
}

async function call<T>(
  log: Exchange[], operation: string, url: string, init: RequestInit, expected: number,
): Promise<T> {
  const response = await fetch(url, init);
  const body: unknown = await response.json();
  log.push({ operation, status: response.status, body });
  if (response.status !== expected) {
    throw new Error(`${operation}: HTTP ${response.status}, expected ${expected}: ${JSON.stringify(body)}`);
  }
  return body as T;
}

async function main(base: string, key: string): Promise<void> {
  const log: Exchange[] = [];
  const auth = { Authorization: `Bearer ${key}`, "Content-Type": "application/json" };
  const products: ProductInput[] = [
    { sku: "ts-milk-1", name: "Молоко Яготинське 2.6% 900 мл", brand: "Яготинське", unit: "pcs", volume: 900 },
    { sku: "ts-bread-1", name: "Хліб житній нарізний 400 г", category_path: "Хліб > Житній", weight: 400 },
  ];
  const upload: Upload = { products };
  const accepted = await call<Accepted>(
    log, "put /api/v1/catalog/products", `${base}/api/v1/catalog/products`,
    { method: "PUT", headers: auth, body: JSON.stringify(upload) }, 202,
  );
  const status: "accepted" = accepted.status;
  if (accepted.total !== products.length || status !== "accepted") throw new Error("upload was not accepted");

  let job: Job | undefined;
  for (let attempt = 0; attempt < 600; attempt++) {
    job = await call<Job>(
      log, "get /api/v1/catalog/jobs/{job_id}", `${base}/api/v1/catalog/jobs/${encodeURIComponent(accepted.job_id)}`,
      { headers: auth }, 200,
    );
    if (job.status === "complete" || job.status === "failed") break;
    log.pop(); // keep the log short: only the last poll is checked
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (job?.status !== "complete") throw new Error(`job did not complete: ${JSON.stringify(job)}`);
  // Fields with a default are optional in the schema (Litestar marks only fields without one as required).
  const embedded: number = job.embedded ?? 0;

  const query: SearchQuery = { q: "молоко", limit: 5 };
  const params = new URLSearchParams({ q: query.q, limit: String(query.limit ?? 10) });
  const found = await call<SearchAnswer>(
    log, "get /api/v1/search", `${base}/api/v1/search?${params}`, { headers: auth }, 200,
  );
  const first = found.items[0];
  if (first === undefined || first.sku !== "ts-milk-1" || typeof first.score !== "number") {
    throw new Error(`search did not find the milk first: ${JSON.stringify(found)}`);
  }

  const refused = await call<Unauthorized>(
    log, "get /api/v1/search", `${base}/api/v1/search?${params}`, { headers: { Authorization: "Bearer sk_unknown" } }, 401,
  );
  const code: ErrorCode = refused.code;
  if (code !== "invalid_api_key") throw new Error(`expected invalid_api_key, got ${code}`);

  console.log(JSON.stringify({ embedded, exchanges: log }));
}

const [base, key] = process.argv.slice(2);
if (base === undefined || key === undefined) {
  console.error("usage: node client.js BASE_URL SK_KEY");
  process.exitCode = 2;
} else {
  main(base, key).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
