export { EC2Client as Client } from "@aws-sdk/client-ec2";
