/** Connection and API destination names (botocore events model: [.-_A-Za-z0-9]+, 1–64) for every job name length. */
import { describe, expect, it } from "vitest";
import { chatPrefix } from "../../../src/desired/names.js";

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const LONGEST_KEY = "generic-0123abcd";

describe("chatPrefix", () => {
  it("is support-job-<job>- while prefix + the longest key fits 64", () => {
    expect(chatPrefix("nightly-cleanup")).toBe("support-job-nightly-cleanup-");
    const job = "a".repeat(64 - "support-job-".length - 1 - LONGEST_KEY.length);
    expect(chatPrefix(job)).toBe(`support-job-${job}-`);
    expect(`${chatPrefix(job)}${LONGEST_KEY}`).toHaveLength(64);
  });

  it("cuts a longer job name and adds a hash of it: within 64, stable, distinct for names that share the cut part", () => {
    const a = `${"x".repeat(39)}a`;
    const b = `${"x".repeat(39)}b`;
    for (const job of [a, b]) {
      expect(`${chatPrefix(job)}${LONGEST_KEY}`).toMatch(NAME);
      expect(chatPrefix(job)).toMatch(/^support-job-x+-[0-9a-f]{8}-$/);
      expect(chatPrefix(job)).toBe(chatPrefix(job));
    }
    expect(chatPrefix(a)).not.toBe(chatPrefix(b));
  });
});
