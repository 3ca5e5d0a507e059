// Every policy document init writes, read back from (local) AWS after a full set-up, grants no more than the job
// needs; a grant of everything needs an explicit yes; no secret reaches the config file, the plan or --debug logs.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { awsEnv } from "../../tools/local-aws/env.js";
import { useLocalAws } from "../helpers/local-aws.js";
import { savedJob } from "../helpers/job.js";
import { cli, createTeamPolicy, describeRun, JOB, JOB_POLICY_DOCUMENT, lines, TEAM_POLICY_ARN, workdir, ACCOUNT, REGION } from "./helpers.js";
import { Results } from "./results.js";
import { snapshotAccount, type AccountSnapshot, type Json } from "./snapshot.js";

const results = new Results("least-privilege", 5, "Least privilege and secrets");

const PROJECT_ARN = `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/${JOB}`;
const GROUP_ARN = `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/support-job-${JOB}`;
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:support-job-${JOB}-alerts`;
const ECR_IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/support/cleanup:1.4`;
/** A chat webhook: its URL holds a secret (the part after /services/). */
const WEBHOOK_SECRET = "xoxWEBHOOKdistinctiveSECRET9c2e";
const WEBHOOK = `https://hooks.slack.com/services/T0TEAM/B0CHAN/${WEBHOOK_SECRET}`;

/** A job that needs every kind of permission init can grant. */
const FULL = [
  "--name",
  JOB,
  "--repo",
  `https://git-codecommit.${REGION}.amazonaws.com/v1/repos/ops-scripts`,
  "--schedule",
  "cron(0 3 * * ? *)",
  "--email",
  "ops@example.com",
  "--image",
  ECR_IMAGE,
  "--env",
  "STAGE=prod",
  "--env",
  "DB_PASSWORD=ssm:/cleanup/db-password",
  "--env",
  "API_TOKEN=secretsmanager:cleanup/api-token:token",
  "--env",
  `REPORT_KEY=secretsmanager:arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:cleanup/report-key-AbCdEf`,
  "--policy-file",
  "policy.json",
  "--policy-arn",
  TEAM_POLICY_ARN,
  "--alert-webhook",
  WEBHOOK,
];

const aws = useLocalAws();

interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: string | string[];
  NotResource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}
