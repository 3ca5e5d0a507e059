/** The SDK clients as commands build them (src/aws/clients.ts), against the local AWS. */
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { GetRoleCommand } from "@aws-sdk/client-iam";
import { expect, it } from "vitest";
import { createClients } from "../../src/aws/clients.js";
import { orMissing } from "../../src/aws/errors.js";
import { useLocalAws } from "../helpers/local-aws.js";

const aws = useLocalAws();

it("counts and logs every call, the same command class sent many times at once included (its middleware is resolved once)", async () => {
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
