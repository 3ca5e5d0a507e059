/** The pure parts of test-alert and permissions try: the alert-chain check, the caller's principal, the try role's plan, the child's env. */
import type { Subscription } from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import { checkAlertChain, eventBridgeMayPublish, testAlertBuildspec, type AlertChainState } from "../../../src/commands/test-alert.js";
import { expectationText } from "../../../src/ui/alerts.js";
import { childEnvironment, CREDENTIAL_VARIABLES, shellWord } from "../../../src/commands/permissions.js";
import { isTestAlertRun, summariseRun } from "../../../src/runs/history.js";
import { callerPrincipal, planTryRole, tryRoleSpec, type TryRoleState } from "../../../src/resources/try-role.js";
import { alertEventPattern, buildJobSpec } from "../../../src/desired/job.js";
import { jobNames } from "../../../src/desired/names.js";
import { renderOutcomeSummary, successRate } from "../../../src/ui/runs.js";
import { ACCOUNT, JOB } from "../../helpers/constants.js";

const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:support-job-${JOB}-alerts`;
const where = { account: ACCOUNT, region: "us-east-1", partition: "aws" };

/** The topic policy init writes (buildJobSpec), so the check is tested against the real thing. */
const topicPolicy = buildJobSpec(
  {
    name: JOB,
    repository: "https://github.com/acme/ops.git",
    sourceType: "GITHUB",
    branch: undefined,
    buildspec: "buildspec.yml",
    schedule: "cron(0 3 * * ? *)",
    timezone: "UTC",
    computeType: "BUILD_GENERAL1_SMALL",
    arch: "x86_64",
    image: "aws/codebuild/standard:7.0",
    timeoutMinutes: 60,
    email: "ops@example.com",
    alertOn: ["FAILED"],
    env: [],
    policyArns: [],
    policyFile: undefined,
    policyDocument: undefined,
    logRetentionDays: 90,
    queuedTimeoutMinutes: 480,
    gpu: false,
    cache: undefined,
    vpc: undefined,
  },
  where,
).alertTopic.policy;

// ListSubscriptionsByTopic's shapes: a confirmed subscription has an ARN; a pending one says "PendingConfirmation".
const confirmed = (email: string): Subscription => ({
  SubscriptionArn: `${TOPIC}:0b6e9c1e-2f1d-4c1a-9a51-3c7f4a3d2e10`,
  Owner: ACCOUNT,
  Protocol: "email",
  Endpoint: email,
  TopicArn: TOPIC,
});
const pending = (email: string): Subscription => ({
  SubscriptionArn: "PendingConfirmation",
  Owner: ACCOUNT,
  Protocol: "email",
  Endpoint: email,
  TopicArn: TOPIC,
});

function chain(overrides: Partial<AlertChainState> = {}): AlertChainState {
  return {
    job: JOB,
    region: "us-east-1",
    ruleName: `support-job-${JOB}-alerts`,
    topicArn: TOPIC,
    rule: { state: "ENABLED", eventPattern: JSON.stringify(alertEventPattern(JOB, ["FAILED", "STOPPED", "TIMED_OUT", "FAULT"])) },
    targetArns: [TOPIC],
    topic: { policy: topicPolicy },
    subscriptions: [confirmed("ops@example.com")],
    configEmail: "ops@example.com",
    ...overrides,
  };
}

describe("test-alert: checking the alert chain", () => {
  it("a complete chain has no problem and names the confirmed address", () => {
    const check = checkAlertChain(chain());
    expect(check).toMatchObject({ problems: [], warnings: [], recipients: ["ops@example.com"], pending: [] });
    expect(expectationText(check)).toMatch(/^Expect the alert email at ops@example\.com within a minute or two/);
  });

  it("a pending subscription says the email cannot arrive, how to confirm it and how to get a new link", () => {
    const check = checkAlertChain(chain({ subscriptions: [pending("ops@example.com")] }));
    expect(check.problems).toEqual([]);
    expect(check.recipients).toEqual([]);
    expect(check.warnings).toHaveLength(1);
    expect(check.warnings[0]).toContain("ops@example.com has not confirmed the alert subscription: the alert email cannot arrive until the link");
    expect(check.warnings[0]).toContain('"AWS Notification - Subscription Confirmation"');
    expect(check.warnings[0]).toContain(
      `to get a new one: aws sns subscribe --topic-arn ${TOPIC} --protocol email --notification-endpoint ops@example.com --region us-east-1`,
    );
    expect(expectationText(check)).toBe(
      "No alert email can arrive: ops@example.com has not confirmed the subscription (see above). Confirm it, then run `support-job test-alert` again.",
    );
  });

  it("with one address confirmed and another pending, the alert goes to the confirmed one and the other is named", () => {
    const check = checkAlertChain(chain({ subscriptions: [confirmed("old-ops@example.com"), pending("ops@example.com")] }));
    expect(check.recipients).toEqual(["old-ops@example.com"]);
    expect(expectationText(check)).toContain("ops@example.com will not get it (not confirmed).");
  });

  it("a rule that does not alert on FAILED: no alert for this test, why, and the --alert-on that fixes it", () => {
    const check = checkAlertChain(chain({ rule: { state: "ENABLED", eventPattern: JSON.stringify(alertEventPattern(JOB, ["TIMED_OUT", "STOPPED"])) } }));
    expect(check.problems).toEqual([
      "no alert will be sent for this test: the alert rule emails only when a run ends TIMED_OUT or STOPPED, and a test run ends FAILED. To test alerts, include it: `support-job init --yes --alert-on FAILED,TIMED_OUT,STOPPED`.",
    ]);
  });

  it("a missing rule, topic or subscription is a problem that `support-job init --yes` fixes", () => {
    expect(checkAlertChain(chain({ rule: undefined, targetArns: undefined })).problems).toEqual([
      `the alert rule support-job-${JOB}-alerts is missing: \`support-job init --yes\` recreates it.`,
    ]);
    expect(checkAlertChain(chain({ topic: undefined, subscriptions: undefined })).problems).toEqual([
      `the alert topic ${TOPIC} is missing: \`support-job init --yes\` recreates it.`,
    ]);
    expect(checkAlertChain(chain({ subscriptions: [] })).problems).toEqual([
      "no one is subscribed to the alert topic: `support-job init --yes` subscribes ops@example.com again.",
    ]);
    expect(checkAlertChain(chain({ targetArns: [] })).problems).toEqual([
      `the alert rule support-job-${JOB}-alerts does not send to the alert topic: \`support-job init --yes\` recreates it.`,
    ]);
  });

  it("a disabled rule, and a topic policy that does not let EventBridge publish, are problems too", () => {
    const check = checkAlertChain(
      chain({
        rule: { state: "DISABLED", eventPattern: JSON.stringify(alertEventPattern(JOB, ["FAILED"])) },
        topic: { policy: { Version: "2012-10-17", Statement: [] } },
      }),
    );
    expect(check.problems).toEqual([
      `the alert rule support-job-${JOB}-alerts is disabled, so no alert is sent; turn it on with \`aws events enable-rule --name support-job-${JOB}-alerts --region us-east-1\`.`,
      "the alert topic's access policy does not let EventBridge publish to it, so alerts are dropped: `support-job init --yes` fixes it.",
    ]);
    expect(eventBridgeMayPublish(topicPolicy)).toBe(true);
  });

  it("the test buildspec echoes why the run fails, then exits 1", () => {
    expect(testAlertBuildspec(JOB)).toBe(
      [
        "version: 0.2",
        "phases:",
        "  build:",
        "    commands:",
        `      - 'echo "support-job test-alert: this run of job ${JOB} fails on purpose to test its alerts; nothing of the job ran."'`,
        "      - 'exit 1'",
        "",
      ].join("\n"),
    );
  });
});

