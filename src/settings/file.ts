/**
 * support-job.json: every job of the repository, keyed by name, and the defaults they share (format version 2).
 *
 *   { "$schema": "...", "version": 2, "defaults": { "region": ..., "email": ... }, "jobs": { "nightly-cleanup": { ... } } }
 *
 * A job's settings are its defaults overlaid with its own entry; an entry lists only what differs. A file of the
 * one-job layout of earlier releases (version 1: the job's settings at the top level) is read as a file with that
 * one job and upgraded on the next write. Writes are atomic and never clobber another process's edit.
 */
import { readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputError, OperationError } from "../errors.js";
import type { RawSettings } from "./validate.js";

export const CONFIG_FILE = "support-job.json";
const FILE_VERSION = 2;
/**
 * The JSON Schema shipped in the package (schema/support-job.schema.json), served by unpkg for the major version:
 * it resolves for `npx support-job` users too, who have no node_modules/support-job for a relative path to find.
 */
export const SCHEMA_URL = "https://unpkg.com/support-job@0/schema/support-job.schema.json";

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
  "cache",
  "vpcId",
  "grace",
  "expectEvery",
  "region",
  "account",
] as const;
const LIST_FIELDS = ["env", "policyArns", "alertOn", "subnets", "securityGroups", "alertWebhooks"] as const;
const NUMBER_FIELDS = ["timeout", "logRetentionDays", "queuedTimeout", "maxParallel", "retries"] as const;
const KNOWN_KEYS: readonly string[] = [...STRING_FIELDS, ...LIST_FIELDS, ...NUMBER_FIELDS, "gpu", "missedRunAlarm"];
/** A job entry's keys: the job's name is its key in "jobs". */
const ENTRY_KEYS: readonly string[] = KNOWN_KEYS.filter((k) => k !== "name");
/** What a new file's defaults take from its first job: what the jobs of one repository usually share. */
const SHARED_KEYS: readonly string[] = [
  "region",
  "account",
  "repository",
  "sourceType",
  "branch",
  "email",
  "computeType",
  "arch",
  "image",
  "timezone",
  "timeout",
  "alertOn",
  "permissionsBoundary",
];
const TOP_KEYS: readonly string[] = ["$schema", "version", "defaults", "jobs"];

/** Keys support-job does not know: reported (with the known key a typo was meant for) and kept on rewrite. */
export function unknownKeyWarnings(record: Record<string, unknown>, where = "", known: readonly string[] = KNOWN_KEYS): string[] {
  return Object.keys(record)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const near = closestKey(key, known);
      return `${CONFIG_FILE}: unknown key "${where}${key}" is ignored (kept in the file)${near ? `; did you mean "${near}"?` : ""}`;
    });
}

