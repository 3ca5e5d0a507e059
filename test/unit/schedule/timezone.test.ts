import { describe, expect, it, vi } from "vitest";
import { formatInZone, isValidTimeZone, localTimeZone, suggestTimeZones, wallTimeToInstant } from "../../../src/schedule/index.js";
import { utcWithoutIntl } from "../../../src/schedule/timezone.js";

describe("isValidTimeZone", () => {
  it.each([
    "UTC",
    "Etc/UTC",
    "Europe/Paris",
    "Europe/London",
    "America/New_York",
    "America/Argentina/Buenos_Aires",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Asia/Calcutta",
    "Europe/Kyiv",
    "US/Eastern",
    "Etc/GMT+5",
  ])("accepts %s", (name) => {
    expect(isValidTimeZone(name)).toBe(true);
  });

  it.each(["", "europe/paris", "EUROPE/PARIS", "america/new_york", "US/EASTERN", "Europe/Pari", "Mars/Olympus_Mons", "+05:00", " Europe/Paris", "CEST"])(
    "rejects %j",
    (name) => {
      expect(isValidTimeZone(name)).toBe(false);
    },
  );
});

describe("suggestTimeZones", () => {
  it("finds Europe/Paris for Europe/Pari", () => {
    expect(suggestTimeZones("Europe/Pari")).toContain("Europe/Paris");
  });

  it("fixes the case first", () => {
    expect(suggestTimeZones("america/new_york")[0]).toBe("America/New_York");
    expect(suggestTimeZones("EUROPE/LONDON")[0]).toBe("Europe/London");
  });

  it("finds a zone from its city, spaces and all", () => {
    expect(suggestTimeZones("new york")[0]).toBe("America/New_York");
    expect(suggestTimeZones("Sydney")[0]).toBe("Australia/Sydney");
    expect(suggestTimeZones("kolkata")[0]).toBe("Asia/Kolkata");
  });

  it("forgives a small typo or a swapped pair of letters", () => {
    expect(suggestTimeZones("Europe/Berln")).toContain("Europe/Berlin");
    expect(suggestTimeZones("Europe/Pairs")).toContain("Europe/Paris");
    expect(suggestTimeZones("Austrailia/Sydney")).toContain("Australia/Sydney");
  });

  it("suggests only valid names, at most max of them", () => {
    const suggestions = suggestTimeZones("America/", 3);
    expect(suggestions).toHaveLength(3);
    for (const name of suggestions) expect(isValidTimeZone(name)).toBe(true);
  });

  it("suggests nothing for nonsense or an empty string", () => {
    expect(suggestTimeZones("qqqqqqqqqq")).toEqual([]);
    expect(suggestTimeZones("")).toEqual([]);
  });
});

describe("formatInZone", () => {
  it.each<[string, string, string]>([
    ["2026-03-29T05:00:00Z", "Europe/Berlin", "2026-03-29 07:00 CEST"],
    ["2026-03-28T06:00:00Z", "Europe/Berlin", "2026-03-28 07:00 CET"],
    ["2026-07-01T00:00:00Z", "Europe/London", "2026-07-01 01:00 BST"],
    ["2026-01-01T00:00:00Z", "Europe/London", "2026-01-01 00:00 GMT"],
    ["2026-11-01T05:30:00Z", "America/New_York", "2026-11-01 01:30 EDT"],
    ["2026-11-01T06:30:00Z", "America/New_York", "2026-11-01 01:30 EST"],
    ["2026-01-01T00:00:00Z", "Australia/Sydney", "2026-01-01 11:00 AEDT"],
    ["2026-07-01T00:00:00Z", "Australia/Sydney", "2026-07-01 10:00 AEST"],
    ["2026-07-01T00:00:00Z", "Asia/Kolkata", "2026-07-01 05:30 IST"],
    ["2026-07-01T00:00:00Z", "Asia/Tokyo", "2026-07-01 09:00 GMT+9"],
    ["2026-07-01T23:59:59Z", "UTC", "2026-07-01 23:59 UTC"],
  ])("shows %s in %s as %s", (instant, timezone, expected) => {
    expect(formatInZone(new Date(instant), timezone)).toBe(expected);
  });
});