describe("runs started by test-alert", () => {
  const names = jobNames(JOB, "us-east-1");
  const build = (vars: { name: string; value: string; type: "PLAINTEXT" }[]) => ({
    id: `${JOB}:0b6e9c1e-2f1d-4c1a-9a51-3c7f4a3d2e10`,
    buildStatus: "FAILED" as const,
    initiator: "alice",
    environment: {
      type: "LINUX_CONTAINER" as const,
      image: "aws/codebuild/standard:7.0",
      computeType: "BUILD_GENERAL1_SMALL" as const,
      environmentVariables: vars,
    },
  });

  it("are labelled test-alert from their SUPPORT_JOB_TEST_ALERT variable, and not counted in the success rate", () => {
    const test = summariseRun(
      build([
        { name: "STAGE", value: "prod", type: "PLAINTEXT" },
        { name: "SUPPORT_JOB_TEST_ALERT", value: "1", type: "PLAINTEXT" },
      ]),
      { names, region: "us-east-1", now: new Date() },
    );
    const manual = summariseRun(build([{ name: "STAGE", value: "prod", type: "PLAINTEXT" }]), { names, region: "us-east-1", now: new Date() });
    expect(test.trigger).toBe("test-alert");
    expect(manual.trigger).toBe("manual");
    expect(isTestAlertRun({ environment: undefined })).toBe(false);
    expect(successRate([test, { ...manual, status: "SUCCEEDED" }])).toEqual({ succeeded: 1, finished: 1, percent: 100 });
    expect(renderOutcomeSummary([test, { ...manual, status: "SUCCEEDED" }])).toBe("✘✔  1 of 1 finished run succeeded (100%) · 1 alert test not counted");
  });
});

