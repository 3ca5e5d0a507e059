export { EventBridgeClient as Client } from "@aws-sdk/client-eventbridge";
