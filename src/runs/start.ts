/** Starting a run of a job's project: one StartBuild, safe to retry. */
import { randomUUID } from "node:crypto";
import { StartBuildCommand, type Build, type StartBuildCommandInput } from "@aws-sdk/client-codebuild";
import type { Clients } from "../aws/clients.js";

export type RunOverrides = Omit<StartBuildCommandInput, "projectName" | "idempotencyToken">;

/** The run as CodeBuild returned it (undefined if it returned none). */
export async function startBuild(clients: Clients, project: string, overrides: RunOverrides = {}): Promise<Build | undefined> {
  // A retried StartBuild (lost answer, throttling) must not start a second run.
  const out = await clients.codebuild.send(new StartBuildCommand({ projectName: project, idempotencyToken: randomUUID(), ...overrides }));
  return out.build;
}