describe("permissions try: who may assume the role", () => {
  it("an IAM user: its own ARN, exactly (moto's sts-flavoured user ARN becomes the iam one)", () => {
    expect(callerPrincipal(`arn:aws:iam::${ACCOUNT}:user/ops/alice`)).toEqual({
      kind: "user",
      display: `arn:aws:iam::${ACCOUNT}:user/ops/alice`,
      operator: "ArnEquals",
      principalArns: [`arn:aws:iam::${ACCOUNT}:user/ops/alice`],
    });
    expect(callerPrincipal(`arn:aws:sts::${ACCOUNT}:user/moto`).principalArns).toEqual([`arn:aws:iam::${ACCOUNT}:user/moto`]);
  });

  it("an assumed-role session (SSO): the role, with or without a path", () => {
    expect(callerPrincipal(`arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice@example.com`)).toEqual({
      kind: "role",
      display: `arn:aws:iam::${ACCOUNT}:role/AWSReservedSSO_AdministratorAccess_0123456789abcdef`,
      operator: "ArnLike",
      principalArns: [
        `arn:aws:iam::${ACCOUNT}:role/AWSReservedSSO_AdministratorAccess_0123456789abcdef`,
        `arn:aws:iam::${ACCOUNT}:role/*/AWSReservedSSO_AdministratorAccess_0123456789abcdef`,
      ],
    });
  });

  it("the root user and federation-token sessions cannot assume roles: said plainly", () => {
    expect(() => callerPrincipal(`arn:aws:iam::${ACCOUNT}:root`)).toThrow(/root user, which cannot assume roles/);
    expect(() => callerPrincipal(`arn:aws:sts::${ACCOUNT}:federated-user/bob`)).toThrow(/cannot call sts:AssumeRole/);
  });

  it("the trust policy names the account, narrowed to the caller by aws:PrincipalArn", () => {
    const spec = tryRoleSpec(JOB, where, callerPrincipal(`arn:aws:sts::${ACCOUNT}:assumed-role/Dev/alice`), [
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
      `arn:aws:iam::${ACCOUNT}:policy/support-job-${JOB}-use1-permissions`,
    ]);
    expect(spec).toMatchObject({
      name: `support-job-${JOB}-use1-try`,
      arn: `arn:aws:iam::${ACCOUNT}:role/support-job-${JOB}-use1-try`,
      maxSessionDuration: 3600,
      tags: [
        { Key: "support-job:job", Value: JOB },
        { Key: "support-job:region", Value: "us-east-1" },
      ],
    });
    expect(spec.trustPolicy.Statement).toEqual([
      {
        Sid: "OnlyTheCallerOfPermissionsTry",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: "sts:AssumeRole",
        Condition: { ArnLike: { "aws:PrincipalArn": [`arn:aws:iam::${ACCOUNT}:role/Dev`, `arn:aws:iam::${ACCOUNT}:role/*/Dev`] } },
      },
    ]);
  });
});

