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
import { jobFlags } from "../../helpers/constants.js";

const aws = useLocalAws();
const folder = () => mkdtempSync(join(tmpdir(), "support-job-deployed-"));
const init = (args: string[], cwd: string) => runCli(["init", "--yes", ...args], { env: aws.env, cwd });
/** A customer managed policy `name` that allows `statement`; its ARN. */
const createPolicy = async (name: string, statement: Record<string, unknown>) =>
  (await aws.clients.iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) })))
    .Policy!.Arn!;
/** What deployedSettings reads back for job `name`, through the SDK clients the CLI makes. */
const deployed = async (name: string) => {
  Object.assign(process.env, aws.env);
  return deployedSettings(await createClients({}), name);
};

it("reads back every setting of a deployed job, as support-job.json would hold it", async () => {
  const cwd = folder();
  const team = await createPolicy("team-reports", { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::reports" });
  const run = await init(
    [
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
      team,
    ],
    cwd,
  );
  expect(run.code, run.stderr).toBe(0);
  const saved = savedJob(cwd);

  const read = await deployed("weekly-export");
  expect(read).toBeDefined();
  const { region: _region, account: _account, ...savedSettings } = saved;
  expect(read!.warnings).toEqual([]);
  expect(validateSettings(read!.settings, cwd)).toEqual(validateSettings(savedSettings, cwd));
  expect(await deployed("no-such-job")).toBeUndefined();
});

it("reads back the permissions boundary, and leaves out (with a warning naming it, never its value) a plaintext variable that looks like a secret", async () => {
  const cwd = folder();
  const boundary = await createPolicy("support-job-boundary", { Effect: "Allow", Action: "s3:*", Resource: "*" });
  const secret = "t0k3n-9f8e7d6c5b4a";
  const flags = jobFlags("bounded-job", ["--env", "STAGE=prod"]);
  const run = await init([...flags, "--env", `API_TOKEN=plain:${secret}`, "--permissions-boundary", boundary], cwd);
  expect(run.code, run.stderr).toBe(0);
  const read = await deployed("bounded-job");
  expect(read!.settings.permissionsBoundary).toBe(boundary);
  expect(read!.settings.env).toEqual(["STAGE=prod"]);
  expect(read!.warnings).toHaveLength(1);
  expect(read!.warnings[0]).toMatch(/^env API_TOKEN .*looks like a secret: left out/);
  expect(JSON.stringify(read)).not.toContain(secret);

  // init --name without support-job.json starts from it: the warning is shown, the value written nowhere.
  const again = await init(["--dry-run", ...flags], folder());
  expect(again.stderr).toMatch(/env API_TOKEN .*looks like a secret/);
  expect(again.stdout + again.stderr).not.toContain(secret);
});
