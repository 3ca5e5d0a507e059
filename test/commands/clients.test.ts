/** The SDK clients as commands build them (src/aws/clients.ts), against the local AWS. */
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { GetRoleCommand } from "@aws-sdk/client-iam";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { createClients } from "../../src/aws/clients.js";
import { orMissing } from "../../src/aws/errors.js";
import { useLocalAws } from "../helpers/local-aws.js";
import { runCli } from "../helpers/cli.js";
import { jobFlags } from "../helpers/constants.js";

const aws = useLocalAws();

it("counts and logs every call, the same command class sent many times at once included (with the SDK's middleware cache on)", async () => {
  Object.assign(process.env, aws.env);
  const lines: string[] = [];
  const clients = await createClients({ debug: (line) => lines.push(line) });
  aws.proxy.resetCalls();
  const roles = ["a", "b", "c", "d", "e"].map((n) => orMissing(clients.iam.send(new GetRoleCommand({ RoleName: `support-job-cache-${n}` }))));
  const identities = [1, 2, 3].map(() => clients.sts.send(new GetCallerIdentityCommand({})));
  const [missing, found] = await Promise.all([Promise.all(roles), Promise.all(identities)]);
  expect(missing).toEqual([undefined, undefined, undefined, undefined, undefined]);
  expect(found.map((f) => f.Account)).toEqual([found[0]!.Account, found[0]!.Account, found[0]!.Account]);
  // Sequential sends after the concurrent ones reuse the chain too.
  await orMissing(clients.iam.send(new GetRoleCommand({ RoleName: "support-job-cache-f" })));
  expect(clients.stats.reads).toBe(9);
  expect(clients.stats.byOperation.get("iam.GetRole")).toBe(6);
  expect(lines.filter((l) => l.startsWith("iam.GetRole 404 NoSuchEntity"))).toHaveLength(6);
  expect(lines.filter((l) => l.startsWith("sts.GetCallerIdentity 200"))).toHaveLength(3);
  expect(aws.proxy.count({ service: "iam", action: "GetRole" })).toBe(6);
});

it("resolves the caller's credentials once per command, shared by every client: a credential_process runs once, not once per service", async () => {
  const dir = mkdtempSync(join(tmpdir(), "support-job-credentials-"));
  const count = join(dir, "count");
  const script = join(dir, "creds.sh");
  writeFileSync(script, `echo run >> "${count}"\necho '{"Version": 1, "AccessKeyId": "testing", "SecretAccessKey": "testing"}'\n`);
  writeFileSync(join(dir, "config"), `[profile counted]\nregion = us-east-1\ncredential_process = /bin/sh ${script}\n`);
  const env = { AWS_CONFIG_FILE: join(dir, "config"), AWS_PROFILE: "counted", AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" };
  const cwd = mkdtempSync(join(tmpdir(), "support-job-credentials-job-"));
  const init = await runCli(["init", "--yes", ...jobFlags("shared-credentials")], { env: { ...aws.env, ...env }, cwd });
  expect(init.code, init.stderr).toBe(0);
  rmSync(count, { force: true });
  aws.proxy.resetCalls();
  // status talks to eight services (STS, CodeBuild, IAM, Logs, EventBridge, Scheduler, SNS, CloudWatch).
  const status = await runCli(["status"], { env: { ...aws.env, ...env }, cwd });
  expect(status.code, status.stderr).toBe(0);
  expect(new Set(aws.proxy.calls.map((c) => c.service)).size).toBeGreaterThanOrEqual(6);
  expect(readFileSync(count, "utf8").trim().split("\n")).toEqual(["run"]);
});

it("applies the profile's settings to every service: a retry_mode in the profile reaches each client (its user agent says so)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "support-job-settings-"));
  writeFileSync(
    join(dir, "config"),
    "[profile adaptive]\nregion = us-east-1\nretry_mode = adaptive\naws_access_key_id = testing\naws_secret_access_key = testing\n",
  );
  const env = { AWS_CONFIG_FILE: join(dir, "config"), AWS_PROFILE: "adaptive" };
  const cwd = mkdtempSync(join(tmpdir(), "support-job-settings-job-"));
  const init = await runCli(["init", "--yes", ...jobFlags("shared-settings")], { env: { ...aws.env, ...env }, cwd });
  expect(init.code, init.stderr).toBe(0);
  aws.proxy.resetCalls();
  const status = await runCli(["status"], { env: { ...aws.env, ...env }, cwd });
  expect(status.code, status.stderr).toBe(0);
  const services = [...new Set(aws.proxy.calls.map((c) => c.service))];
  expect(services.length).toBeGreaterThanOrEqual(6);
  // The SDK's business metrics in its user agent (m/…): F is the adaptive retry mode, E the standard one.
  const mode = (ua: string) => {
    const metrics = /(?:^| )m\/([\w,+-]+)/.exec(ua)?.[1]?.split(",") ?? [];
    return metrics.includes("F") ? "adaptive" : metrics.includes("E") ? "standard" : `none in ${ua}`;
  };
  const modes = Object.fromEntries(services.map((service) => [service, mode(aws.proxy.calls.find((c) => c.service === service)!.userAgent)]));
  expect(modes).toEqual(Object.fromEntries(services.map((service) => [service, "adaptive"])));
});
