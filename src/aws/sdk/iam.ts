export { IAMClient as Client } from "@aws-sdk/client-iam";
