// Bad input of every kind: the right exit code, one line on stderr that names the field (or the failing resource)
// and the fix, no stack trace, and for input errors not a single AWS call. Input errors run through the CLI's
// entry point in this process (main(argv)), a handful of them and every AWS-side case through the built CLI.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEnv } from "../../tools/local-aws/env.js";
import { useLocalAws } from "../helpers/local-aws.js";
import type { CliResult } from "../helpers/cli.js";
import { runInProcess } from "../helpers/run-in-process.js";
import type { AwsProxy, FaultRule } from "../../tools/local-aws/proxy.js";
import { cli, closedPort, createTeamPolicy, describeRun, isolated, JOB, lines, reasonLine, stackLines } from "./helpers.js";
import { Results } from "./results.js";

const results = new Results("bad-input", 4, "Bad input: flags, files, credentials, endpoints");

const BASE: Record<string, string> = {
  "--name": JOB,
  "--repo": "https://github.com/acme/ops-scripts.git",
  "--schedule": "cron(0 3 * * ? *)",
  "--email": "ops@example.com",
};

interface Case {
  what: string;
  /** Flags over BASE (a value of null drops that flag), or the whole argv with `argv`. */
  flags?: Record<string, string | null>;
  extra?: string[];
  argv?: string[];
  /** Without --yes (init's default is --yes here). */
  noYes?: boolean;
  files?: Record<string, string>;
  exit: 1 | 2;
  /** What the reason line must say: the field or resource, and the fix. */
  reason: RegExp;
  /** AWS cases: the environment (defaults to the local AWS) and proxy faults. */
  env?: (endpoint: string) => Promise<Record<string, string | undefined>>;
  faults?: FaultRule[];
  /** The request never gets as far as the proxy (no credentials, nothing listening). */
  noCalls?: boolean;
  /** Text of the input that must appear nowhere in the output (a token, a password). */
  never?: string[];
}

const long = (n: number) => "a".repeat(n);
const POLICY = (statement: unknown) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });

const INPUT_CASES: Case[] = [
  // Names
  { what: "empty name", flags: { "--name": "" }, exit: 2, reason: /--name: is required \(example: --name cleanup-expired-accounts\)/ },
  { what: "one-character name", flags: { "--name": "a" }, exit: 2, reason: /--name: "a" is too short/ },
  {
    what: "name of 41 characters (derived names would pass IAM's 64)",
    flags: { "--name": long(41) },
    exit: 2,
    reason: /--name: "a{41}" is 41 characters; at most 40, so derived names .* fit IAM's 64/,
  },
  {
    what: "name with a slash",
    flags: { "--name": "nightly/cleanup" },
    exit: 2,
    reason: /--name: "nightly\/cleanup" may only contain letters, digits, - and _, .*\(example: cleanup-expired-accounts\)/,
  },
  { what: "name starting with _", flags: { "--name": "_nightly" }, exit: 2, reason: /--name: "_nightly" .*must start with a letter or digit/ },
  // Repositories
  {
    what: "SSH scp-style URL",
    flags: { "--repo": "git@github.com:acme/ops-scripts.git" },
    exit: 2,
    reason: /--repo: .* is an SSH URL; CodeBuild clones over HTTPS \(example: https:\/\/github\.com\/acme\/ops-scripts\.git\)/,
  },
  {
    what: "unknown host",
    flags: { "--repo": "https://git.example.com/acme/ops.git" },
    exit: 2,
    reason: /--repo: cannot tell which kind of repository git\.example\.com hosts; .*--source-type/,
  },
  {
    what: "no owner/repository path",
    flags: { "--repo": "https://github.com/acme" },
    exit: 2,
    reason: /--repo: .* has no owner\/repository path \(example: https:\/\/github\.com\/acme\/ops-scripts\.git\)/,
  },
  {
    what: "http:// URL",
    flags: { "--repo": "http://github.com/acme/ops.git" },
    exit: 2,
    reason: /--repo: .* uses http:\/\/; CodeBuild needs an https:\/\/ clone URL \(example: https:\/\/github\.com\/acme\/ops\.git\)/,
  },
  {
    what: "token in the URL",
    flags: { "--repo": "https://x-token:ghp_abc@github.com/acme/ops.git" },
    exit: 2,
    reason: /--repo: https:\/\/github\.com\/acme\/ops\.git holds a user name, password or token; CodeBuild uses stored source credentials/,
    never: ["ghp_abc", "x-token"],
  },
  {
    what: "token in an http:// URL",
    flags: { "--repo": "http://deploy:tok3n-value@github.com/acme/ops.git" },
    exit: 2,
    reason: /--repo: http:\/\/github\.com\/acme\/ops\.git holds a user name, password or token.*\(example: https:\/\/github\.com\/acme\/ops\.git\)/,
    never: ["tok3n-value"],
  },
  {
    what: "password in an ssh:// URL",
    flags: { "--repo": "ssh://deploy:pa55word-value@github.com/acme/ops.git" },
    exit: 2,
    reason: /--repo: ssh:\/\/github\.com\/acme\/ops\.git holds a user name, password or token.*\(example: https:\/\/github\.com\/acme\/ops\.git\)/,
    never: ["pa55word-value"],
  },
  {
    what: "a token as the URL's user name",
    flags: { "--repo": "https://glpat-0123456789abcdefghij@gitlab.com/acme/ops.git" },
    exit: 2,
    reason: /--repo: https:\/\/gitlab\.com\/acme\/ops\.git holds a user name, password or token/,
    never: ["glpat-0123456789abcdefghij"],
  },
  {
    what: "GitHub web page URL",
    flags: { "--repo": "https://github.com/acme/ops-scripts/tree/main" },
    exit: 2,
    reason:
      /--repo: .* is the address of a web page, not a clone URL; give the branch with --branch main \(example: https:\/\/github\.com\/acme\/ops-scripts\.git\)/,
  },
  {
    what: "GitLab web page URL",
    flags: { "--repo": "https://gitlab.com/acme/tools/ops/-/tree/support-jobs" },
    exit: 2,
    reason: /--repo: .* web page.*--branch support-jobs \(example: https:\/\/gitlab\.com\/acme\/tools\/ops\.git\)/,
  },
  { what: "not a URL", flags: { "--repo": "ops-scripts" }, exit: 2, reason: /--repo: "ops-scripts" is not a URL/ },
  {
    what: "bad CodeCommit URL",
    flags: { "--repo": "https://git-codecommit.us-east-1.amazonaws.com/ops" },
    exit: 2,
    reason: /--repo: .* is not a CodeCommit clone URL \(example: https:\/\/git-codecommit\.us-east-1\.amazonaws\.com\/v1\/repos\/ops-scripts\)/,
  },
  { what: "unknown source type", flags: { "--source-type": "SVN" }, exit: 2, reason: /--source-type: unknown source type "SVN"; one of GITHUB, / },
  // Branches
  {
    what: "branch with ..",
    flags: { "--branch": "feature..x" },
    exit: 2,
    reason: /--branch: "feature\.\.x" is not a valid git branch, tag or commit name \(example: support-jobs\)/,
  },
  { what: "branch ending in .lock", flags: { "--branch": "main.lock" }, exit: 2, reason: /--branch: "main\.lock" is not a valid/ },
  // Buildspec paths
  {
    what: "absolute buildspec path",
    flags: { "--buildspec": "/etc/buildspec.yml" },
    exit: 2,
    reason: /--buildspec: "\/etc\/buildspec\.yml" is absolute; give a path relative to the repository root/,
  },
  {
    what: "buildspec path with ..",
    flags: { "--buildspec": "../other/buildspec.yml" },
    exit: 2,
    reason: /--buildspec: .* must stay inside the repository \(no \.\. or empty folders\)/,
  },
  {
    what: "buildspec path with backslashes",
    flags: { "--buildspec": "jobs\\buildspec.yml" },
    exit: 2,
    reason: /--buildspec: .* uses backslashes; use \/ between folders/,
  },
  {
    what: "inline buildspec YAML instead of a path",
    flags: { "--buildspec": "version: 0.2" },
    exit: 2,
    reason: /--buildspec: give the path of the buildspec file, not its YAML/,
  },
  // Schedules
  { what: "rate(1 hours)", flags: { "--schedule": "rate(1 hours)" }, exit: 2, reason: /--schedule: .*rate\(1 hour\)/ },
  { what: "rate(0 days)", flags: { "--schedule": "rate(0 days)" }, exit: 2, reason: /--schedule: .*(at least 1|0)/ },
  { what: "rate in seconds", flags: { "--schedule": "rate(30 seconds)" }, exit: 2, reason: /--schedule: .*minute/ },
  { what: "5-field cron", flags: { "--schedule": "cron(0 3 * * *)" }, exit: 2, reason: /--schedule: .*6 fields/ },
  { what: "cron with both day fields set", flags: { "--schedule": "cron(0 3 1 * MON *)" }, exit: 2, reason: /--schedule: .*\?/ },
  { what: "cron hour 25", flags: { "--schedule": "cron(0 25 * * ? *)" }, exit: 2, reason: /--schedule: .*hour.*0.23|--schedule: .*25/ },
  { what: "cron month 13", flags: { "--schedule": "cron(0 3 1 13 ? *)" }, exit: 2, reason: /--schedule: .*month|--schedule: .*13/ },
  { what: "cron year 2300", flags: { "--schedule": "cron(0 3 * * ? 2300)" }, exit: 2, reason: /--schedule: .*year|--schedule: .*2300/ },
  {
    what: "30 February",
    flags: { "--schedule": "cron(0 7 30 2 ? *)" },
    exit: 2,
    reason: /--schedule: cron\(0 7 30 2 \? \*\) never fires: no FEB has the day it names/,
  },
  { what: "a year in the past", flags: { "--schedule": "cron(0 7 1 1 ? 2020)" }, exit: 2, reason: /--schedule: .* never fires: its year 2020 is in the past/ },
  {
    what: "a time inside the DST gap every year",
    flags: { "--schedule": "cron(30 2 ? 3 1L *)", "--timezone": "Europe/Paris" },
    exit: 2,
    reason: /--schedule: .* never fires in Europe\/Paris: every time it names falls in the hour that daylight saving skips/,
  },
  { what: "cron(bogus)", flags: { "--schedule": "cron(bogus)" }, exit: 2, reason: /--schedule: / },
  { what: "schedule in words", flags: { "--schedule": "every day at 3" }, exit: 2, reason: /--schedule: .*(rate\(|cron\()/ },
  {
    what: "unknown time zone",
    flags: { "--timezone": "Europe/Pariss" },
    exit: 2,
    reason: /--timezone: "Europe\/Pariss" is not an IANA time zone; did you mean Europe\/Paris/,
  },
  // Compute types, architectures, images
  {
    what: "unknown compute type",
    flags: { "--compute-type": "BUILD_GENERAL1_HUGE" },
    exit: 2,
    reason: /--compute-type: unknown compute type "BUILD_GENERAL1_HUGE"; one of BUILD_GENERAL1_SMALL/,
  },
  { what: "Lambda compute type", flags: { "--compute-type": "BUILD_LAMBDA_1GB" }, exit: 2, reason: /--compute-type: BUILD_LAMBDA_1GB runs on Lambda/ },
  { what: "unknown architecture", flags: { "--arch": "sparc" }, exit: 2, reason: /--arch: unknown architecture "sparc"; x86_64 or arm64/ },
  {
    what: "deprecated image",
    flags: { "--image": "aws/codebuild/standard:3.0" },
    exit: 2,
    reason: /--image: aws\/codebuild\/standard:3\.0 is deprecated; use a current image \(example: aws\/codebuild\/standard:7\.0\)/,
  },
  {
    what: "arm64 image on x86_64",
    flags: { "--image": "aws/codebuild/amazonlinux-aarch64-standard:3.0" },
    exit: 2,
    reason: /--image: .* is an arm64 image but the job runs on x86_64/,
  },
  { what: "image name with a space", flags: { "--image": "my image:1" }, exit: 2, reason: /--image: "my image:1" contains spaces/ },
  // Timeouts
  { what: "timeout 4", flags: { "--timeout": "4" }, exit: 2, reason: /--timeout: 4 minutes is outside CodeBuild's 5–2160/ },
  { what: "timeout 2161", flags: { "--timeout": "2161" }, exit: 2, reason: /--timeout: 2161 minutes is outside CodeBuild's 5–2160/ },
  { what: "timeout abc", flags: { "--timeout": "abc" }, exit: 2, reason: /--timeout: "abc" is not a whole number of minutes \(example: 60\)/ },
  // Emails and alerts
  { what: "email without @", flags: { "--email": "ops" }, exit: 2, reason: /--email: "ops" is not an email address \(example: ops@example\.com\)/ },
  { what: "missing email", flags: { "--email": null }, exit: 2, reason: /--email: is required \(example: --email ops@example\.com\)/ },
  { what: "unknown alert status", flags: { "--alert-on": "FAILED,BROKEN" }, exit: 2, reason: /--alert-on: unknown build status BROKEN; choose from FAILED/ },
  // Environment variables
  { what: "env var name starting with a digit", extra: ["--env", "1STAGE=prod"], exit: 2, reason: /--env: "1STAGE" is not a valid variable name/ },
  { what: "env var without =", extra: ["--env", "STAGE"], exit: 2, reason: /--env: an entry is not KEY=VALUE \(it has no =\)/ },
  { what: "a pasted value without a name", extra: ["--env", "hunter2-pasted-alone"], exit: 2, reason: /--env: an entry is not KEY=VALUE/, never: ["hunter2"] },
  {
    what: "a connection string with a password",
    extra: ["--env", "DATABASE_URL=postgres://app:hunter2-conn@db:5432/app"],
    exit: 2,
    reason: /--env: DATABASE_URL looks like a secret; its value looks like a URL with a password.*ssm:/,
    never: ["hunter2"],
  },
  {
    what: "a JWT under a neutral name",
    extra: ["--env", "SESSION=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"],
    exit: 2,
    reason: /--env: SESSION looks like a secret; its value looks like a JSON Web Token/,
    never: ["dozjgNryP4J3jVmNHl0w5N"],
  },
  { what: "reserved CODEBUILD_ name", extra: ["--env", "CODEBUILD_X=1"], exit: 2, reason: /--env: CODEBUILD_X: names starting with CODEBUILD_ are reserved/ },
  {
    what: "plaintext password",
    extra: ["--env", "DB_PASSWORD=hunter2-plaintext"],
    exit: 2,
    reason: /--env: DB_PASSWORD looks like a secret; .*Parameter Store or Secrets Manager .*\(example: DB_PASSWORD=ssm:\/cleanup\/db-password\)/,
  },
  { what: "an access key id as a value", extra: ["--env", "UPLOADER=AKIAIOSFODNN7EXAMPLE"], exit: 2, reason: /--env: UPLOADER looks like a secret.*ssm:/ },
  {
    what: "empty Parameter Store name",
    extra: ["--env", "DB=ssm:"],
    exit: 2,
    reason: /--env: DB: "" is not a Parameter Store name or ARN \(example: DB=ssm:\/cleanup\/db-password\)/,
  },
  // Policies
  {
    what: "not a managed policy ARN",
    extra: ["--policy-arn", "arn:aws:s3:::acme-reports"],
    exit: 2,
    reason: /--policy-arn: "arn:aws:s3:::acme-reports" is not an IAM managed policy ARN \(example: arn:aws:iam::aws:policy\/AmazonS3ReadOnlyAccess\)/,
  },
  { what: "missing policy file", extra: ["--policy-file", "nope.json"], exit: 2, reason: /--policy-file: nope\.json does not exist/ },
  {
    what: "policy file that is not JSON",
    extra: ["--policy-file", "policy.json"],
    files: { "policy.json": "Version: 2012-10-17\n" },
    exit: 2,
    reason: /--policy-file: policy\.json is not valid JSON/,
  },
  {
    what: "policy file that is not a policy",
    extra: ["--policy-file", "policy.json"],
    files: { "policy.json": '{"Bucket": "acme"}' },
    exit: 2,
    reason: /--policy-file: policy\.json: "Version" must be "2012-10-17"/,
  },
  {
    what: "resource policy (with a Principal)",
    extra: ["--policy-file", "policy.json"],
    files: { "policy.json": POLICY({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::a/*" }) },
    exit: 2,
    reason: /--policy-file: policy\.json: statement 1 has a Principal: this is a resource policy/,
  },
  {
    what: "statement without Resource",
    extra: ["--policy-file", "policy.json"],
    files: { "policy.json": POLICY({ Effect: "Allow", Action: "s3:GetObject" }) },
    exit: 2,
    reason: /--policy-file: policy\.json: statement 1 has no "Resource"/,
  },
  {
    what: "Allow * on * without --yes (no terminal)",
    noYes: true,
    extra: ["--policy-file", "policy.json"],
    files: { "policy.json": POLICY({ Effect: "Allow", Action: "*", Resource: "*" }) },
    exit: 2,
    reason: /--policy-file: statement 1 of the policy file allows every action on every resource; narrow it, or pass --yes to accept/,
  },
  {
    what: "a misspelt statement key",
    extra: ["--policy-file", "policy.json"],
    files: { "policy.json": POLICY({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::a/*", Conditoin: {} }) },
    exit: 2,
    reason: /--policy-file: policy\.json: statement 1: unknown key "Conditoin" \(did you mean "Condition"\?\)/,
  },
  {
    what: "an empty Action list",
    extra: ["--policy-file", "policy.json"],
    files: { "policy.json": POLICY({ Effect: "Allow", Action: [], Resource: "arn:aws:s3:::a/*" }) },
    exit: 2,
    reason: /--policy-file: policy\.json: statement 1: "Action" is empty/,
  },
  {
    what: "an unknown condition operator",
    extra: ["--policy-file", "policy.json"],
    files: {
      "policy.json": POLICY({
        Sid: "Read",
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::a/*",
        Condition: { StringEqual: { "aws:SourceIp": "10.0.0.1" } },
      }),
    },
    exit: 2,
    reason: /--policy-file: policy\.json: statement 1 \("Read"\): "Condition" has an unknown operator "StringEqual"/,
  },
  {
    what: "iam:PassRole on * without --yes (no terminal)",
    noYes: true,
    extra: ["--policy-file", "policy.json"],
    files: { "policy.json": POLICY({ Sid: "Launch", Effect: "Allow", Action: ["ec2:RunInstances", "iam:PassRole"], Resource: "*" }) },
    exit: 2,
    reason: /--policy-file: statement 1 \("Launch"\) of the policy file allows iam:PassRole on every role, .*; narrow it, or pass --yes to accept/,
  },
  {
    what: "too many secret references for the role's inline policy",
    extra: Array.from({ length: 150 }, (_, i) => ["--env", `V${i}=ssm:/cleanup/a-rather-long-parameter-name-${i}`]).flat(),
    exit: 2,
    reason: /--env: the 150 Parameter Store and Secrets Manager references make the CodeBuild role's policy up to [\d,]+ characters; IAM allows 10,240/,
  },
  // Regions, config file, flags
  { what: "region typo", extra: ["--region", "us-est-1"], exit: 2, reason: /--region: "us-est-1" is not an AWS region name \(example: us-east-1\)/ },
  { what: "unknown region", extra: ["--region", "mars-central-1"], exit: 2, reason: /--region: "mars-central-1" is not an AWS region name/ },
  {
    what: "corrupt support-job.json",
    argv: ["init", "--yes"],
    files: { "support-job.json": '{\n  "name": "nightly-cleanup",\n  "schedule": \n' },
    exit: 2,
    reason: /support-job\.json: is not valid JSON .*support-job will not overwrite it/,
  },
  {
    what: "support-job.json with a UTF-8 BOM and a bad value",
    argv: ["init", "--yes"],
    files: {
      "support-job.json":
        '\uFEFF{"name": "nightly-cleanup", "repository": "https://github.com/acme/ops.git", "schedule": "rate(1 hours)", "email": "ops@example.com"}',
    },
    exit: 2,
    reason: /support-job\.json: schedule: /,
  },
  {
    what: "support-job.json with a wrong type",
    argv: ["init", "--yes"],
    files: { "support-job.json": '{"name": "nightly-cleanup", "env": "STAGE=prod"}' },
    exit: 2,
    reason: /support-job\.json: env: must be a list of strings/,
  },
  {
    what: "support-job.json with a bad value",
    argv: ["init", "--yes"],
    files: {
      "support-job.json":
        '{"name": "nightly-cleanup", "repository": "https://github.com/acme/ops.git", "schedule": "rate(1 hours)", "email": "ops@example.com"}',
    },
    exit: 2,
    reason: /^✘ support-job\.json: schedule: rate\(1 hours\)/,
  },
  { what: "unknown flag", extra: ["--nmae", "x"], exit: 2, reason: /unknown option '--nmae' \(Did you mean --name\?\)/ },
];

const aws = useLocalAws();
const seen = new Map<string, Outcome>();

const AWS_CASES: Case[] = [
  {
    what: "no credentials anywhere",
    env: async (endpoint) => {
      const dir = mkdtempSync(join(tmpdir(), "support-job-nocreds-"));
      writeFileSync(join(dir, "config"), "");
      writeFileSync(join(dir, "credentials"), "");
      return {
        ...awsEnv(endpoint),
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_CONFIG_FILE: join(dir, "config"),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
      };
    },
    exit: 1,
    noCalls: true,
    reason: /no AWS credentials were found\. Run `aws configure`.*AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
  },
  {
    what: "an endpoint that refuses connections",
    env: async (endpoint) => ({ ...awsEnv(endpoint), AWS_ENDPOINT_URL: `http://127.0.0.1:${await closedPort()}` }),
    exit: 1,
    noCalls: true,
    reason: /nothing answered at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)\. .*AWS_ENDPOINT_URL/,
  },
  {
    what: "an expired session token",
    faults: [{ fault: "expiredToken" }],
    exit: 1,
    reason: /your AWS session token has expired\. Refresh it \(e\.g\. `aws sso login`\)/,
  },
  {
    what: "credentials AWS does not recognise",
    faults: [
      {
        fault: {
          status: 403,
          body: "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>1</RequestId></ErrorResponse>",
          headers: { "content-type": "text/xml" },
        },
      },
    ],
    exit: 1,
    reason: /AWS does not recognise these credentials \(InvalidClientTokenId\)/,
  },
  {
    what: "access denied on one resource (the alert rule)",
    faults: [{ service: "events", action: "PutRule", fault: "accessDenied" }],
    exit: 1,
    reason: /Creating the (schedule|alert) rule support-job-nightly-cleanup-(schedule|alerts) failed: access denied \(events:PutRule\)\. .*README/,
  },
  {
    what: "access denied on reading (the identity can create but not read)",
    faults: [{ service: "iam", action: "GetRole", fault: "accessDenied" }],
    exit: 1,
    reason: /Reading the (CodeBuild service role support-job-[\w-]+-build|schedule role support-job-[\w-]+-start) failed: access denied \(iam:GetRole\)/,
  },
];

function argvOf(c: Case): string[] {
  if (c.argv) return c.argv;
  const flags = { ...BASE, ...c.flags };
  const argv = ["init", ...(c.noYes ? [] : ["--yes"])];
  for (const [flag, value] of Object.entries(flags)) if (value !== null) argv.push(flag, value);
  return [...argv, ...(c.extra ?? [])];
}

interface Outcome {
  run: CliResult;
  calls: number;
  before: Record<string, string>;
  after: Record<string, string>;
}

/** How a case is run: the built CLI as a child process, or main(argv) in this process. */
type Runner = "child" | "in-process";

async function runCase(c: Case, proxy: AwsProxy, runner: Runner = "child"): Promise<Outcome> {
  const cwd = mkdtempSync(join(tmpdir(), "support-job-bad-input-"));
  for (const [name, text] of Object.entries(c.files ?? {})) writeFileSync(join(cwd, name), text);
  proxy.resetCalls();
  proxy.clearFaults();
  for (const rule of c.faults ?? []) proxy.addFault(rule);
  const env = c.env ? await c.env(proxy.url) : awsEnv(proxy.url);
  const run = runner === "child" ? await cli(argvOf(c), { env, cwd }) : await runInProcess(argvOf(c), { env: isolated(env), cwd });
  const read = () => Object.fromEntries(Object.keys(c.files ?? {}).map((name) => [name, readFileSync(join(cwd, name), "utf8")]));
  return { run, calls: proxy.calls.length, before: c.files ?? {}, after: read() };
}

/** Everything a bad-input run must show, as a list of broken promises (empty when the case passes). */
function problems(c: Case, { run, calls, before, after }: Outcome): string[] {
  const out: string[] = [];
  if (run.code !== c.exit) out.push(`exit ${String(run.code)}, expected ${c.exit}`);
  // Input errors: exactly one line besides warnings ("! ...") and commander's pointer to --help.
  const errors = lines(run.stderr).filter((l) => !l.startsWith("! ") && !l.startsWith("(run with --help"));
  const reason = c.exit === 2 ? (errors[0] ?? "") : reasonLine(run.stderr);
  if (!c.reason.test(reason)) out.push(`reason line ${JSON.stringify(reason)} does not match ${String(c.reason)}`);
  if (stackLines(run.stderr).length > 0 || stackLines(run.stdout).length > 0) out.push("a stack trace was printed");
  if (/unexpected error/i.test(run.stderr)) out.push("reported as an unexpected error");
  if (c.exit === 2) {
    if (errors.length !== 1) out.push(`${errors.length} error lines on stderr, expected 1`);
    if (calls !== 0) out.push(`${calls} AWS calls for an input error`);
  } else if (c.noCalls && calls !== 0) out.push(`${calls} calls reached the proxy`);
  for (const [name, text] of Object.entries(before)) if (after[name] !== text) out.push(`${name} was changed`);
  for (const secret of c.never ?? []) if (`${run.stdout}${run.stderr}`.includes(secret)) out.push(`printed ${secret}`);
  return out;
}

beforeAll(async () => {
  await createTeamPolicy(aws.clients);
});

afterAll(async () => {
  // Every case with the line the user saw, for review next to the README figures.
  const table = [...INPUT_CASES, ...AWS_CASES]
    .filter((c) => seen.has(c.what))
    .map((c) => {
      const { run } = seen.get(c.what)!;
      const shown =
        c.exit === 2
          ? lines(run.stderr)
              .filter((l) => !l.startsWith("(run with --help"))
              .join(" / ")
          : reasonLine(run.stderr);
      return `| ${c.what} | ${String(run.code)} | ${shown.replace(/\|/g, "\\|")} |`;
    });
  results.attach(
    "bad-input-cases.md",
    ["# Bad input: every case and the line it printed", "", "| case | exit | stderr |", "|---|---|---|", ...table, ""].join("\n"),
  );
  results.write();
});

describe("bad input", () => {
  it(`${INPUT_CASES.length} input errors: exit 2, one line naming the field and the fix, no stack, no AWS call`, async () => {
    expect(INPUT_CASES.length).toBeGreaterThanOrEqual(40);
    const failures: string[] = [];
    for (const c of INPUT_CASES) {
      const outcome = await runCase(c, aws.proxy, "in-process");
      seen.set(c.what, outcome);
      const broken = problems(c, outcome);
      if (broken.length) failures.push(`${c.what} (${argvOf(c).join(" ")}): ${broken.join("; ")}\n${describeRun(outcome.run)}`);
    }
    expect(failures).toEqual([]);
    results.set("input-error cases (exit 2, one line, no stack, zero AWS calls)", INPUT_CASES.length);
    results.set("  of which corrupt or wrong support-job.json (file left unchanged)", INPUT_CASES.filter((c) => c.files?.["support-job.json"]).length);
  }, 120_000);

  // The real process for a few of them: its exit status and stderr are the ones main(argv) returned and printed.
  const THROUGH_THE_BUILT_CLI = [
    "empty name",
    "token in the URL",
    "a JWT under a neutral name",
    "Allow * on * without --yes (no terminal)",
    "corrupt support-job.json",
    "unknown flag",
  ];
  it("the cases run through the built CLI are all among the input errors", () => {
    expect(THROUGH_THE_BUILT_CLI.filter((what) => !INPUT_CASES.some((c) => c.what === what))).toEqual([]);
  });
  it.each(INPUT_CASES.filter((c) => THROUGH_THE_BUILT_CLI.includes(c.what)))("through the built CLI, $what: the same exit 2 and line on stderr", async (c) => {
    const child = await runCase(c, aws.proxy, "child");
    expect(problems(c, child), describeRun(child.run)).toEqual([]);
    const inProcess = await runCase(c, aws.proxy, "in-process");
    expect({ code: child.run.code, stderr: child.run.stderr, stdout: child.run.stdout }).toEqual({
      code: inProcess.run.code,
      stderr: inProcess.run.stderr,
      stdout: inProcess.run.stdout,
    });
  });

  it.each(AWS_CASES)(
    "$what: exit 1, one line naming what failed and the fix, no stack",
    async (c) => {
      const outcome = await runCase(c, aws.proxy);
      seen.set(c.what, outcome);
      aws.proxy.clearFaults();
      expect(problems(c, outcome), describeRun(outcome.run)).toEqual([]);
      results.add("AWS-side error cases (exit 1, one line with the fix, no stack)");
    },
    60_000,
  );

  it("--debug shows the cause's stack for an AWS error, and only then, and never the credentials", async () => {
    const c = AWS_CASES.find((x) => x.what.startsWith("access denied on one"))!;
    // Distinctive credentials: the error path prints a stack under --debug, and must still print none of them.
    const secrets = {
      AWS_ACCESS_KEY_ID: "AKIADEBUGERRORPATH01",
      AWS_SECRET_ACCESS_KEY: "debug-error-path-secret-key-0123456789ab",
      AWS_SESSION_TOKEN: "debug-error-path-session-token",
    };
    const debug = await runCase({ ...c, extra: ["--debug"], env: async (endpoint) => ({ ...awsEnv(endpoint), ...secrets }) }, aws.proxy);
    aws.proxy.clearFaults();
    expect(debug.run.code).toBe(1);
    for (const value of Object.values(secrets)) expect(`${debug.run.stdout}${debug.run.stderr}`).not.toContain(value);
    expect(stackLines(debug.run.stderr).length).toBeGreaterThan(0);
    expect(debug.run.stderr).toMatch(/\[debug\] events\.PutRule 40\d AccessDenied/);
  }, 60_000);
});