function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const k of known) {
    const distance = editDistance(key.toLowerCase(), k.toLowerCase());
    if (!best || distance < best.distance) best = { key: k, distance };
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

type Doc = Record<string, unknown>;

/** support-job.json as read: the document (a version 1 file already upgraded in memory) and the bytes it came from. */
export interface JobsFile {
  path: string;
  /** The bytes read: a write refuses to replace anything else. */
  text: string;
  /** 1: the one-job layout of earlier releases, rewritten as version 2 on the next write. */
  version: 1 | 2;
  doc: Doc;
  /** The file's indentation, kept on rewrite. */
  indent: string;
}

/** undefined when there is no file; a corrupt file is an input error and is never overwritten. */
export function readJobsFile(cwd: string, warn?: (line: string) => void): JobsFile | undefined {
  const path = join(cwd, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new InputError(CONFIG_FILE, `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`, "check its permissions");
  }
  const file = parseJobsFile(path, text);
  for (const line of fileWarnings(file)) warn?.(line);
  return file;
}

/** Where in the text a JSON.parse message's "position N" is, as line and column (1-based). */
function lineColumn(text: string, message: string): string {
  const position = /position (\d+)/.exec(message)?.[1] ?? (/end of JSON input/.test(message) ? String(text.length) : undefined);
  if (position === undefined) return "";
  const before = text.slice(0, Number(position));
  const lines = before.split("\n");
  return ` at line ${lines.length}, column ${(lines[lines.length - 1]?.length ?? 0) + 1}`;
}

function parseJobsFile(path: string, text: string): JobsFile {
  let data: unknown;
  // Editors on Windows save UTF-8 with a byte-order mark, which JSON.parse refuses.
  const body = text.replace(/^\uFEFF/, "");
  try {
    data = JSON.parse(body);
  } catch (error) {
    const message = (error as Error).message.replace(/\s+/g, " ");
    throw new InputError(
      CONFIG_FILE,
      `is not valid JSON${lineColumn(body, message)} (${message}); fix it or move it away, support-job will not overwrite it`,
      '{"version": 2, "jobs": {"nightly-cleanup": {...}}}',
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new InputError(CONFIG_FILE, "must hold a JSON object; fix it or move it away, support-job will not overwrite it", '{"version": 2, "jobs": {...}}');
  const record = data as Doc;
  const indent = /\n([ \t]+)"/.exec(body)?.[1] ?? "  ";
  if (record.version === undefined && record.jobs === undefined && record.defaults === undefined) {
    checkEntry(record, "");
    return { path, text, version: 1, doc: upgrade(record), indent };
  }
  if (record.version !== FILE_VERSION)
    throw new InputError(
      `${CONFIG_FILE}: version`,
      `is ${JSON.stringify(record.version)}; this support-job reads version ${FILE_VERSION} (or a one-job file without "version"); upgrade support-job, or fix the file`,
      `"version": ${FILE_VERSION}`,
    );
  for (const key of ["defaults", "jobs"]) {
    const v = record[key];
    if (v !== undefined && (typeof v !== "object" || v === null || Array.isArray(v)))
      throw new InputError(
        `${CONFIG_FILE}: ${key}`,
        "must be a JSON object",
        key === "jobs" ? '"jobs": {"nightly-cleanup": {...}}' : '"defaults": {"region": "eu-west-1"}',
      );
  }
  checkEntry((record.defaults ?? {}) as Doc, "defaults.");
  for (const [name, entry] of Object.entries((record.jobs ?? {}) as Doc)) {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry))
      throw new InputError(`${CONFIG_FILE}: jobs.${name}`, "must be a JSON object of the job's settings", `"${name}": {"schedule": "rate(1 day)"}`);
    checkEntry(entry as Doc, `jobs.${name}.`);
  }
  return { path, text, version: 2, doc: record, indent };
}

/** The types of the known keys; a wrong one names its key (as the file spells it). */
function checkEntry(record: Doc, where: string): void {
  for (const key of STRING_FIELDS) {
    const v = record[key];
    if (v !== undefined && typeof v !== "string")
      throw new InputError(`${CONFIG_FILE}: ${where}${key}`, `must be a string, got ${JSON.stringify(v)}`, `"${key}": "..."`);
  }
  for (const key of LIST_FIELDS) {
    const v = record[key];
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== "string")))
      throw new InputError(`${CONFIG_FILE}: ${where}${key}`, "must be a list of strings", `"${key}": ["..."]`);
  }
  for (const key of NUMBER_FIELDS) {
    const v = record[key];
    if (v !== undefined && typeof v !== "number" && typeof v !== "string")
      throw new InputError(
        `${CONFIG_FILE}: ${where}${key}`,
        key === "logRetentionDays"
          ? "must be a number of days"
          : key === "timeout" || key === "queuedTimeout"
            ? "must be a number of minutes"
            : "must be a number",
        `"${key}": ${key === "maxParallel" || key === "retries" ? 1 : 60}`,
      );
  }
  const alarm = record.missedRunAlarm;
  if (alarm !== undefined && typeof alarm !== "boolean")
    throw new InputError(`${CONFIG_FILE}: ${where}missedRunAlarm`, "must be true or false", '"missedRunAlarm": false');
  const gpu = record.gpu;
  if (gpu !== undefined && typeof gpu !== "boolean")
    throw new InputError(`${CONFIG_FILE}: ${where}gpu`, `must be true or false, got ${JSON.stringify(gpu)}`, '"gpu": true');
}

