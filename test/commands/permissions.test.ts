/** `support-job permissions try|done` against moto through the test proxy: the role, the child's credentials, clean-up. */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListPolicyVersionsCommand,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useLocalAws } from "../helpers/local-aws.js";
import { ACCOUNT, json, setUpJob, tempDir, type StatusDoc, type TestJob } from "../helpers/job.js";
import { JOB } from "../helpers/constants.js";

const TRY_ROLE = `support-job-${JOB}-use1-try`;
const JOB_POLICY = `arn:aws:iam::${ACCOUNT}:policy/support-job-${JOB}-use1-permissions`;
const TEAM_POLICY = `arn:aws:iam::${ACCOUNT}:policy/team-reports-read`;

const policy = (bucket: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "ReadReports", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [`arn:aws:s3:::${bucket}`] }],
  });

/** A child that prints what it sees of its environment as one JSON line. */
const SHOW_ENV = [
  "node",
  "-e",
  "console.log(JSON.stringify({k:process.env.AWS_ACCESS_KEY_ID,sk:process.env.AWS_SECRET_ACCESS_KEY,t:process.env.AWS_SESSION_TOKEN,p:process.env.AWS_PROFILE,s:process.env.STAGE,db:process.env.DB_PASSWORD,r:process.env.AWS_REGION,e:process.env.AWS_ENDPOINT_URL}))",
];
interface SeenEnv {
  k?: string;
  sk?: string;
  t?: string;
  p?: string;
  s?: string;
  db?: string;
  r?: string;
  e?: string;
}

const aws = useLocalAws();
let job: TestJob;

beforeAll(async () => {
  await aws.clients.iam.send(new CreatePolicyCommand({ PolicyName: "team-reports-read", PolicyDocument: policy("acme-team-reports") }));
  job = await setUpJob(
    aws,
    JOB,
    ["--env", "STAGE=prod", "--env", "DB_PASSWORD=ssm:/cleanup/db-password", "--policy-file", "policy.json", "--policy-arn", TEAM_POLICY],
    {
      "policy.json": policy("acme-reports"),
    },
  );
});
beforeEach(() => {
  aws.proxy.resetCalls();
});

async function tryRole() {
  const [role, attached] = await Promise.all([
    aws.clients.iam.send(new GetRoleCommand({ RoleName: TRY_ROLE })),
    aws.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: TRY_ROLE })),
  ]);
  return { role: role.Role, attached: (attached.AttachedPolicies ?? []).map((p) => p.PolicyArn).sort() };
}

async function roleExists(): Promise<boolean> {
  return aws.clients.iam.send(new GetRoleCommand({ RoleName: TRY_ROLE })).then(
    () => true,
    (error: unknown) => {
      if (error instanceof Error && error.name === "NoSuchEntityException") return false;
      throw error;
    },
  );
}

