/** The job's policy file is checked in full before any AWS call: IAM's grammar, its sizes, and the grants that escalate. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import { checkPolicyDocument, dangerousGrants, MANAGED_POLICY_MAX } from "../../../src/settings/policy.js";
import { validateSettings } from "../../../src/settings/validate.js";
import type { PolicyDocument } from "../../../src/settings/types.js";

const doc = (...Statement: unknown[]) => ({ Version: "2012-10-17", Statement });
const GET = { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/*" };
const problem = (d: unknown) => {
  const r = checkPolicyDocument(d, "policy.json");
  return r.ok ? undefined : r.problem;
};

describe("the policy grammar", () => {
  it("accepts a well-formed identity policy with conditions", () => {
    expect(
      problem(
        doc({
          ...GET,
          Sid: "Read",
          Condition: {
            StringEquals: { "aws:RequestedRegion": ["eu-west-1"] },
            "ForAnyValue:StringLikeIfExists": { "s3:prefix": "a/*" },
            Bool: { "aws:SecureTransport": true },
          },
        }),
      ),
    ).toBeUndefined();
  });
  it.each([
    [
      "a misspelt statement key, with the key it meant",
      doc({ ...GET, Conditoin: {} }),
      'policy.json: statement 1: unknown key "Conditoin" (did you mean "Condition"?)',
    ],
    [
      "a misspelt key in a named statement",
      doc({ ...GET, Sid: "Read", Resources: "*" }),
      'statement 1 ("Read"): unknown key "Resources" (did you mean "Resource"?)',
    ],
    ["an empty Action list", doc({ ...GET, Action: [] }), 'statement 1: "Action" is empty'],
    ["an empty Resource list", doc({ ...GET, Resource: [] }), 'statement 1: "Resource" is empty'],
    ["Action and NotAction together", doc({ ...GET, NotAction: "s3:PutObject" }), 'statement 1: has both "Action" and "NotAction"'],
    [
      "an unknown condition operator",
      doc({ ...GET, Condition: { StringEqual: { "aws:SourceIp": "1.2.3.4" } } }),
      'has an unknown operator "StringEqual" (did you mean "StringEquals"?)',
    ],
    ["a condition key without a service prefix", doc({ ...GET, Condition: { StringEquals: { SourceIp: "1.2.3.4" } } }), '"SourceIp" is not a condition key'],
    ["a condition with no values", doc({ ...GET, Condition: { StringEquals: { "aws:SourceIp": [] } } }), '"aws:SourceIp" has no value'],
    ["a Sid with punctuation", doc({ ...GET, Sid: "read-reports" }), '"Sid" may hold only letters and digits'],
    ["the same Sid twice", doc({ ...GET, Sid: "A" }, { ...GET, Sid: "A" }), 'statement 2 ("A"): "Sid" "A" is used twice'],
    ["an unknown top-level key", { ...doc(GET), Statment: [] }, 'unknown key "Statment" (did you mean "Statement"?)'],
    ["a resource that is not an ARN", doc({ ...GET, Resource: "arn:aws:s3" }), '"arn:aws:s3" in "Resource" is not a resource ARN'],
  ])("refuses %s", (_what, d, expected) => {
    expect(problem(d)).toContain(expected);
  });
  it("refuses a policy over IAM's 6,144 managed-policy characters, with the figure", () => {
    const many = Array.from({ length: 200 }, (_, i) => `arn:aws:s3:::bucket-number-${i}/*`);
    expect(problem(doc({ ...GET, Resource: many }))).toMatch(
      new RegExp(`policy.json is [\\d,]+ characters \\(white space not counted\\); IAM allows ${MANAGED_POLICY_MAX.toLocaleString("en-US")}`),
    );
  });
  it("does not count white space against the size", () => {
    const padded = { ...doc(GET), Id: "x" };
    expect(problem(JSON.parse(JSON.stringify(padded, null, 40)))).toBeUndefined();
  });
});

describe("dangerous grants", () => {
  const grants = (...Statement: unknown[]) => dangerousGrants(doc(...Statement) as PolicyDocument, []).map((g) => `${g.where}: ${g.why}`);
  it.each([
    ["* on *", { Effect: "Allow", Action: "*", Resource: "*" }, "allows every action on every resource"],
    ["NotAction on *", { Effect: "Allow", NotAction: "iam:*", Resource: "*" }, "allows every action on every resource"],
    ["iam:*", { Effect: "Allow", Action: "iam:*", Resource: "arn:aws:iam::123456789012:role/x" }, "allows iam:*"],
    ["iam:PassRole on *", { Effect: "Allow", Action: "iam:PassRole", Resource: "*" }, "allows iam:PassRole on every role"],
    [
      "iam:PassRole on every role by path",
      { Effect: "Allow", Action: "iam:Pass*", Resource: "arn:aws:iam::123456789012:role/*" },
      "allows iam:PassRole on every role",
    ],
    ["sts:AssumeRole on *", { Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }, "allows sts:AssumeRole on every role"],
    [
      "iam:Put* on a role",
      { Effect: "Allow", Action: "iam:Put*", Resource: "arn:aws:iam::123456789012:role/support-job-x-build" },
      "allows iam:PutUserPolicy, iam:PutGroupPolicy, iam:PutRolePolicy, which lets the job grant itself",
    ],
    [
      "iam:CreatePolicyVersion",
      { Effect: "Allow", Sid: "Mine", Action: ["s3:GetObject", "iam:createpolicyversion"], Resource: "*" },
      'statement 1 ("Mine"): allows iam:CreatePolicyVersion',
    ],
    ["iam:CreateAccessKey", { Effect: "Allow", Action: "iam:CreateAccessKey", Resource: "*" }, "create credentials for another user"],
    ["lambda:UpdateFunctionCode", { Effect: "Allow", Action: "lambda:Update*", Resource: "*" }, "another function's role"],
  ])("warns about %s, naming the statement and why", (_what, st, expected) => {
    expect(grants(st).join("\n")).toContain(expected);
  });
  it.each([
    ["a narrow read", GET],
    ["PassRole on one named role", { Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/reports-export" }],
    ["IAM reads", { Effect: "Allow", Action: ["iam:Get*", "iam:List*"], Resource: "*" }],
    ["a Deny of everything", { Effect: "Deny", Action: "*", Resource: "*" }],
  ])("stays quiet about %s", (_what, st) => {
    expect(grants(st)).toEqual([]);
  });
});

describe("the CodeBuild role's inline policy size", () => {
  const cwd = mkdtempSync(join(tmpdir(), "support-job-policy-"));
  writeFileSync(join(cwd, "policy.json"), JSON.stringify(doc(GET)));
  const raw = (env: string[]) => ({ name: "audit", repository: "https://github.com/acme/ops", schedule: "rate(1 day)", email: "ops@example.com", env });
  it("refuses, before any AWS call, more Parameter Store references than IAM's 10,240 characters hold, with the figure", () => {
    const env = Array.from({ length: 150 }, (_, i) => `VALUE_${i}=ssm:/cleanup/some-rather-long-parameter-name-${i}`);
    const error = (() => {
      try {
        validateSettings(raw(env), cwd);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(
      /^--env: the 150 Parameter Store and Secrets Manager references make the CodeBuild role's policy up to [\d,]+ characters; IAM allows 10,240/,
    );
  });
  it("accepts a job with a few references", () => {
    expect(validateSettings(raw(["A=ssm:/a", "B=secretsmanager:b"]), cwd).env).toHaveLength(2);
  });
});
