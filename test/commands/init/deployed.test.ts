/** `init --name N` without support-job.json: the wizard's defaults are the deployed job's settings. */
import { CreatePolicyCommand } from "@aws-sdk/client-iam";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { createClients } from "../../../src/aws/clients.js";
import { deployedSettings } from "../../../src/deployed/settings.js";
import { validateSettings } from "../../../src/settings/validate.js";
import { useLocalAws } from "../../helpers/local-aws.js";
import { runCli } from "../../helpers/cli.js";
import { savedJob } from "../../helpers/job.js";

const aws = useLocalAws();

it("reads back every setting of a deployed job, as support-job.json would hold it", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "support-job-deployed-"));
  const team = await aws.clients.iam.send(
    new CreatePolicyCommand({
      PolicyName: "team-reports",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::reports" }] }),
    }),
  );
  const run = await runCli(
    [
      "init",
      "--yes",
      "--name",
      "weekly-export",
      "--repo",
      "https://gitlab.com/acme/ops/scripts.git",
      "--branch",
      "jobs",
      "--buildspec",
      "export/buildspec.yml",
      "--schedule",
      "cron(0 6 ? * MON *)",
      "--timezone",
      "Europe/Madrid",
      "--arch",
      "arm64",
      "--compute-type",
      "BUILD_GENERAL1_MEDIUM",
      "--timeout",
      "240",
      "--email",
      "data@example.com",
      "--alert-on",
      "FAILED,TIMED_OUT",
      "--env",
      "STAGE=prod",
      "--env",
      "DB_PASSWORD=ssm:/export/db",
      "--policy-arn",
      team.Policy!.Arn!,
    ],
    { env: aws.env, cwd },
  );
  expect(run.code, run.stderr).toBe(0);
  const saved = savedJob(cwd);

  Object.assign(process.env, aws.env);
  const clients = await createClients({});
  const deployed = await deployedSettings(clients, "weekly-export");
  expect(deployed).toBeDefined();
  const { region: _region, account: _account, ...savedSettings } = saved;
  expect(deployed!.warnings).toEqual([]);
  expect(validateSettings(deployed!.settings, cwd)).toEqual(validateSettings(savedSettings, cwd));
  expect(await deployedSettings(clients, "no-such-job")).toBeUndefined();
});

it("reads back the permissions boundary, and leaves out (with a warning naming it, never its value) a plaintext variable that looks like a secret", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "support-job-deployed-"));
  const boundary = await aws.clients.iam.send(
    new CreatePolicyCommand({
      PolicyName: "support-job-boundary",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }),
    }),
  );
  const secret = "t0k3n-9f8e7d6c5b4a";
  const run = await runCli(
    [
      "init",
      "--yes",
      "--name",
      "bounded-job",
      "--repo",
      "https://github.com/acme/ops-scripts.git",
      "--schedule",
      "rate(1 day)",
      "--email",
      "ops@example.com",
      "--env",
      "STAGE=prod",
      "--env",
      `API_TOKEN=plain:${secret}`,
      "--permissions-boundary",
      boundary.Policy!.Arn!,
    ],
    { env: aws.env, cwd },
  );
  expect(run.code, run.stderr).toBe(0);
  Object.assign(process.env, aws.env);
  const deployed = await deployedSettings(await createClients({}), "bounded-job");
  expect(deployed!.settings.permissionsBoundary).toBe(boundary.Policy!.Arn);
  expect(deployed!.settings.env).toEqual(["STAGE=prod"]);
  expect(deployed!.warnings).toHaveLength(1);
  expect(deployed!.warnings[0]).toMatch(/^env API_TOKEN .*looks like a secret: left out/);
  expect(JSON.stringify(deployed)).not.toContain(secret);

  // init --name without support-job.json starts from it: the warning is shown, the value written nowhere.
  const elsewhere = mkdtempSync(join(tmpdir(), "support-job-deployed-"));
  const again = await runCli(
    [
      "init",
      "--yes",
      "--dry-run",
      "--name",
      "bounded-job",
      "--repo",
      "https://github.com/acme/ops-scripts.git",
      "--schedule",
      "rate(1 day)",
      "--email",
      "ops@example.com",
      "--env",
      "STAGE=prod",
    ],
    { env: aws.env, cwd: elsewhere },
  );
  expect(again.stderr).toMatch(/env API_TOKEN .*looks like a secret/);
  expect(again.stdout + again.stderr).not.toContain(secret);
});
