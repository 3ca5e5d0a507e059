/** Comparing what AWS returns with what we would write, so that a no-op re-run makes no write at all. */

/** IAM returns policy documents URL-encoded (moto does not): accept both. */
export function parsePolicyText(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(decodeURIComponent(text));
    } catch {
      return text;
    }
  }
}

const LIST_KEYS = new Set(["Action", "NotAction", "Resource", "NotResource", "Service", "AWS", "Federated"]);

/** Stable JSON: keys sorted; in policies a single string and a one-element list mean the same, and order does not matter. */
export function canonical(value: unknown, key = ""): string {
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v));
    if (LIST_KEYS.has(key) || key.includes(":")) items.sort();
    return `[${items.join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(LIST_KEYS.has(k) || k.includes(":") ? asList(v) : v, k)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function asList(v: unknown): unknown {
  return typeof v === "string" ? [v] : v;
}

export function samePolicy(a: unknown, b: unknown): boolean {
  return canonical(typeof a === "string" ? parsePolicyText(a) : a) === canonical(typeof b === "string" ? parsePolicyText(b) : b);
}

/** A short, readable form of a value for "old → new" in the plan. */
export function show(value: unknown): string {
  if (value === undefined || value === null || value === "") return "(none)";
  if (typeof value === "string") return value;
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

interface StatementLike {
  Sid?: string;
}

/** "statement ReadOwnSecrets added; WriteOwnBuildLogs changed" instead of two long JSON blobs. */
export function policyDiff(from: unknown, to: unknown): string {
  const statements = (doc: unknown): Map<string, string> => {
    const list = (doc as { Statement?: unknown } | undefined)?.Statement;
    const items = Array.isArray(list) ? list : list ? [list] : [];
    return new Map(items.map((s, i) => [(s as StatementLike).Sid ?? `#${i + 1}`, canonical(s)]));
  };
  const a = statements(from);
  const b = statements(to);
  const parts: string[] = [];
  for (const [sid, body] of b) {
    if (!a.has(sid)) parts.push(`statement ${sid} added`);
    else if (a.get(sid) !== body) parts.push(`statement ${sid} changed`);
  }
  for (const sid of a.keys()) if (!b.has(sid)) parts.push(`statement ${sid} removed`);
  return parts.join("; ") || "rewritten";
}