describe("support-job permissions try", () => {
  it("creates a role only the caller may assume, with exactly the job's own policies, and runs the command with its temporary credentials", async () => {
    await job.cli(["permissions", "done"]);
    // The caller as the CLI sees it (moto answers arn:aws:sts::…:user/moto; the trust policy uses the iam form).
    const caller = await aws.clients.sts.send(new GetCallerIdentityCommand({}));
    const callerArn = (caller.Arn ?? "").replace(":sts::", ":iam::");

    const run = await job.cli(["permissions", "try", "--", ...SHOW_ENV]);
    expect(run.code, run.stderr).toBe(0);

    const { role, attached } = await tryRole();
    expect(JSON.parse(decodeURIComponent(role?.AssumeRolePolicyDocument ?? ""))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "OnlyTheCallerOfPermissionsTry",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: "sts:AssumeRole",
          Condition: { ArnEquals: { "aws:PrincipalArn": [callerArn] } },
        },
      ],
    });
    expect(callerArn).toMatch(/^arn:aws:iam::123456789012:user\//);
    expect(role).toMatchObject({
      MaxSessionDuration: 3600,
      Tags: [
        { Key: "support-job:job", Value: JOB },
        { Key: "support-job:region", Value: "us-east-1" },
      ],
    });
    expect(role?.Description).toContain("support-job permissions done");
    // The same managed policies as the deployed service role: the job's own policy and its --policy-arn.
    expect(attached).toEqual([JOB_POLICY, TEAM_POLICY].sort());
    expect(aws.proxy.count({ service: "sts", action: "AssumeRole" })).toBe(1);

    const seen = json<SeenEnv>(run.stdout.trim());
    expect(seen.k).toMatch(/^ASIA/);
    expect(seen.k).not.toBe("testing");
    expect(seen.t).toBeTruthy();
    expect(seen).toMatchObject({ s: "prod", r: "us-east-1", e: aws.endpoint });
    expect(seen.p).toBeUndefined();
    expect(seen.db).toBeUndefined();

    expect(run.stderr).toContain(`created the try role ${TRY_ROLE}`);
    expect(run.stderr).toContain("with the job's own permissions: support-job-nightly-cleanup-use1-permissions (from policy.json), team-reports-read");
    expect(run.stderr).toContain("Not resolved locally (CodeBuild resolves them in a run): DB_PASSWORD (Parameter Store /cleanup/db-password)");
    expect(run.stderr).toContain("An AccessDenied below names the missing permission: add it to policy.json and run `support-job init --yes`; then try again.");
  });

  it("drops the caller's profile from the command's environment, and never prints or writes the temporary credentials (not even with --debug)", async () => {
    const home = tempDir("support-job-try-profile-");
    const config = join(home, "config");
    writeFileSync(config, "[profile ops]\nregion = us-east-1\naws_access_key_id = testing\naws_secret_access_key = testing\n");
    const before = readdirSync(job.cwd).sort();
    const run = await job.cli(["--debug", "permissions", "try", "--", ...SHOW_ENV], {
      env: { AWS_PROFILE: "ops", AWS_CONFIG_FILE: config, AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" },
    });
    expect(run.code, run.stderr).toBe(0);
    const seen = json<SeenEnv>(run.stdout.trim());
    expect(seen.p).toBeUndefined();
    expect(seen.k).toMatch(/^ASIA/);
    for (const secret of [seen.k, seen.sk, seen.t]) expect(run.stderr).not.toContain(secret);
    expect(run.stderr).toContain("[debug] sts.AssumeRole 200");
    expect(readdirSync(job.cwd).sort()).toEqual(before);
    expect(readdirSync(home)).toEqual(["config"]);
  });

  it("passes the command's exit code on", async () => {
    const run = await job.cli(["permissions", "try", "--", "node", "-e", "process.exit(3)"]);
    expect(run.code).toBe(3);
  });

  it("a second try makes no IAM write", async () => {
    const run = await job.cli(["permissions", "try", "--", "node", "-e", ""]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`the try role ${TRY_ROLE} is up to date`);
    expect(aws.proxy.writes().filter((c) => c.service === "iam")).toEqual([]);
  });

  it("waits, and says so, while a fresh role is not assumable yet (IAM propagation)", async () => {
    await job.cli(["permissions", "done"]);
    aws.proxy.addFault({ service: "sts", action: "AssumeRole", times: 3, fault: "accessDenied" });
    aws.proxy.resetCalls();
    const run = await job.cli(["permissions", "try", "--", "node", "-e", ""]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`waiting for IAM to let you assume ${TRY_ROLE} (a new role takes a few seconds; up to 60s)`);
    expect(run.stderr).toContain(`IAM lets you assume ${TRY_ROLE} now`);
    expect(aws.proxy.count({ service: "sts", action: "AssumeRole" })).toBe(4);
    aws.proxy.clearFaults();
  });

  it("an unknown command is refused before anything is created", async () => {
    const run = await job.cli(["permissions", "try", "--", "no-such-command-here", "--flag"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no-such-command-here was not found on PATH");
    expect(aws.proxy.calls).toEqual([]);
  });

  it("without --, the command's options are not taken as support-job's: a usage error that says to use --", async () => {
    const run = await job.cli(["permissions", "try", "node", "-e", "1"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("put the command after --");
  });

  it("after the policy file changes, init updates the managed policy and try uses it at once; versions roll over at five", async () => {
    const latest = (n: number) => policy(`acme-reports-${n}`);
    for (let n = 1; n <= 6; n++) {
      writeFileSync(join(job.cwd, "policy.json"), latest(n));
      const init = await job.cli(["init", "--yes"]);
      expect(init.code, init.stderr).toBe(0);
    }
    const versions = await aws.clients.iam.send(new ListPolicyVersionsCommand({ PolicyArn: JOB_POLICY }));
    expect(versions.Versions?.length).toBeLessThanOrEqual(5);
    const got = await aws.clients.iam.send(new GetPolicyCommand({ PolicyArn: JOB_POLICY }));
    const current = await aws.clients.iam.send(new GetPolicyVersionCommand({ PolicyArn: JOB_POLICY, VersionId: got.Policy?.DefaultVersionId }));
    expect(JSON.parse(decodeURIComponent(current.PolicyVersion?.Document ?? ""))).toEqual(JSON.parse(latest(6)));

    // The try role holds the policy by ARN: the new default version applies with no change to the role.
    aws.proxy.resetCalls();
    const run = await job.cli(["permissions", "try", "--", "node", "-e", ""]);
    expect(run.code, run.stderr).toBe(0);
    expect(aws.proxy.writes().filter((c) => c.service === "iam")).toEqual([]);
    expect((await tryRole()).attached).toContain(JOB_POLICY);
  });

  it("a job with no permissions of its own: warns that the command runs with no AWS permissions at all, and runs it", async () => {
    const bare = await setUpJob(aws, "bare-job");
    const run = await bare.cli(["permissions", "try", "--", "node", "-e", "process.exit(0)"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      "Job bare-job has no permissions of its own (no policy file, no policy ARNs): the command runs with no AWS permissions at all",
    );
    const attached = await aws.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "support-job-bare-job-use1-try" }));
    expect(attached.AttachedPolicies).toEqual([]);
    expect((await bare.cli(["destroy", "--yes"])).code).toBe(0);
  });
});

describe("support-job permissions done, and status", () => {
  it("status shows the try role while it exists; done removes it; a second done is a no-op that says so", async () => {
    expect((await job.cli(["permissions", "try", "--", "node", "-e", ""])).code).toBe(0);
    const shown = await job.cli(["status"]);
    expect(shown.stdout).toContain(`Permissions try role ${TRY_ROLE} exists; remove it with \`support-job permissions done\``);
    const doc = json<StatusDoc & { resources: Record<string, unknown> }>((await job.cli(["status", "--json"])).stdout);
    expect(doc.resources.tryRole).toEqual({ name: TRY_ROLE, arn: `arn:aws:iam::${ACCOUNT}:role/${TRY_ROLE}` });

    const done = await job.cli(["permissions", "done"]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain(`Removed the try role ${TRY_ROLE}.`);
    expect(await roleExists()).toBe(false);
    // The job's own policy is the job's: still there, still attached to the service role.
    expect((await aws.clients.iam.send(new GetPolicyCommand({ PolicyArn: JOB_POLICY }))).Policy?.AttachmentCount).toBe(1);

    aws.proxy.resetCalls();
    const again = await job.cli(["permissions", "done"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Nothing to remove: job ${JOB} has no try role (${TRY_ROLE} does not exist).`);
    expect(aws.proxy.writes()).toEqual([]);
    const after = await job.cli(["status"]);
    expect(after.stdout).not.toContain("try role");
    expect(json<{ resources: Record<string, unknown> }>((await job.cli(["status", "--json"])).stdout).resources).not.toHaveProperty("tryRole");
  });

  it("done leaves alone a role with that name that is not tagged for the job, and exits 1", async () => {
    const other = await setUpJob(aws, "someone-else");
    await aws.clients.iam.send(
      new CreateRoleCommand({
        RoleName: "support-job-someone-else-use1-try",
        AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [] }),
      }),
    );
    const done = await other.cli(["permissions", "done"]);
    expect(done.code).toBe(1);
    expect(done.stderr).toContain("IAM role support-job-someone-else-use1-try exists but has no support-job:job=someone-else tag");
    await aws.clients.iam.send(new GetRoleCommand({ RoleName: "support-job-someone-else-use1-try" }));
    // try refuses to take it over, too.
    const tried = await other.cli(["permissions", "try", "--", "node", "-e", ""]);
    expect(tried.code).toBe(1);
    expect(tried.stderr).toContain("so support-job leaves it alone");
  });

  it("destroy removes the try role with the rest of the job", async () => {
    expect((await job.cli(["permissions", "try", "--", "node", "-e", ""])).code).toBe(0);
    const destroyed = await job.cli(["destroy", "--yes"]);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(await roleExists()).toBe(false);
  });
});
