export { STSClient as Client, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
