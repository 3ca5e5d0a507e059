/** support-job.json: the job's settings in the working directory, so `init --yes` re-applies the same job. */
import { readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputError, OperationError } from "../errors.js";
import type { RawSettings } from "./validate.js";

export const CONFIG_FILE = "support-job.json";

export interface ConfigFile extends RawSettings {
  /** Where the job lives; the account lets a re-run read everything in one round trip. */
  region?: string | undefined;
  account?: string | undefined;
}

const STRING_FIELDS = [
  "name",
  "repository",
  "sourceType",
  "branch",
  "buildspec",
  "schedule",
  "timezone",
  "computeType",
  "arch",
  "image",
  "email",
  "policyFile",
  "permissionsBoundary",
  "region",
  "account",
] as const;
const LIST_FIELDS = ["env", "policyArns", "alertOn"] as const;
const KNOWN_KEYS: readonly string[] = [...STRING_FIELDS, ...LIST_FIELDS, "timeout"];

/** Keys support-job does not know: reported (with the known key a typo was meant for) and kept on rewrite. */
export function unknownKeyWarnings(record: Record<string, unknown>): string[] {
  return Object.keys(record)
    .filter((key) => !KNOWN_KEYS.includes(key))
    .map((key) => {
      const near = closestKey(key);
      return `${CONFIG_FILE}: unknown key "${key}" is ignored (kept in the file)${near ? `; did you mean "${near}"?` : ""}`;
    });
}

function closestKey(key: string): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const known of KNOWN_KEYS) {
    const distance = editDistance(key.toLowerCase(), known.toLowerCase());
    if (!best || distance < best.distance) best = { key: known, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(key.length / 4)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** undefined when there is no file; a corrupt file is an input error and is never overwritten. */
export function readConfig(cwd: string, warn?: (line: string) => void): ConfigFile | undefined {
  const path = join(cwd, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new InputError(CONFIG_FILE, `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`, "check its permissions");
  }
  let data: unknown;
  try {
    // Editors on Windows save UTF-8 with a byte-order mark, which JSON.parse refuses.
    data = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new InputError(
      CONFIG_FILE,
      `is not valid JSON (${(error as Error).message.replace(/\s+/g, " ")}); fix it or move it away, support-job will not overwrite it`,
      '{"name": "nightly-cleanup", ...}',
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new InputError(CONFIG_FILE, "must hold a JSON object; fix it or move it away, support-job will not overwrite it", '{"name": "nightly-cleanup", ...}');
  const record = data as Record<string, unknown>;
  for (const line of unknownKeyWarnings(record)) warn?.(line);
  const config: ConfigFile = {};
  for (const key of STRING_FIELDS) {
    const v = record[key];
    if (v === undefined) continue;
    if (typeof v !== "string") throw new InputError(`${CONFIG_FILE}: ${key}`, `must be a string, got ${JSON.stringify(v)}`, `"${key}": "..."`);
    config[key] = v;
  }
  for (const key of LIST_FIELDS) {
    const v = record[key];
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
      throw new InputError(`${CONFIG_FILE}: ${key}`, "must be a list of strings", `"${key}": ["..."]`);
    config[key] = v as string[];
  }
  const timeout = record.timeout;
  if (timeout !== undefined) {
    if (typeof timeout !== "number" && typeof timeout !== "string")
      throw new InputError(`${CONFIG_FILE}: timeout`, "must be a number of minutes", '"timeout": 60');
    config.timeout = timeout;
  }
  return config;
}

/**
 * Written only when it changes, atomically (a crash never leaves half a file). Keys support-job does not know
 * are kept, after ours. A folder that cannot be written is an OperationError naming the file.
 */
export function writeConfig(cwd: string, config: ConfigFile): boolean {
  const path = join(cwd, CONFIG_FILE);
  let existing: string | undefined;
  try {
    existing = readFileSync(path, "utf8");
  } catch {
    // no file yet
  }
  const text = `${JSON.stringify({ ...config, ...keptKeys(existing) }, null, 2)}\n`;
  if (existing === text) return false;
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // never written
    }
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new OperationError(
      `Could not write ${path} (${code}): nothing was changed in AWS. Run init from a folder you can write to, or fix the folder's permissions.`,
      error,
    );
  }
  return true;
}

/** The unknown keys of the file being replaced, so a rewrite never deletes what the user put there. */
function keptKeys(existing: string | undefined): Record<string, unknown> {
  if (existing === undefined) return {};
  try {
    const data = JSON.parse(existing) as unknown;
    if (typeof data !== "object" || data === null || Array.isArray(data)) return {};
    return Object.fromEntries(Object.entries(data).filter(([key]) => !KNOWN_KEYS.includes(key)));
  } catch {
    return {};
  }
}
