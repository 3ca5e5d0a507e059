/** The only importer of inquirer: every question the CLI asks goes through here. */
import { confirm } from "@inquirer/prompts";

export async function confirmApply(isNew: boolean): Promise<boolean> {
  return confirm({ message: isNew ? "Create these resources?" : "Apply these changes?", default: isNew });
}

export async function confirmBroadGrant(): Promise<boolean> {
  return confirm({ message: "The job's policy lets it do anything in this account. Continue anyway?", default: false });
}
