/**
 * Time-zone arithmetic on top of Intl (no tz database of our own): wall clock ↔ instant, validation of IANA
 * names as EventBridge Scheduler will see them, "did you mean" suggestions, and display.
 */
import { readlinkSync } from "node:fs";
import { ScheduleError } from "./parse.js";

export interface WallClock {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const HOUR_MS = 3_600_000;

// Building a DateTimeFormat costs far more than using one, and nextRuns asks for offsets many times.
const wallClockFormatters = new Map<string, Intl.DateTimeFormat>();

function wallClockFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = wallClockFormatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch {
      throw new ScheduleError(`unknown time zone ${JSON.stringify(timeZone)}; use an IANA name such as Europe/Paris`);
    }
    wallClockFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** What a clock in timeZone shows at the instant ms. */
export function wallClockAt(ms: number, timeZone: string): WallClock {
  if (timeZone === "UTC") {
    const date = new Date(ms);
    return {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
    };
  }
  const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of wallClockFormatter(timeZone).formatToParts(ms)) {
    if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  return fields;
}

/** Offset of timeZone from UTC at the instant ms, in milliseconds (east positive). */
export function offsetAt(ms: number, timeZone: string): number {
  if (timeZone === "UTC") return 0;
  const wall = wallClockAt(ms, timeZone);
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return wallAsUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a wall-clock time (given as if it were UTC milliseconds) happens in timeZone.
 * A time skipped by a spring-forward change has none: undefined. A time repeated by a fall-back change has two:
 * the first is returned, since EventBridge Scheduler runs such a time once.
 */
export function wallTimeToInstant(wallMs: number, timeZone: string): number | undefined {
  if (timeZone === "UTC") return wallMs;
  // Any instant showing this wall time lies within UTC-12..UTC+14 of it; sampling both ends and the middle
  // finds every offset in force there unless the zone changed offset twice within a day.
  const offsets = new Set([offsetAt(wallMs - 15 * HOUR_MS, timeZone), offsetAt(wallMs, timeZone), offsetAt(wallMs + 13 * HOUR_MS, timeZone)]);
  let earliest: number | undefined;
  for (const offset of offsets) {
    const instant = wallMs - offset;
    if (offsetAt(instant, timeZone) === offset && (earliest === undefined || instant < earliest)) earliest = instant;
  }
  return earliest;
}

// ---------------------------------------------------------------------------------------------------------------
// Names

/**
 * V8's list still spells these zones by their pre-2022 tz names; EventBridge (tzdb) knows both, and people type
 * the current ones.
 */
const CURRENT_NAMES: Readonly<Record<string, string>> = {
  "Africa/Asmera": "Africa/Asmara",
  "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
  "America/Catamarca": "America/Argentina/Catamarca",
  "America/Cordoba": "America/Argentina/Cordoba",
  "America/Jujuy": "America/Argentina/Jujuy",
  "America/Mendoza": "America/Argentina/Mendoza",
  "America/Coral_Harbour": "America/Atikokan",
  "America/Godthab": "America/Nuuk",
  "America/Indianapolis": "America/Indiana/Indianapolis",
  "America/Louisville": "America/Kentucky/Louisville",
  "Asia/Calcutta": "Asia/Kolkata",
  "Asia/Katmandu": "Asia/Kathmandu",
  "Asia/Rangoon": "Asia/Yangon",
  "Asia/Saigon": "Asia/Ho_Chi_Minh",
  "Atlantic/Faeroe": "Atlantic/Faroe",
  "Europe/Kiev": "Europe/Kyiv",
  "Pacific/Enderbury": "Pacific/Kanton",
  "Pacific/Ponape": "Pacific/Pohnpei",
  "Pacific/Truk": "Pacific/Chuuk",
};

interface KnownZones {
  readonly names: readonly string[];
  readonly exact: ReadonlySet<string>;
  readonly lower: ReadonlySet<string>;
}

let knownZones: KnownZones | undefined;

function zoneNames(): KnownZones {
  if (!knownZones) {
    const listed = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
    const candidates = ["UTC", "Etc/UTC", ...listed, ...Object.values(CURRENT_NAMES)];
    const names = [...new Set(candidates)].filter(intlAccepts).sort();
    knownZones = { names, exact: new Set(names), lower: new Set(names.map((name) => name.toLowerCase())) };
  }
  return knownZones;
}

function intlAccepts(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * True for an IANA zone name spelled exactly right. Intl ignores case ("europe/paris" works there), but
 * EventBridge Scheduler does not, so a wrongly cased name is invalid here and suggestTimeZones fixes it.
 */
export function isValidTimeZone(name: string): boolean {
  if (typeof name !== "string" || name === "" || name !== name.trim()) return false;
  // Newer ICU versions accept offsets like "+05:00"; Scheduler wants a zone name.
  if (/^[+-]/.test(name) || !intlAccepts(name)) return false;
  const { exact, lower } = zoneNames();
  if (exact.has(name)) return true;
  if (lower.has(name.toLowerCase())) return false;
  // A link Intl knows but does not list (US/Eastern, Etc/GMT+5, EST5EDT): accept it when it is cased the tz way.
  return name.split("/").every((segment) => /^[A-Z]/.test(segment) && !/^[A-Z_-]{5,}$/.test(segment));
}

/** The closest valid zone names to what the user typed, best first, for "did you mean". */
export function suggestTimeZones(name: string, max = 5): string[] {
  const query = normalizeZone(name);
  if (query === "" || max <= 0) return [];
  const queryCity = query.slice(query.lastIndexOf("/") + 1);
  const scored: Array<{ name: string; score: number }> = [];
  for (const candidate of zoneNames().names) {
    const full = normalizeZone(candidate);
    const city = full.slice(full.lastIndexOf("/") + 1);
    let score: number | undefined;
    if (full === query) score = 0;
    else if (city === queryCity) score = 1;
    else if (full.startsWith(query) || (query.length >= 3 && (full.includes(query) || city.startsWith(queryCity)))) {
      score = 2 + (full.length - query.length) / 1000;
    } else {
      const distance = Math.min(editDistance(query, full), editDistance(queryCity, city));
      if (distance <= Math.min(3, Math.max(1, Math.floor(queryCity.length / 4)))) score = 3 + distance;
    }
    if (score !== undefined) scored.push({ name: candidate, score });
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, max).map((entry) => entry.name);
}

function normalizeZone(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, "_");
}

/** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions ("Pairs" for "Paris"). */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Math.abs(a.length - b.length);
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The first Intl date formatter of a process costs ~25 ms while ICU loads its data; a command that waits on AWS
 * calls this once its requests are in flight, so that cost is paid while it would otherwise be idle, not after the
 * last answer arrives: the machine's zone (kept for localTimeZone()) and the formatters of `zones` (the job's).
 */
export function warmUpTimeZones(zones: readonly string[] = []): void {
  setTimeout(() => {
    localTimeZone();
    for (const zone of zones) {
      try {
        formatInZone(new Date(), zone);
      } catch {
        // An unknown zone is reported where it is used.
      }
    }
  }, 0).unref();
}

let machineZone: string | undefined;

/** The zone this machine is set to, "UTC" when Intl cannot tell. */
export function localTimeZone(): string {
  if (machineZone === undefined) {
    // A machine set to UTC (CI runners, most servers) is told without Intl, whose start-up costs ~25 ms; the Date
    // API, which needs no Intl, confirms it: offset 0 in January and in July.
    const utc =
      utcWithoutIntl() === "UTC" && new Date(Date.UTC(2026, 0, 15)).getTimezoneOffset() === 0 && new Date(Date.UTC(2026, 6, 15)).getTimezoneOffset() === 0;
    try {
      machineZone = utc ? "UTC" : new Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    } catch {
      machineZone = "UTC";
    }
  }
  return machineZone;
}

/** UTC under the names TZ or the /etc/localtime link give it; Intl reports each of them as "UTC". */
const UTC_NAMES = new Set(["UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu"]);

/**
 * "UTC" when the machine's zone is UTC by the same sources ICU reads first, without asking Intl: TZ when it is set
 * (a leading ":" allowed), else the zone the /etc/localtime link points to (Linux, macOS). Undefined for any other
 * zone, or when neither says (Windows, a copied /etc/localtime): Intl then tells.
 */
export function utcWithoutIntl(env: NodeJS.ProcessEnv = process.env, localtimeLink: () => string = () => readlinkSync("/etc/localtime")): "UTC" | undefined {
  let name: string | undefined;
  if (env.TZ !== undefined) name = env.TZ.replace(/^:/, "");
  else {
    try {
      name = /zoneinfo\/(.+)$/.exec(localtimeLink())?.[1];
    } catch {
      return undefined;
    }
  }
  return name !== undefined && UTC_NAMES.has(name) ? "UTC" : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Display

// Short names like CEST or AEDT exist only in the locale of the region (en-US shows Paris as GMT+2), so try the
// English locales in turn and keep the first real abbreviation.
const ABBREVIATION_LOCALES = ["en-US", "en-GB", "en-AU", "en-NZ", "en-IN", "en-IE", "en-CA", "en-ZA"] as const;
const abbreviationFormatters = new Map<string, Intl.DateTimeFormat>();

function zoneAbbreviation(ms: number, timeZone: string): string {
  if (timeZone === "UTC") return "UTC";
  let fallback: string | undefined;
  for (const locale of ABBREVIATION_LOCALES) {
    const key = `${locale} ${timeZone}`;
    let formatter = abbreviationFormatters.get(key);
    if (!formatter) {
      formatter = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: "short" });
      abbreviationFormatters.set(key, formatter);
    }
    const value = formatter.formatToParts(ms).find((part) => part.type === "timeZoneName")?.value;
    if (value === undefined) continue;
    fallback ??= value;
    if (!/^(GMT|UTC)[+\-\u2212]/.test(value)) return value;
  }
  return fallback ?? timeZone;
}

/** "2026-03-29 07:00 CEST": the wall-clock time in timeZone and the zone's short name at that moment. */
export function formatInZone(date: Date, timeZone: string): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError("formatInZone needs a valid Date");
  const wall = wallClockAt(ms, timeZone);
  const yyyy = String(wall.year).padStart(4, "0");
  const day = `${yyyy}-${pad2(wall.month)}-${pad2(wall.day)}`;
  return `${day} ${pad2(wall.hour)}:${pad2(wall.minute)} ${zoneAbbreviation(ms, timeZone)}`;
}

function pad2(value: number): string {
  return String(value).padStart(2, "0");
}
