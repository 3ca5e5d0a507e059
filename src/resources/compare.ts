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

/** A readable form of a value for "old → new" in the plan: whole, never cut (cut JSON reads as a corrupt value). */
export function show(value: unknown): string {
  if (value === undefined || value === null || value === "") return "(none)";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/**
 * How an environment variable's value shows in a plan, drift, JSON or error: a reference by its name, a plaintext
 * value never (it may be a secret someone set by hand), only that there is one. Whether it changed is the line itself.
 */
export function showEnvValue(type: string | undefined, value: string | undefined): string {
  if (type === "PARAMETER_STORE") return `ssm:${value ?? ""}`;
  if (type === "SECRETS_MANAGER") return `secretsmanager:${value ?? ""}`;
  return value === undefined || value === "" ? "(empty)" : "plaintext value (hidden)";
}

/**
 * Two objects as one line per differing leaf ("target Input.projectName: a → b") instead of two long JSON blobs;
 * a string that holds JSON (a target's Input) is compared inside.
 */
export function objectChanges(field: string, from: unknown, to: unknown): { field: string; from: string; to: string }[] {
  const out: { field: string; from: string; to: string }[] = [];
  const walk = (path: string, a: unknown, b: unknown): void => {
    if (canonical(a) === canonical(b)) return;
    const aa = asJsonObject(a);
    const bb = asJsonObject(b);
    if (aa && bb) {
      for (const key of [...new Set([...Object.keys(aa), ...Object.keys(bb)])].sort()) walk(path ? `${path}.${key}` : key, aa[key], bb[key]);
      return;
    }
    out.push({ field: path ? `${field} ${path}` : field, from: show(a), to: show(b) });
  };
  walk("", from, to);
  return out;
}

function asJsonObject(value: unknown): Record<string, unknown> | undefined {
  const parsed = typeof value === "string" && value.startsWith("{") ? parsePolicyText(value) : value;
  return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
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