describe("wallTimeToInstant", () => {
  it("has no instant for a time skipped by spring forward", () => {
    expect(wallTimeToInstant(Date.UTC(2026, 2, 8, 2, 30), "America/New_York")).toBeUndefined();
  });

  it("takes the first of the two instants of a repeated time", () => {
    expect(wallTimeToInstant(Date.UTC(2026, 10, 1, 1, 30), "America/New_York")).toBe(Date.UTC(2026, 10, 1, 5, 30));
  });
});

describe("localTimeZone", () => {
  it("returns a zone name Intl accepts", () => {
    const zone = localTimeZone();
    expect(zone).not.toBe("");
    expect(() => new Intl.DateTimeFormat("en-US", { timeZone: zone })).not.toThrow();
  });

  // A fresh copy of the module each time: the machine's zone is kept once worked out.
  const freshModule = async (tz: string) => {
    vi.resetModules();
    vi.stubEnv("TZ", tz);
    return import("../../../src/schedule/timezone.js");
  };

  it("is worked out once: warmUpTimeZones() asks Intl on the next turn of the event loop, later calls ask nothing", async () => {
    const fresh = await freshModule("Europe/Paris");
    const formatter = vi.spyOn(Intl, "DateTimeFormat");
    try {
      fresh.warmUpTimeZones();
      expect(formatter).not.toHaveBeenCalled();
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(formatter).toHaveBeenCalledTimes(1);
      expect(fresh.localTimeZone()).toBe(fresh.localTimeZone());
      expect(formatter).toHaveBeenCalledTimes(1);
    } finally {
      formatter.mockRestore();
      vi.unstubAllEnvs();
    }
  });

  it("on a machine set to UTC, does not start Intl at all", async () => {
    const fresh = await freshModule("Etc/UTC");
    const formatter = vi.spyOn(Intl, "DateTimeFormat");
    try {
      expect(fresh.localTimeZone()).toBe("UTC");
      expect(formatter).not.toHaveBeenCalled();
    } finally {
      formatter.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});

describe("utcWithoutIntl: a machine set to UTC is told without Intl's ~25 ms start-up", () => {
  const noLink = () => {
    throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
  };
  it.each(["UTC", ":UTC", "Etc/UTC", ":Etc/UTC", "UCT", "Zulu", "Etc/Universal"])("TZ=%s is UTC, whatever /etc/localtime says", (tz) => {
    expect(utcWithoutIntl({ TZ: tz }, () => "/usr/share/zoneinfo/Europe/Paris")).toBe("UTC");
  });

  it.each(["Europe/Paris", "America/New_York", "GMT", "", "UTC0", "Etc/GMT+0"])("TZ=%j is left to Intl", (tz) => {
    expect(utcWithoutIntl({ TZ: tz }, () => "/usr/share/zoneinfo/Etc/UTC")).toBeUndefined();
  });

  it("without TZ, reads the zone /etc/localtime links to (Linux, macOS)", () => {
    expect(utcWithoutIntl({}, () => "/usr/share/zoneinfo/Etc/UTC")).toBe("UTC");
    expect(utcWithoutIntl({}, () => "/var/db/timezone/zoneinfo/UTC")).toBe("UTC");
    expect(utcWithoutIntl({}, () => "../usr/share/zoneinfo/Europe/Berlin")).toBeUndefined();
    expect(utcWithoutIntl({}, () => "/etc/some-copy")).toBeUndefined();
    // No link (Windows, or a copied file): Intl tells.
    expect(utcWithoutIntl({}, noLink)).toBeUndefined();
  });
});