interface Written {
  /** "role X trust", "role X inline P", "managed policy P", "topic T policy" */
  where: string;
  statements: Statement[];
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
function statementsOf(doc: Json): Statement[] {
  const s = (doc as { Statement?: Statement | Statement[] } | null)?.Statement;
  return list(s);
}

/** Every document the tool wrote, from the account snapshot (the job's own policy file included). */
function writtenDocuments(snapshot: AccountSnapshot): Written[] {
  const out: Written[] = [];
  for (const [name, role] of Object.entries(snapshot.roles)) {
    out.push({ where: `role ${name} trust`, statements: statementsOf(role.trust) });
    for (const [policy, doc] of Object.entries(role.inline)) out.push({ where: `role ${name} inline ${policy}`, statements: statementsOf(doc) });
  }
  for (const [name, policy] of Object.entries(snapshot.policies)) out.push({ where: `managed policy ${name}`, statements: statementsOf(policy.document) });
  for (const [name, topic] of Object.entries(snapshot.topics)) out.push({ where: `topic ${name} policy`, statements: statementsOf(topic.policy) });
  return out;
}

/** The broad grants in a set of documents: what a reviewer would flag. */
function broadGrants(docs: Written[]): { wildcardActions: string[]; starResources: string[]; negations: string[] } {
  const wildcardActions: string[] = [];
  const starResources: string[] = [];
  const negations: string[] = [];
  for (const { where, statements } of docs) {
    for (const st of statements) {
      for (const a of list(st.Action)) if (a.includes("*")) wildcardActions.push(`${where}: ${a}`);
      if (st.NotAction !== undefined || st.NotResource !== undefined) negations.push(where);
      if (list(st.Resource).includes("*")) starResources.push(`${where}: ${list(st.Action).join(",")}`);
    }
  }
  return { wildcardActions, starResources, negations };
}

function conditionValue(st: Statement, key: string): string[] {
  const found: string[] = [];
  for (const block of Object.values(st.Condition ?? {})) if (key in block) found.push(...list(block[key]));
  return found;
}

afterAll(async () => {
  results.write();
});

describe("every policy document init writes", () => {
  let counted = 0;

  it.each([
    { schedule: "UTC (EventBridge rule)", extra: [] as string[] },
    { schedule: "Europe/Paris (EventBridge Scheduler)", extra: ["--timezone", "Europe/Paris"] },
  ])(
    "grants only what the job needs: $schedule",
    async ({ extra }) => {
      await aws.reset();
      await createTeamPolicy(aws.clients);
      const run = await cli(["init", "--yes", ...FULL, ...extra], { env: awsEnv(aws.endpoint), cwd: workdir() });
      expect(run.code, describeRun(run)).toBe(0);
      const snapshot = await snapshotAccount(aws.clients, JOB);
      const docs = writtenDocuments(snapshot);
      counted += docs.length;
      results.add("policy documents read back and checked", docs.length);
      results.add(
        "statements checked",
        docs.reduce((n, d) => n + d.statements.length, 0),
      );

      // No wildcard action, no NotAction/NotResource; "*" as a resource only where AWS offers nothing narrower.
      const broad = broadGrants(docs);
      expect(broad.wildcardActions).toEqual([]);
      expect(broad.negations).toEqual([]);
      expect(broad.starResources).toEqual([`role support-job-${JOB}-use1-build inline support-job-base: ecr:GetAuthorizationToken`]);

      // Each role is trusted by one service, from this account only; CodeBuild's only for this project.
      const roles = Object.entries(snapshot.roles);
      expect(roles.length).toBeGreaterThanOrEqual(2);
      for (const [name, role] of roles) {
        const trust = statementsOf(role.trust);
        expect(trust.length, name).toBe(1);
        for (const st of trust) {
          expect(st.Effect, name).toBe("Allow");
          expect(list(st.Action), name).toEqual(["sts:AssumeRole"]);
          expect(list((st.Principal as { Service?: string | string[] }).Service).length, name).toBe(1);
          expect(conditionValue(st, "aws:SourceAccount"), name).toEqual([ACCOUNT]);
        }
      }
      const build = snapshot.roles[`support-job-${JOB}-use1-build`]!;
      expect(statementsOf(build.trust)[0]!.Principal).toEqual({ Service: "codebuild.amazonaws.com" });
      expect(conditionValue(statementsOf(build.trust)[0]!, "aws:SourceArn")).toEqual([PROJECT_ARN]);
      const starter = extra.length ? snapshot.roles[`support-job-${JOB}-use1-scheduler`]! : snapshot.roles[`support-job-${JOB}-use1-start`]!;
      expect(starter, "the role that starts runs").toBeDefined();
      if (extra.length) {
        expect(statementsOf(starter.trust)[0]!.Principal).toEqual({ Service: "scheduler.amazonaws.com" });
        expect(conditionValue(statementsOf(starter.trust)[0]!, "aws:SourceArn")).toEqual([GROUP_ARN]);
      } else expect(statementsOf(starter.trust)[0]!.Principal).toEqual({ Service: "events.amazonaws.com" });
      // The role that starts runs may start this project's runs, nothing else.
      expect(Object.values(starter.inline).flatMap(statementsOf)).toEqual([{ Effect: "Allow", Action: ["codebuild:StartBuild"], Resource: [PROJECT_ARN] }]);
      expect(starter.attached).toEqual([]);

      // The service role: its own logs, its own parameter and secrets, its own repository and image; then the
      // job's policy file and the team's managed policy, attached as given.
      const base = statementsOf(build.inline["support-job-base"]!);
      const bySid = Object.fromEntries(base.map((st) => [st.Sid ?? "", { Action: list(st.Action), Resource: list(st.Resource) }]));
      expect(bySid).toEqual({
        WriteOwnBuildLogs: {
          Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: [
            `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/codebuild/${JOB}`,
            `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/codebuild/${JOB}:*`,
          ],
        },
        ReadOwnParameters: { Action: ["ssm:GetParameters"], Resource: [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/cleanup/db-password`] },
        ReadOwnSecrets: {
          Action: ["secretsmanager:GetSecretValue"],
          Resource: [
            `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:cleanup/api-token-??????`,
            `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:cleanup/report-key-AbCdEf`,
          ],
        },
        CloneOwnRepository: { Action: ["codecommit:GitPull"], Resource: [`arn:aws:codecommit:${REGION}:${ACCOUNT}:ops-scripts`] },
        EcrLogin: { Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
        PullOwnImage: {
          Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
          Resource: [`arn:aws:ecr:${REGION}:${ACCOUNT}:repository/support/cleanup`],
        },
        WriteOwnTestReports: {
          Action: [
            "codebuild:CreateReportGroup",
            "codebuild:CreateReport",
            "codebuild:UpdateReport",
            "codebuild:BatchPutTestCases",
            "codebuild:BatchPutCodeCoverages",
          ],
          Resource: [`arn:aws:codebuild:${REGION}:${ACCOUNT}:report-group/${JOB}-*`],
        },
      });
      expect(Object.keys(build.inline)).toEqual(["support-job-base"]);
      expect(build.attached).toEqual([`arn:aws:iam::${ACCOUNT}:policy/support-job-${JOB}-use1-permissions`, TEAM_POLICY_ARN].sort());
      expect(snapshot.policies[`support-job-${JOB}-use1-permissions`]?.document).toEqual(JOB_POLICY_DOCUMENT);

      // The chat role: trusted by EventBridge from this account; may invoke the job's API destinations, nothing else.
      const chat = snapshot.roles[`support-job-${JOB}-use1-chat`]!;
      expect(statementsOf(chat.trust)[0]!.Principal).toEqual({ Service: "events.amazonaws.com" });
      expect(Object.values(chat.inline).flatMap(statementsOf)).toEqual([
        {
          Effect: "Allow",
          Action: ["events:InvokeApiDestination"],
          Resource: [expect.stringMatching(new RegExp(`^arn:aws:events:${REGION}:${ACCOUNT}:api-destination/support-job-${JOB}-slack-[0-9a-f]{8}/\\*$`))],
        },
      ]);
      expect(chat.attached).toEqual([]);

      // The topic lets EventBridge publish to it, and nothing else (no Condition: unsupported for EventBridge).
      expect(statementsOf(snapshot.topics[`support-job-${JOB}-alerts`]!.policy)).toEqual([
        { Sid: "AllowEventBridgeToPublishAlerts", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish", Resource: TOPIC_ARN },
      ]);
    },
    60_000,
  );

  it("checked them all", () => {
    expect(counted).toBeGreaterThanOrEqual(10);
    results.note(
      "No wildcard action, no NotAction/NotResource, and `*` as a resource only for ecr:GetAuthorizationToken (AWS has no resource-level permission for it), in every trust, inline, managed and topic policy read back after a full init (Parameter Store and Secrets Manager references, CodeCommit, an ECR image, a policy file, a managed policy ARN), UTC and time-zone schedules.",
    );
    results.note(
      "Every role trusts one service with aws:SourceAccount; the CodeBuild role's aws:SourceArn is the project ARN, the Scheduler role's the schedule group ARN.",
    );
  });
});

describe("a policy file that grants everything, or lets the job raise its own privileges", () => {
  const ADMIN = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
  const flags = [
    "--name",
    JOB,
    "--repo",
    "https://github.com/acme/ops-scripts.git",
    "--schedule",
    "rate(1 day)",
    "--email",
    "ops@example.com",
    "--policy-file",
    "admin.json",
  ];
  const DANGEROUS: [string, unknown, RegExp][] = [
    ["* on *", ADMIN, /statement 1 of the policy file allows every action on every resource/],
    [
      "iam:PassRole on *",
      { Version: "2012-10-17", Statement: [{ Sid: "Launch", Effect: "Allow", Action: ["ec2:RunInstances", "iam:PassRole"], Resource: "*" }] },
      /statement 1 \("Launch"\) of the policy file allows iam:PassRole on every role, which lets the job hand any role .* to a service it starts/,
    ],
    [
      "iam:*",
      {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::a/*" },
          { Effect: "Allow", Action: "iam:*", Resource: "arn:aws:iam::123456789012:role/support-job-*" },
        ],
      },
      /statement 2 of the policy file allows iam:\*, which lets the job give itself any permission/,
    ],
    [
      "iam:CreatePolicyVersion",
      { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:CreatePolicyVersion", Resource: "arn:aws:iam::123456789012:policy/*" }] },
      /statement 1 of the policy file allows iam:CreatePolicyVersion, which lets the job grant itself/,
    ],
  ];

  it.each(DANGEROUS)(
    "%s is refused without a terminal and without --yes (exit 2, the statement and why named, nothing called)",
    async (_what, policy, why) => {
      await aws.reset();
      const cwd = workdir();
      writeFileSync(join(cwd, "admin.json"), JSON.stringify(policy));
      const run = await cli(["init", ...flags], { env: awsEnv(aws.endpoint), cwd });
      expect(run.code, describeRun(run)).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`! ${why.source}.*: the job could do anything in this account\\.`));
      expect(lines(run.stderr).at(-1)).toMatch(new RegExp(`--policy-file: ${why.source}.*; narrow it, or pass --yes to accept`));
      expect(aws.proxy.calls).toEqual([]);
      results.add("dangerous policies refused without --yes (exit 2, zero AWS calls)");
    },
    30_000,
  );

  it("is accepted with --yes, after the warning on stderr", async () => {
    await aws.reset();
    const cwd = workdir();
    writeFileSync(join(cwd, "admin.json"), JSON.stringify(ADMIN));
    const run = await cli(["init", "--yes", ...flags], { env: awsEnv(aws.endpoint), cwd });
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stderr).toMatch(/! statement 1 of the policy file allows every action on every resource: the job could do anything in this account\./);
    results.add("grant-everything policy accepted with --yes after a warning");
  }, 30_000);
});

describe("secrets", () => {
  const SECRET_KEY = "wJalrXUtnFEMI-K7MDENG-bPxRfiCY-DISTINCTIVE-SECRET-1f3a9";
  const SESSION_TOKEN = "IQoJb3JpZ2luX2VjEDISTINCTIVESESSIONTOKEN0a7c5e";

  it("no credential appears in --debug output, the plan or support-job.json; secrets stay references", async () => {
    await aws.reset();
    await createTeamPolicy(aws.clients);
    const cwd = workdir();
    const env = { ...awsEnv(aws.endpoint), AWS_SECRET_ACCESS_KEY: SECRET_KEY, AWS_SESSION_TOKEN: SESSION_TOKEN };
    const runs = [
      await cli(["init", "--yes", "--debug", ...FULL], { env, cwd }),
      await cli(["init", "--yes", "--debug", "--dry-run", "--timeout", "90"], { env, cwd }),
      await cli(["init", "--yes", "--debug", "--json", "--timeout", "90"], { env, cwd }),
    ];
    // And an AWS failure with --debug, which prints the cause's stack.
    aws.proxy.addFault({ service: "codebuild", action: "UpdateProject", fault: "accessDenied" });
    runs.push(await cli(["init", "--yes", "--debug", "--timeout", "120"], { env, cwd }));
    aws.proxy.clearFaults();
    expect(
      runs.map((r) => r.code),
      runs.map(describeRun).join("\n"),
    ).toEqual([0, 0, 0, 1]);
    expect(runs[3]!.stderr).toMatch(/^\s{4}at /m);
    // --debug did log the calls (so there was something to leak).
    expect(runs[0]!.stderr).toMatch(/\[debug\] iam\.CreateRole 200 request-id=/);
    const saved = readFileSync(join(cwd, "support-job.json"), "utf8");
    for (const text of [...runs.flatMap((r) => [r.stdout, r.stderr]), saved]) {
      expect(text).not.toContain(SECRET_KEY);
      expect(text).not.toContain(SESSION_TOKEN);
      expect(text).not.toContain(WEBHOOK_SECRET);
    }
    // The config holds references, never values.
    expect(savedJob(cwd)).toMatchObject({
      env: [
        "STAGE=prod",
        "DB_PASSWORD=ssm:/cleanup/db-password",
        "API_TOKEN=secretsmanager:cleanup/api-token:token",
        expect.stringMatching(/^REPORT_KEY=secretsmanager:arn:/),
      ],
    });
    results.add("runs with --debug checked for credential leaks (stdout, stderr, support-job.json)", runs.length);
  }, 60_000);

  it("a plaintext secret in --env is refused (exit 2) with a hint to use ssm:, and never echoed", async () => {
    await aws.reset();
    const cwd = workdir();
    const value = "hunter2-DISTINCTIVE-PLAINTEXT";
    const run = await cli(
      [
        "init",
        "--yes",
        "--name",
        JOB,
        "--repo",
        "https://github.com/acme/ops-scripts.git",
        "--schedule",
        "rate(1 day)",
        "--email",
        "ops@example.com",
        "--env",
        `DB_PASSWORD=${value}`,
      ],
      { env: awsEnv(aws.endpoint), cwd },
    );
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(/--env: DB_PASSWORD looks like a secret; .*\(example: DB_PASSWORD=ssm:\/cleanup\/db-password\)$/),
    ]);
    expect(run.stderr + run.stdout).not.toContain(value);
    expect(aws.proxy.calls).toEqual([]);
    results.add("plaintext secrets refused with a hint to use ssm:");
  }, 30_000);
});
