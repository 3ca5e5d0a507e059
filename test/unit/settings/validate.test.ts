/** Field checks that the trial found too strict or too talkative: URLs with credentials, web URLs, ARNs, BOMs. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkAlertWebhook, checkEnv, checkPolicyFile, checkRepository, toRaw, validateSettings, withoutCredentials } from "../../../src/settings/validate.js";
import { InputError } from "../../../src/errors.js";

const problemOf = (check: { ok: boolean; problem?: string; example?: string }) => `${check.problem ?? ""} ${check.example ?? ""}`;

describe("repository URLs", () => {
  it.each([
    ["https://deploy:s3cr3t-tok@github.com/acme/ops.git", "s3cr3t-tok"],
    ["https://ghp_abcdefghijklmnop@github.com/acme/ops.git", "ghp_abcdefghijklmnop"],
    ["http://deploy:s3cr3t-tok@github.com/acme/ops.git", "s3cr3t-tok"],
    ["ssh://deploy:s3cr3t-tok@github.com/acme/ops.git", "s3cr3t-tok"],
    ["git+https://deploy:s3cr3t-tok@gitlab.com/acme/ops.git", "s3cr3t-tok"],
    ["https://deploy:p@ss@word@bitbucket.org/acme/ops.git", "ss@word"],
  ])("refuses %s without echoing its credentials, in the problem or in the suggested fix", (url, secret) => {
    const check = checkRepository(url);
    expect(check.ok).toBe(false);
    expect(problemOf(check)).not.toContain(secret);
    expect(problemOf(check)).not.toContain("deploy");
  });

  it("strips user info from any scheme for display, and leaves an ssh git@ user alone as harmless", () => {
    expect(withoutCredentials("https://a:b@github.com/x/y")).toBe("https://github.com/x/y");
    expect(checkRepository("ssh://git@github.com/acme/ops.git")).toMatchObject({ ok: false, problem: expect.stringContaining("is an SSH URL") });
  });

  it.each([
    ["https://github.com/acme/ops/tree/main", "https://github.com/acme/ops.git", "main"],
    ["https://github.com/acme/ops/blob/main/buildspec.yml", "https://github.com/acme/ops.git", "main"],
    ["https://gitlab.com/acme/tools/ops/-/tree/support-jobs", "https://gitlab.com/acme/tools/ops.git", "support-jobs"],
    ["https://bitbucket.org/acme/ops/src/main/", "https://bitbucket.org/acme/ops.git", "main"],
  ])("refuses the web page %s and suggests the clone URL and branch", (url, clone, branch) => {
    expect(checkRepository(url)).toEqual({
      ok: false,
      problem: expect.stringContaining(`web page, not a clone URL; give the branch with --branch ${branch}`),
      example: clone,
    });
  });

  it("still accepts GitLab subgroups", () => {
    expect(checkRepository("https://gitlab.com/acme/tools/ops.git")).toEqual({
      ok: true,
      value: { location: "https://gitlab.com/acme/tools/ops.git", sourceType: "GITLAB" },
    });
  });
});

describe("environment variables", () => {
  it("accepts a Parameter Store ARN (a parameter shared from another account)", () => {
    const arn = "arn:aws:ssm:eu-west-1:210987654321:parameter/shared/db-password";
    expect(checkEnv(`DB_PASSWORD=ssm:${arn}`)).toEqual({ ok: true, value: { name: "DB_PASSWORD", value: arn, type: "PARAMETER_STORE" } });
    expect(checkEnv("DB_PASSWORD=ssm:arn:aws:s3:::bucket/x").ok).toBe(false);
  });

  it("never quotes an entry that has no name, or a name that is a pasted value", () => {
    expect(problemOf(checkEnv("hunter2-alone"))).not.toContain("hunter2");
    expect(problemOf(checkEnv("postgres://app:hunter2@db/app?x=1"))).not.toContain("hunter2");
  });
});

describe("policy files", () => {
  const write = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), "support-job-validate-"));
    writeFileSync(join(dir, "policy.json"), text);
    return dir;
  };
  const doc = (action: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "arn:aws:s3:::acme/*" }] });

  it("reads a file saved with a UTF-8 byte-order mark", () => {
    expect(checkPolicyFile("policy.json", write(`\uFEFF${doc("s3:GetObject")}`)).ok).toBe(true);
  });

  it("accepts an upper-case service prefix, as IAM does", () => {
    expect(checkPolicyFile("policy.json", write(doc("S3:GetObject"))).ok).toBe(true);
  });
});

describe("--alert-webhook", () => {
  const base = { name: "nightly", repository: "https://github.com/acme/ops.git", schedule: "rate(1 day)", email: "ops@example.com" };
  const SECRET = "xoxSECRETinTheURL";

  it.each([
    [`http://hooks.slack.com/services/T/B/${SECRET}`, "must use https"],
    [`https://u:p@hooks.slack.com/services/T/B/${SECRET}`, "user name or password"],
    [`https://hooks.slack.com/services/T/B/${SECRET} x`, "characters an API destination does not accept"],
    [`https://discord.com/not-a-hook/${SECRET}`, "not a Discord webhook URL"],
    [`chat=https://hooks.slack.com/services/T/B/${SECRET}`, 'unknown kind "chat"'],
  ])("refuses %s, naming the flag, without echoing the URL", (value, problem) => {
    const check = checkAlertWebhook(value);
    expect(check).toMatchObject({ ok: false, problem: expect.stringContaining(problem) });
    expect(problemOf(check)).not.toContain(SECRET);
    let error: unknown;
    try {
      validateSettings({ ...base, alertWebhooks: [value] }, process.cwd());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).field).toBe("--alert-webhook");
    expect((error as Error).message).not.toContain(SECRET);
  });

  it("keeps a URL's key and kind (the URL only in memory), takes a saved key back as it is, and saves keys only", () => {
    const url = `https://hooks.slack.com/services/T/B/${SECRET}`;
    const settings = validateSettings({ ...base, alertWebhooks: [url, "teams-0123abcd", url] }, process.cwd());
    expect(settings.alertWebhooks).toEqual([
      { key: expect.stringMatching(/^slack-[0-9a-f]{8}$/), kind: "slack", url, display: "https://hooks.slack.com/…" },
      { key: "teams-0123abcd", kind: "teams" },
    ]);
    const raw = toRaw(settings);
    expect(raw.alertWebhooks).toEqual([settings.alertWebhooks?.[0]?.key, "teams-0123abcd"]);
    expect(JSON.stringify(raw)).not.toContain(SECRET);
  });

  it("refuses a fifth webhook: EventBridge allows 5 targets per rule, one is the email topic", () => {
    const hooks = [1, 2, 3, 4, 5].map((n) => `https://alerts.example.com/hook/${n}`);
    expect(() => validateSettings({ ...base, alertWebhooks: hooks }, process.cwd())).toThrow(/--alert-webhook: 5 webhooks; .* at most 4/);
    expect(validateSettings({ ...base, alertWebhooks: hooks.slice(0, 4) }, process.cwd()).alertWebhooks).toHaveLength(4);
  });
});
