/** Which plaintext env vars are refused as secrets: gitleaks-derived value rules, name keywords, an entropy check. */
import { describe, expect, it } from "vitest";
import { checkEnv, envToString } from "../../../src/settings/validate.js";
import { secretReason, VALUE_RULES } from "../../../src/settings/secrets.js";

// Built at run time so that no scanner flags this file, and so the test reads as the formats it covers.
const rnd = (n: number, alphabet = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ"): string =>
  Array.from({ length: n }, (_, i) => alphabet[(i * 7 + 3) % alphabet.length]).join("");
const hex = (n: number) => rnd(n, "0123456789abcdef");

const SECRETS: [string, string, string][] = [
  ["a connection string with a password", "DATABASE_URL", `postgres://app:${rnd(12)}@db.internal:5432/app`],
  ["a Redis URL with only a password", "CACHE", `redis://:${rnd(10)}@cache:6379/0`],
  ["an ADO.NET connection string", "CONN", `Server=db;Database=app;User Id=app;Password=${rnd(10)};`],
  ["a JWT", "SESSION", `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.${rnd(43)}`],
  ["a bearer header", "HEADER", `Bearer ${rnd(30)}`],
  ["an Authorization header", "EXTRA_HEADER", `Authorization: Basic ${rnd(24)}`],
  ["an AWS secret access key under a neutral name", "UPLOAD_CONFIG", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"],
  ["an AWS access key id", "UPLOADER", `AKIA${"IOSFODNN7EXAMPLE"}`],
  ["a GitHub classic token", "GH", `ghp_${rnd(36)}`],
  ["a GitHub OAuth token", "GH", `gho_${rnd(36)}`],
  ["a GitHub fine-grained token", "GH", `github_pat_${rnd(82)}`],
  ["a GitLab token", "GL", `glpat-${rnd(20)}`],
  ["a Bitbucket app password", "BB", `ATBB${rnd(32)}`],
  ["an Atlassian API token", "JIRA", `ATATT3${rnd(180)}`],
  ["a Slack bot token", "BOT", `xoxb-1234567890-1234567890123-${rnd(24)}`],
  ["a Slack webhook URL", "NOTIFY", `https://hooks.slack.com/services/T00000000/B00000000/${rnd(24)}`],
  ["a Discord webhook URL", "NOTIFY", `https://discord.com/api/webhooks/123456789012345678/${rnd(68)}`],
  [
    "a Teams webhook URL",
    "NOTIFY",
    `https://acme.webhook.office.com/webhookb2/${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}@x/IncomingWebhook/${hex(32)}/y`,
  ],
  ["a Stripe key", "PAYMENTS", `sk_live_${rnd(24)}`],
  ["an npm token", "NPM", `npm_${rnd(36)}`],
  ["a private key", "KEYFILE", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk="],
  ["a Google API key", "MAPS", `AIza${rnd(35)}`],
  ["a SAS URL", "EXPORT_TARGET", `https://acme.blob.core.windows.net/c?sv=2022&sig=${rnd(30)}`],
  ["a PGPASSWORD", "PGPASSWORD", "hunter2"],
  ["a MYSQL_PWD", "MYSQL_PWD", "hunter2"],
  ["a passphrase", "GPG_PASSPHRASE", "correct horse"],
  ["a DB_PASS", "DB_PASS", "hunter2"],
  ["a PASSWD", "SMTP_PASSWD", "hunter2"],
  ["a client secret", "OAUTH_CLIENT_SECRET", "abc"],
  ["an API key name without underscore", "STRIPE_APIKEY", "abc"],
  ["credentials", "SERVICE_CREDENTIALS", "{}"],
  ["a random value under a KEY name", "SIGNING_KEY", hex(32)],
];

const PLAIN: [string, string, string][] = [
  ["a stage", "STAGE", "prod"],
  ["a bucket", "BUCKET", "acme-reports-prod"],
  ["a URL without credentials", "API_URL", "https://api.example.com/v1"],
  ["a git commit", "PINNED_COMMIT", hex(40)],
  ["a UUID", "TENANT_ID", `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`],
  ["a path", "EXPORT_DIR", "/var/lib/exports/nightly"],
  ["a sentence", "GREETING", "Good morning, the export is ready"],
  ["an S3 object key", "S3_KEY", "reports/2026/11/summary.csv"],
  ["a region", "AWS_REGION", "eu-west-1"],
  ["a number", "BATCH_SIZE", "500"],
];

describe("secret detection", () => {
  it.each(SECRETS)("refuses %s in plaintext, naming why and never quoting the value", (_what, name, value) => {
    const check = checkEnv(`${name}=${value}`);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.problem).toMatch(new RegExp(`^${name} looks like a secret; (its name|its value|its name and)`));
    const line = `${check.problem} ${check.example}`;
    for (const piece of value.split(/[\s:@/;=]+/).filter((p) => p.length >= 6)) expect(line).not.toContain(piece);
  });

  it.each(PLAIN)("accepts %s", (_what, name, value) => {
    expect(checkEnv(`${name}=${value}`)).toEqual({ ok: true, value: { name, value, type: "PLAINTEXT" } });
  });

  it("keeps plain: as the explicit override, and saves such a value with plain: so it re-reads the same", () => {
    const value = `ghp_${rnd(36)}`;
    const check = checkEnv(`FIXTURE_TOKEN=plain:${value}`);
    expect(check).toEqual({ ok: true, value: { name: "FIXTURE_TOKEN", value, type: "PLAINTEXT" } });
    if (check.ok) expect(checkEnv(envToString(check.value))).toEqual(check);
  });

  it("says which format matched, by the rule's name in words", () => {
    expect(secretReason("NOTIFY", `https://hooks.slack.com/services/T0/B0/${rnd(24)}`)).toBe("its value looks like a Slack webhook URL");
    expect(secretReason("GL", `glpat-${rnd(20)}`)).toBe("its value looks like a GitLab personal access token");
  });

  it("covers the source hosts support-job clones from and the chat webhooks, each rule with its origin id", () => {
    const ids = VALUE_RULES.map((r) => r.id);
    for (const id of [
      "github-pat",
      "github-fine-grained-pat",
      "github-oauth",
      "gitlab-pat",
      "bitbucket-app-password",
      "slack-webhook-url",
      "discord-webhook-url",
      "microsoft-teams-webhook",
      "jwt",
      "url-credentials",
    ])
      expect(ids).toContain(id);
  });
});
