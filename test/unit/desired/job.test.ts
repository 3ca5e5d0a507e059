import { describe, expect, it } from "vitest";
import { buildJobSpec } from "../../../src/desired/job.js";
import { secretArn } from "../../../src/settings/policy.js";
import { jobNames } from "../../../src/desired/names.js";
import { settings, WHERE } from "./fixtures.js";

describe("the desired state of a job", () => {
  const spec = buildJobSpec(settings(), WHERE);

  it("derives every name from the job name and keeps each within 64 characters (alarms: 255)", () => {
    const names = jobNames("a".repeat(40), "ap-southeast-5");
    // CloudWatch alarm names may be 255 characters (botocore's model); every other name here, 64.
    for (const [kind, name] of Object.entries(names)) if (kind !== "logGroup") expect(name.length, kind).toBeLessThanOrEqual(kind.endsWith("Alarm") ? 255 : 64);
    expect(spec.names.project).toBe("nightly-cleanup");
    expect(spec.arns.project).toBe("arn:aws:codebuild:us-east-1:123456789012:project/nightly-cleanup");
  });

  it("puts the permissions boundary on every role, UTC or time-zone schedule, and none when not asked", () => {
    const boundary = "arn:aws:iam::123456789012:policy/support-job-boundary";
    for (const timezone of ["UTC", "Europe/Paris"]) {
      const bounded = buildJobSpec(settings({ permissionsBoundary: boundary, timezone }), WHERE);
      const roles = [bounded.serviceRole, bounded.scheduleRole, bounded.schedulerRole].filter((r) => r !== undefined);
      expect(roles.length).toBe(2);
      for (const role of roles) expect(role.permissionsBoundary, role.name).toBe(boundary);
    }
    expect(spec.serviceRole.permissionsBoundary).toBeUndefined();
  });

  it("lets only CodeBuild, for this project in this account, assume the service role", () => {
    expect(spec.serviceRole.trustPolicy.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "codebuild.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": "123456789012" },
          ArnLike: { "aws:SourceArn": "arn:aws:codebuild:us-east-1:123456789012:project/nightly-cleanup" },
        },
      },
    ]);
  });

  it("allows the service role to write only its own log group and its own report groups", () => {
    expect(spec.serviceRole.inlinePolicy.Statement).toEqual([
      {
        Sid: "WriteOwnBuildLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [
          "arn:aws:logs:us-east-1:123456789012:log-group:/aws/codebuild/nightly-cleanup",
          "arn:aws:logs:us-east-1:123456789012:log-group:/aws/codebuild/nightly-cleanup:*",
        ],
      },
      {
        Sid: "WriteOwnTestReports",
        Effect: "Allow",
        Action: [
          "codebuild:CreateReportGroup",
          "codebuild:CreateReport",
          "codebuild:UpdateReport",
          "codebuild:BatchPutTestCases",
          "codebuild:BatchPutCodeCoverages",
        ],
        Resource: ["arn:aws:codebuild:us-east-1:123456789012:report-group/nightly-cleanup-*"],
      },
    ]);
  });

  it("lets the schedule role start this one project and nothing else", () => {
    expect(spec.scheduleRole!.trustPolicy.Statement[0]).toMatchObject({
      Principal: { Service: "events.amazonaws.com" },
      Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
    });
    expect(spec.scheduleRole!.inlinePolicy.Statement).toEqual([{ Effect: "Allow", Action: ["codebuild:StartBuild"], Resource: [spec.arns.project] }]);
  });

  it("lets EventBridge publish to the topic through the topic policy, without a condition", () => {
    expect(spec.alertTopic.policy.Statement).toEqual([
      {
        Sid: "AllowEventBridgeToPublishAlerts",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sns:Publish",
        Resource: spec.arns.alertTopic,
      },
    ]);
  });

  it("matches this project's failed, stopped, timed-out and faulted runs", () => {
    expect(spec.alertRule.eventPattern).toEqual({
      source: ["aws.codebuild"],
      "detail-type": ["CodeBuild Build State Change"],
      detail: { "build-status": ["FAILED", "STOPPED", "TIMED_OUT", "FAULT"], "project-name": ["nightly-cleanup"] },
    });
  });

  it("writes a readable alert: a failed run's event renders to job, status, time, phase, log link and the command to look further", () => {
    const event = {
      time: "2026-11-26T03:04:05Z",
      detail: {
        "build-status": "FAILED",
        "project-name": "nightly-cleanup",
        "build-id": "arn:aws:codebuild:eu-west-1:123456789012:build/nightly-cleanup:6f1c",
        "current-phase": "BUILD",
        "current-phase-context": '[ClientError: "./cleanup.sh" exit status 3]',
        "additional-information": {
          logs: { "deep-link": "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logEvent:group=/aws/codebuild/nightly-cleanup;stream=6f1c" },
        },
      },
    };
    const rendered = renderInputTransformer(spec.alertRule, event);
    // Each line is a JSON string, as EventBridge requires of a template that is not an object: the email shows them.
    const text = rendered.split("\n").map((line) => JSON.parse(line) as string);
    expect(text).toEqual([
      "Support job nightly-cleanup: the run ended FAILED at 2026-11-26T03:04:05Z (UTC).",
      'Phase: BUILD [ClientError: "./cleanup.sh" exit status 3]',
      "Logs: https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logEvent:group=/aws/codebuild/nightly-cleanup;stream=6f1c",
      "Run: arn:aws:codebuild:eu-west-1:123456789012:build/nightly-cleanup:6f1c",
      "See every run with: support-job status --name nightly-cleanup",
    ]);
    expect(rendered).not.toMatch(/<\w+>/);
  });

  it("uses a current image, no artifacts, clone depth 1 and the chosen timeout", () => {
    expect(spec.project.environment).toMatchObject({ type: "LINUX_CONTAINER", computeType: "BUILD_GENERAL1_SMALL", image: "aws/codebuild/standard:7.0" });
    expect(spec.project.source).toMatchObject({ type: "GITHUB", gitCloneDepth: 1, buildspec: "buildspec.yml" });
    expect(spec.project.timeoutInMinutes).toBe(60);
  });

  it("runs on Graviton with an ARM container and an aarch64 image", () => {
    const arm = buildJobSpec(settings({ arch: "arm64", computeType: "BUILD_GENERAL1_LARGE" }), WHERE);
    expect(arm.project.environment).toMatchObject({
      type: "ARM_CONTAINER",
      computeType: "BUILD_GENERAL1_LARGE",
      image: "aws/codebuild/amazonlinux-aarch64-standard:3.0",
    });
  });

  it("grants read access to exactly the referenced parameters and secrets", () => {
    const s = buildJobSpec(settings({ env: ["DB_PASSWORD=ssm:/cleanup/db-password", "API_TOKEN=secretsmanager:cleanup/api:token", "STAGE=prod"] }), WHERE);
    expect(s.serviceRole.inlinePolicy.Statement).toContainEqual({
      Sid: "ReadOwnParameters",
      Effect: "Allow",
      Action: ["ssm:GetParameters"],
      Resource: ["arn:aws:ssm:us-east-1:123456789012:parameter/cleanup/db-password"],
    });
    expect(s.serviceRole.inlinePolicy.Statement).toContainEqual({
      Sid: "ReadOwnSecrets",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue"],
      Resource: ["arn:aws:secretsmanager:us-east-1:123456789012:secret:cleanup/api-??????"],
    });
    expect(s.project.environment.environmentVariables).toEqual([
      { name: "DB_PASSWORD", value: "/cleanup/db-password", type: "PARAMETER_STORE" },
      { name: "API_TOKEN", value: "cleanup/api:token", type: "SECRETS_MANAGER" },
      { name: "STAGE", value: "prod", type: "PLAINTEXT" },
    ]);
  });

  it("keeps a full secret ARN as it is, minus the json key", () => {
    expect(secretArn("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password", WHERE)).toBe(
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
    );
  });

  it("lets a CodeCommit job pull only its own repository", () => {
    const s = buildJobSpec(settings({ repository: "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/ops" }), WHERE);
    expect(s.project.source.type).toBe("CODECOMMIT");
    expect(s.serviceRole.inlinePolicy.Statement).toContainEqual({
      Sid: "CloneOwnRepository",
      Effect: "Allow",
      Action: ["codecommit:GitPull"],
      Resource: ["arn:aws:codecommit:eu-west-1:123456789012:ops"],
    });
  });

  it("attaches the job's managed policies to the service role", () => {
    const s = buildJobSpec(settings({ policyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"] }), WHERE);
    expect(s.serviceRole.managedPolicyArns).toEqual(["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]);
    expect(s.jobPolicy).toBeUndefined();
  });
});

/**
 * EventBridge's input transformer as documented: each <name> becomes the value at InputPathsMap[name]; inside a
 * quoted string the value is inserted JSON-escaped.
 */
function renderInputTransformer(rule: { inputPathsMap: Record<string, string>; inputTemplate: string }, event: unknown): string {
  return rule.inputTemplate.replace(/<([\w-]+)>/g, (placeholder, key: string) => {
    const path = rule.inputPathsMap[key];
    if (!path) return placeholder;
    let value: unknown = event;
    for (const part of path.replace(/^\$\./, "").split(".")) value = (value as Record<string, unknown> | undefined)?.[part];
    return JSON.stringify(typeof value === "string" ? value : JSON.stringify(value ?? null)).slice(1, -1);
  });
}