function fileWarnings(file: JobsFile): string[] {
  if (file.version === 1) {
    const [name] = Object.keys(jobsOf(file.doc));
    const entry = name ? (jobsOf(file.doc)[name] as Doc) : {};
    return unknownKeyWarnings({ ...(file.doc.defaults as Doc), ...entry }).map((w) => w.replace(/"(defaults|jobs\.[^.]+)\./, '"'));
  }
  const lines = unknownKeyWarnings(file.doc, "", TOP_KEYS);
  lines.push(...unknownKeyWarnings((file.doc.defaults ?? {}) as Doc, "defaults.", ENTRY_KEYS));
  for (const [name, entry] of Object.entries(jobsOf(file.doc))) lines.push(...unknownKeyWarnings(entry as Doc, `jobs.${name}.`, ENTRY_KEYS));
  return lines;
}

/** A version 1 file as version 2: what jobs share goes to the defaults, the rest (unknown keys too) to the job's entry. */
function upgrade(record: Doc): Doc {
  const { name, ...rest } = record;
  if (typeof name !== "string" || name === "") return { $schema: SCHEMA_URL, version: FILE_VERSION, defaults: rest, jobs: {} };
  const defaults: Doc = {};
  const entry: Doc = {};
  for (const [key, value] of Object.entries(rest)) (SHARED_KEYS.includes(key) ? defaults : entry)[key] = value;
  return { $schema: SCHEMA_URL, version: FILE_VERSION, defaults, jobs: { [name]: entry } };
}

function jobsOf(doc: Doc): Doc {
  return (doc.jobs ?? {}) as Doc;
}

/** The job names in the file, in its order. */
export function jobNamesIn(file: JobsFile | undefined): string[] {
  return file ? Object.keys(jobsOf(file.doc)) : [];
}

/** Only the known keys of an entry, "" (unset on purpose, overriding a default) left out. */
function known(record: Doc): ConfigFile {
  const config: Record<string, unknown> = {};
  for (const key of KNOWN_KEYS) {
    const v = record[key];
    if (v === undefined || v === "") continue;
    config[key] = v;
  }
  return config as ConfigFile;
}

/** The settings every job starts from. */
export function fileDefaults(file: JobsFile | undefined): ConfigFile {
  if (!file) return {};
  const defaults = known((file.doc.defaults ?? {}) as Doc);
  delete defaults.name;
  return defaults;
}

/** Job `name`'s settings: the defaults overlaid with its entry; undefined when the file has no such job. */
export function jobConfig(file: JobsFile | undefined, name: string): ConfigFile | undefined {
  const entry = file ? (jobsOf(file.doc)[name] as Doc | undefined) : undefined;
  if (!file || !entry || !Object.hasOwn(jobsOf(file.doc), name)) return undefined;
  const raw: Doc = { ...((file.doc.defaults ?? {}) as Doc), ...entry };
  const config = known(raw);
  config.name = name;
  return config;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The entry that gives job settings `config` over `defaults`: only what differs; a value the defaults have and the
 * job does not is "" (or []). Keys of the previous entry keep their place, unknown ones are kept; new ones follow.
 */
function entryFor(defaults: Doc, config: ConfigFile, previous: Doc | undefined): Doc {
  const wanted: Doc = {};
  for (const key of ENTRY_KEYS) {
    const v = (config as Doc)[key];
    const d = defaults[key];
    if (v === undefined || v === "") {
      if (d !== undefined && d !== "" && !(Array.isArray(d) && d.length === 0)) wanted[key] = Array.isArray(d) ? [] : "";
      continue;
    }
    if (same(v, d)) continue;
    wanted[key] = v;
  }
  const out: Doc = {};
  for (const [key, value] of Object.entries(previous ?? {})) {
    if (Object.hasOwn(wanted, key)) out[key] = wanted[key];
    else if (!ENTRY_KEYS.includes(key)) out[key] = value;
  }
  for (const [key, value] of Object.entries(wanted)) if (!Object.hasOwn(out, key)) out[key] = value;
  return out;
}

/** A new file: its defaults are what its first job's settings share with the jobs that will follow. */
function newDoc(config: ConfigFile): Doc {
  const defaults: Doc = {};
  for (const key of SHARED_KEYS) if ((config as Doc)[key] !== undefined) defaults[key] = (config as Doc)[key];
  return { $schema: SCHEMA_URL, version: FILE_VERSION, defaults, jobs: {} };
}

export interface WriteOutcome {
  written: boolean;
  /** The file was of the one-job layout and is now version 2: said once, in one line. */
  upgraded: boolean;
}

/**
 * Job `name`'s entry set to `config` (only what differs from the defaults); nothing else in the file changes.
 * `base` is the file as the command read it: see commit().
 */
export function saveJob(cwd: string, base: JobsFile | undefined, name: string, config: ConfigFile): WriteOutcome {
  return commit(cwd, base, name, (doc) => {
    const next = doc ?? newDoc(config);
    const jobs = { ...jobsOf(next) };
    jobs[name] = entryFor((next.defaults ?? {}) as Doc, config, jobs[name] as Doc | undefined);
    return withJobs(next, jobs);
  });
}

/** Job `name`'s entry removed (after destroy); nothing else in the file changes. */
export function removeJob(cwd: string, base: JobsFile | undefined, name: string): WriteOutcome {
  return commit(cwd, base, name, (doc) => {
    if (!doc || !Object.hasOwn(jobsOf(doc), name)) return doc;
    const jobs = { ...jobsOf(doc) };
    delete jobs[name];
    return withJobs(doc, jobs);
  });
}

function withJobs(doc: Doc, jobs: Doc): Doc {
  // "jobs" keeps its place among the top-level keys; a file that had none gets it last.
  return Object.hasOwn(doc, "jobs") ? Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, k === "jobs" ? jobs : v])) : { ...doc, jobs };
}

