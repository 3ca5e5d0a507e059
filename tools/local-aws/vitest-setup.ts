// Provisions the local AWS emulator once before any test file starts (a first install takes longer than a
// test hook may), and hands the result to every worker through the environment.
import { MOTO_SERVER_VARIABLE, PROVISION_FAILED_VARIABLE, ProvisionError, provisionMoto } from "./provision.js";

export default async function setup(): Promise<void> {
  try {
    const { motoServer } = await provisionMoto();
    process.env[MOTO_SERVER_VARIABLE] = motoServer;
  } catch (error) {
    if (!(error instanceof ProvisionError)) throw error;
    // Tests without AWS still run; each one that starts moto fails at once with this answer, none retries the install.
    process.stderr.write(`\n${error.message}\n\n`);
    process.env[PROVISION_FAILED_VARIABLE] = error.message;
  }
}
