/**
 * What a job costs, from one dated price table: CodeBuild on-demand prices in us-east-1, per build-minute, billed per
 * started minute of each run. Pure: the runs per month come from the schedule, the minutes from past runs.
 */
import { nextRuns } from "../schedule/index.js";
import type { Arch } from "../settings/types.js";

/** Where and when the table was read; other regions' prices may differ (`regionNote`). */
export const PRICES = {
  source: "https://aws.amazon.com/codebuild/pricing/",
  /** The prices below are those published in 2024; check the pricing page for the date you ship. */
  date: "2024",
  region: "us-east-1",
  /** USD per build-minute (general1 / arm1 on-demand, Linux); a size missing here is not in the table. */
  perMinute: {
    x86_64: { BUILD_GENERAL1_SMALL: 0.005, BUILD_GENERAL1_MEDIUM: 0.01, BUILD_GENERAL1_LARGE: 0.02 },
    arm64: { BUILD_GENERAL1_SMALL: 0.0034, BUILD_GENERAL1_MEDIUM: 0.007 },
  } as Record<Arch, Record<string, number>>,
  /** Lambda compute is billed per second (USD per GB-second); support-job does not offer it (15-minute limit). */
  lambdaPerGbSecond: { x86_64: 0.00002, arm64: 0.00001 } as Record<Arch, number>,
  /** The free tier: build-minutes a month on general1.small or arm1.small, per account. */
  freeTierMinutes: 100,
} as const;

/** Before a job's first run, a run is taken to last this long. */
export const DEFAULT_RUN_MINUTES = 5;
const MONTH_DAYS = 30;
const DAY_MS = 86_400_000;

export interface Compute {
  computeType: string;
  arch: Arch;
  gpu?: boolean | undefined;
}

/** USD per build-minute in the table (us-east-1), or undefined (GPU, xlarge and up, arm large: see the pricing page). */
export function pricePerMinute(compute: Compute): number | undefined {
  if (compute.gpu) return undefined;
  return PRICES.perMinute[compute.arch][compute.computeType];
}

/** "$0.005/min", or the pricing page when the table has no price for it. */
function priceText(compute: Compute): string {
  const price = pricePerMinute(compute);
  return price === undefined ? "price: see the CodeBuild pricing page" : `$${price}/min`;
}

/** The table is us-east-1's: elsewhere, say so. */
export function regionNote(region: string): string | undefined {
  return region === PRICES.region ? undefined : `prices in ${region} may differ from the table's ${PRICES.region} prices`;
}

/** Runs in the next 30 days (cron: exact in the job's zone; rate: every period). */
export function runsPerMonth(schedule: string, timezone: string, from: Date): number {
  const until = from.getTime() + MONTH_DAYS * DAY_MS;
  // 45,000 covers rate(1 minute) over 30 days (43,200).
  return nextRuns(schedule, { from, count: 45_000, timezone }).filter((d) => d.getTime() <= until).length;
}

/** Billed minutes of one run: every started minute counts. */
export function billedMinutes(durationSeconds: number): number {
  return Math.max(1, Math.ceil(durationSeconds / 60));
}

/** The typical run, in billed minutes: the median of past runs' billed minutes, or DEFAULT_RUN_MINUTES before any. */
export function typicalRunMinutes(durationsSeconds: readonly number[]): { minutes: number; fromRuns: number } {
  if (durationsSeconds.length === 0) return { minutes: DEFAULT_RUN_MINUTES, fromRuns: 0 };
  const sorted = durationsSeconds.map(billedMinutes).sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] ?? 0) : Math.ceil(((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2);
  return { minutes: median, fromRuns: sorted.length };
}

export interface MonthlyEstimate {
  runs: number;
  minutesPerRun: number;
  /** How many past runs the minutes come from (0: the 5-minute guess). */
  fromRuns: number;
  billedMinutes: number;
  /** undefined: no price in the table for this compute. */
  usd: number | undefined;
  /** After the free tier's 100 minutes, when the compute is small (the tier is per account, shared by every job). */
  usdAfterFreeTier: number | undefined;
}

export function monthlyEstimate(compute: Compute, runs: number, durationsSeconds: readonly number[]): MonthlyEstimate {
  const typical = typicalRunMinutes(durationsSeconds);
  const minutes = runs * typical.minutes;
  const price = pricePerMinute(compute);
  const small = compute.computeType === "BUILD_GENERAL1_SMALL" && !compute.gpu;
  return {
    runs,
    minutesPerRun: typical.minutes,
    fromRuns: typical.fromRuns,
    billedMinutes: minutes,
    usd: price === undefined ? undefined : round(minutes * price),
    usdAfterFreeTier: price === undefined || !small ? undefined : round(Math.max(0, minutes - PRICES.freeTierMinutes) * price),
  };
}

/** The last 30 days: billed minutes and cost of the runs that started then and have ended. */
export function lastMonthCost(
  compute: Compute,
  runs: readonly { startTime: Date | undefined; durationSeconds: number | undefined; inProgress: boolean }[],
  now: Date,
): { runs: number; billedMinutes: number; usd: number | undefined } {
  const since = now.getTime() - MONTH_DAYS * DAY_MS;
  const counted = runs.filter((r) => !r.inProgress && r.startTime && r.startTime.getTime() >= since && r.durationSeconds !== undefined);
  const minutes = counted.reduce((sum, r) => sum + billedMinutes(r.durationSeconds ?? 0), 0);
  const price = pricePerMinute(compute);
  return { runs: counted.length, billedMinutes: minutes, usd: price === undefined ? undefined : round(minutes * price) };
}

const round = (usd: number) => Math.round(usd * 100) / 100;

/** One line for the plan: runs × minutes = billed minutes ≈ USD a month, with the table's date and the region note. */
export function estimateText(estimate: MonthlyEstimate, compute: Compute, region: string): string {
  const basis = estimate.fromRuns > 0 ? `the median of the last ${estimate.fromRuns} runs` : `${DEFAULT_RUN_MINUTES} minutes until a first run`;
  const cost =
    estimate.usd === undefined
      ? "no price for this compute in support-job's table (see the CodeBuild pricing page)"
      : `≈ $${estimate.usd.toFixed(2)} a month${estimate.usdAfterFreeTier !== undefined ? ` ($${estimate.usdAfterFreeTier.toFixed(2)} after the free tier's ${PRICES.freeTierMinutes} minutes, if no other job uses them)` : ""}`;
  const notes = [`${PRICES.region} on-demand prices of ${PRICES.date}, ${PRICES.source}`, regionNote(region)].filter(Boolean).join("; ");
  return `Estimated cost: ${estimate.runs} runs a month × ${estimate.minutesPerRun} min (${basis}) = ${estimate.billedMinutes} billed minutes at ${priceText(compute)} ${cost} (${notes}).`;
}