/**
 * Job `name`'s entry as a document holds it. Only another edit of it is a conflict: the entry is recomputed over
 * the defaults as they are on disk, so a change to the defaults or to other jobs loses nothing of either edit.
 */
function partOf(doc: Doc | undefined, name: string): string {
  return JSON.stringify(doc ? (jobsOf(doc)[name] ?? null) : null);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

let temporaries = 0;

/** Test hook: runs between writing the temporary file and renaming it over support-job.json. */
export const writeHooks: { beforeRename?: (() => void) | undefined } = {};

/**
 * Read-modify-write with no lost update. The command read the file (`base`) before talking to AWS; if another
 * process wrote it since, its version is the base instead, unless it changed this job's own entry: then nothing
 * is written and the command fails (exit 1) saying so. The bytes are compared once more just before
 * the rename; a write in between starts the check over.
 */
function commit(cwd: string, base: JobsFile | undefined, name: string, edit: (doc: Doc | undefined) => Doc | undefined): WriteOutcome {
  const path = join(cwd, CONFIG_FILE);
  for (let attempt = 0; attempt < 5; attempt++) {
    let onDisk: string | undefined;
    try {
      onDisk = readText(path);
    } catch (error) {
      throw writeError(path, error);
    }
    let current = base;
    if (onDisk !== base?.text) {
      let theirs: JobsFile | undefined;
      try {
        theirs = onDisk === undefined ? undefined : parseJobsFile(path, onDisk);
      } catch {
        throw changedError(path, name, "and is no longer valid JSON");
      }
      if (partOf(theirs?.doc, name) !== partOf(base?.doc, name)) throw changedError(path, name, `(job ${name}'s own entry)`);
      current = theirs;
    }
    const next = edit(current ? structuredClone(current.doc) : undefined);
    if (next === undefined) return { written: false, upgraded: false };
    const text = `${JSON.stringify(next, null, current?.indent ?? "  ")}\n`;
    if (text === onDisk) return { written: false, upgraded: false };
    const tmp = `${path}.${process.pid}.${++temporaries}.tmp`;
    try {
      writeFileSync(tmp, text, { mode: 0o644 });
      writeHooks.beforeRename?.();
      if (readText(path) !== onDisk) {
        unlinkSync(tmp);
        continue;
      }
      renameSync(tmp, path);
    } catch (error) {
      try {
        unlinkSync(tmp);
      } catch {
        // never written
      }
      throw writeError(path, error);
    }
    return { written: true, upgraded: current?.version === 1 };
  }
  throw changedError(path, name, "again and again while support-job was writing it");
}

function changedError(path: string, name: string, what: string): OperationError {
  return new OperationError(
    `${path} was changed by another process since support-job read it ${what}; it was not overwritten and job ${name}'s settings were not saved. Run the command again to start from the file as it is now.`,
  );
}

function writeError(path: string, error: unknown): OperationError {
  const code = (error as NodeJS.ErrnoException).code ?? "error";
  return new OperationError(
    `Could not write ${path} (${code}): nothing was changed in AWS. Run init from a folder you can write to, or fix the folder's permissions.`,
    error,
  );
}

/** The one-line notice of an upgrade from the one-job layout. */
export function upgradeNotice(): string {
  return `${CONFIG_FILE} was in the one-job layout of earlier releases: it is now version ${FILE_VERSION} (shared "defaults", one entry per job under "jobs").`;
}
