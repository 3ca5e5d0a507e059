/** AWS errors a user meets on a new account become one sentence with the fix, never AWS's raw text alone. */
import { describe, expect, it } from "vitest";
import { describeAwsError } from "../../../src/aws/errors.js";

function awsError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe("the project's --max-parallel above the account's build quota", () => {
  // CodeBuild's wording, as reported against CreateProject on an account whose quota was 1 (terraform-provider-aws #37748).
  const refused = (limit: number) =>
    awsError("InvalidInputException", `Project-level concurrent build limit cannot exceed the account-level concurrent build limit of ${limit}.`);

  it("names the account's limit and the flag to lower", () => {
    const text = describeAwsError(refused(1), "creating CodeBuild project nightly");
    expect(text).toMatch(/^creating CodeBuild project nightly failed: this account allows 1 concurrent CodeBuild build, /);
    expect(text).toContain("--max-parallel 1");
    expect(text).toContain("Service Quotas");
  });

  it("says no run can start at all when the quota is 0, and how to raise it", () => {
    const text = describeAwsError(refused(0), "creating CodeBuild project nightly");
    expect(text).toContain("quota is 0 concurrent builds");
    expect(text).not.toContain("--max-parallel 0");
    expect(text).toContain("Service Quotas");
  });

  it("leaves other invalid-input errors to the general sentence", () => {
    expect(describeAwsError(awsError("InvalidInputException", "Invalid compute type"), "creating CodeBuild project nightly")).toBe(
      "creating CodeBuild project nightly failed: InvalidInputException: Invalid compute type",
    );
  });
});
