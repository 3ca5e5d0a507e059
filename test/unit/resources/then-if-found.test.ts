// The read gate every resource module uses: "the rest once the first call found it", or all at once when expected.
import { describe, expect, it } from "vitest";
import { readScope, thenIfFound } from "../../../src/resources/types.js";

const notAllowed = () => Object.assign(new Error("User is not authorized to perform: iam:GetRolePolicy"), { name: "AccessDenied" });

describe("thenIfFound", () => {
  it("one call at a time: the rest only once the first found the resource", async () => {
    let restCalls = 0;
    const rest = () => {
      restCalls++;
      return Promise.resolve("policies");
    };
    expect(await thenIfFound(readScope(), "serviceRole", Promise.resolve(undefined), rest)).toBeUndefined();
    expect(restCalls).toBe(0);
    expect(await thenIfFound(readScope(), "serviceRole", Promise.resolve("role"), rest)).toEqual(["role", "policies"]);
    expect(restCalls).toBe(1);
  });

  it("expected (or together): the rest goes out with the first call, before its answer", async () => {
    let restStarted = false;
    let answer: (value: string) => void = () => undefined;
    const first = new Promise<string>((resolve) => (answer = resolve));
    const read = thenIfFound(readScope({ expected: ["serviceRole"] }), "serviceRole", first, () => {
      restStarted = true;
      return Promise.resolve("policies");
    });
    expect(restStarted).toBe(true);
    answer("role");
    expect(await read).toEqual(["role", "policies"]);
    expect(await thenIfFound(readScope(), "serviceRole", Promise.resolve("role"), () => Promise.resolve("policies"), true)).toEqual(["role", "policies"]);
  });

  it("a wrong guess costs nothing but the calls: the rest's failure is dropped when the first found nothing", async () => {
    const expected = readScope({ expected: ["schedule"] });
    expect(await thenIfFound(expected, "schedule", Promise.resolve(undefined), () => Promise.reject(notAllowed()))).toBeUndefined();
  });

  it("the rest's failure fails the read when the first found the resource, and the first's failure always does", async () => {
    const expected = readScope({ expected: ["schedule"] });
    await expect(thenIfFound(expected, "schedule", Promise.resolve("schedule"), () => Promise.reject(notAllowed()))).rejects.toThrow(/not authorized/);
    await expect(thenIfFound(readScope(), "schedule", Promise.resolve("schedule"), () => Promise.reject(notAllowed()))).rejects.toThrow(/not authorized/);
    await expect(thenIfFound(expected, "schedule", Promise.reject(new Error("Rate exceeded")), () => Promise.reject(notAllowed()))).rejects.toThrow(
      /Rate exceeded/,
    );
  });
});
