/**
 * Clients for the tests that replace the SDK's transport with aws-sdk-client-mock (what moto cannot do): the real
 * createClients with dummy credentials, so the code under test builds and sends its requests as it does for users.
 */
import { createClients, type Clients } from "../../src/aws/clients.js";

export function clientsForMocks(region = "us-east-1"): Promise<Clients> {
  process.env.AWS_ACCESS_KEY_ID = "testing";
  process.env.AWS_SECRET_ACCESS_KEY = "testing";
  return createClients({ region });
}