describe("permissions try: the plan for the role", () => {
  const spec = tryRoleSpec(JOB, where, callerPrincipal(`arn:aws:iam::${ACCOUNT}:user/alice`), [
    `arn:aws:iam::${ACCOUNT}:policy/support-job-${JOB}-use1-permissions`,
  ]);
  const state = (overrides: Partial<TryRoleState> = {}): TryRoleState => ({
    role: {
      Path: "/",
      RoleName: spec.name,
      RoleId: "AROA3X42LBCDJGEIFMYW9",
      Arn: spec.arn,
      CreateDate: new Date(),
      // IAM returns the document URL-encoded.
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(spec.trustPolicy)),
      Description: spec.description,
      MaxSessionDuration: 3600,
      Tags: [{ Key: "support-job:job", Value: JOB }],
    },
    owner: JOB,
    attached: [...spec.policyArns],
    inlinePolicyNames: [],
    ...overrides,
  });

  it("creates a missing role, leaves a matching one alone", () => {
    expect(planTryRole(spec, undefined).action).toBe("create");
    expect(planTryRole(spec, state())).toEqual({ action: "unchanged", changes: [] });
  });

  it("updates only what differs: another caller's trust policy, a policy no longer the job's", () => {
    const other = tryRoleSpec(JOB, where, callerPrincipal(`arn:aws:iam::${ACCOUNT}:user/bob`), spec.policyArns);
    const plan = planTryRole(
      spec,
      state({
        role: { ...state().role, AssumeRolePolicyDocument: JSON.stringify(other.trustPolicy) },
        attached: [...spec.policyArns, "arn:aws:iam::aws:policy/AdministratorAccess"],
      }),
    );
    expect(plan).toMatchObject({
      action: "update",
      trust: true,
      settings: false,
      attach: [],
      detach: ["arn:aws:iam::aws:policy/AdministratorAccess"],
      deleteInline: [],
    });
  });

  it("gives the try role the job's permissions boundary, and repairs one that lacks or has another", () => {
    const boundary = `arn:aws:iam::${ACCOUNT}:policy/support-job-boundary`;
    const bounded = tryRoleSpec(JOB, where, callerPrincipal(`arn:aws:iam::${ACCOUNT}:user/alice`), spec.policyArns, boundary);
    expect(planTryRole(bounded, state())).toMatchObject({ action: "update", boundary: true, changes: [`permissions boundary ${boundary}`] });
    const withIt = state({
      role: { ...state().role, PermissionsBoundary: { PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: boundary } },
    });
    expect(planTryRole(bounded, withIt)).toEqual({ action: "unchanged", changes: [] });
    expect(planTryRole(spec, withIt)).toMatchObject({ action: "update", boundary: true });
  });

  it("never touches a role with the name that is not tagged for the job", () => {
    expect(planTryRole(spec, state({ owner: undefined }))).toEqual({ action: "conflict", owner: undefined, changes: [] });
  });
});

describe("permissions try: the command's environment", () => {
  const base = {
    PATH: "/usr/bin",
    HOME: "/home/alice",
    AWS_PROFILE: "admin",
    AWS_DEFAULT_PROFILE: "admin",
    AWS_ACCESS_KEY_ID: "AKIAADMIN",
    AWS_SECRET_ACCESS_KEY: "admin-secret",
    AWS_SESSION_TOKEN: "admin-token",
    AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/token",
    AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/ci",
    AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
    AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
    AWS_REGION: "eu-west-1",
    DB_PASSWORD: "from-the-shell",
  };
  const credentials = { accessKeyId: "ASIATRY", secretAccessKey: "try-secret", sessionToken: "try-token", expiration: new Date("2026-11-26T04:00:00Z") };

  it("has the temporary credentials and the job's region, none of the caller's credential sources, and keeps the endpoint", () => {
    const { env } = childEnvironment({ base, credentials, region: "us-east-1", jobVariables: [] });
    expect(env).toMatchObject({
      AWS_ACCESS_KEY_ID: "ASIATRY",
      AWS_SECRET_ACCESS_KEY: "try-secret",
      AWS_SESSION_TOKEN: "try-token",
      AWS_CREDENTIAL_EXPIRATION: "2026-11-26T04:00:00.000Z",
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
      PATH: "/usr/bin",
      HOME: "/home/alice",
    });
    for (const name of ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_FULL_URI"])
      expect(env).not.toHaveProperty(name);
    expect(CREDENTIAL_VARIABLES).toContain("AWS_SECURITY_TOKEN");
  });

  it("sets the job's plain variables, names the Parameter Store / Secrets Manager ones it cannot resolve, and never lets one replace a credential", () => {
    const child = childEnvironment({
      base,
      credentials,
      region: "us-east-1",
      jobVariables: [
        { name: "STAGE", value: "prod", type: "PLAINTEXT" },
        { name: "DB_PASSWORD", value: "/cleanup/db-password", type: "PARAMETER_STORE" },
        { name: "API_TOKEN", value: "cleanup/api:token", type: "SECRETS_MANAGER" },
        { name: "AWS_PROFILE", value: "prod", type: "PLAINTEXT" },
      ],
    });
    expect(child.env.STAGE).toBe("prod");
    expect(child.plain).toEqual(["STAGE"]);
    expect(child.unresolved).toEqual([
      { name: "DB_PASSWORD", type: "PARAMETER_STORE", value: "/cleanup/db-password", fromShell: true },
      { name: "API_TOKEN", type: "SECRETS_MANAGER", value: "cleanup/api:token", fromShell: false },
    ]);
    expect(child.skipped).toEqual(["AWS_PROFILE"]);
    expect(child.env).not.toHaveProperty("AWS_PROFILE");
  });

  it("shows the command as a shell would need it", () => {
    expect(["node", "-e", "console.log(process.env.X)", "it's"].map(shellWord).join(" ")).toBe(`node -e 'console.log(process.env.X)' 'it'\\''s'`);
  });
});
