/**
 * A job in a VPC against moto's EC2 (VPCs, subnets, route tables, NAT gateways): the project's vpcConfig and the
 * service role's network-interface permissions read back, and the NAT check warning on a subnet without a way out.
 */
import { BatchGetProjectsCommand } from "@aws-sdk/client-codebuild";
import {
  AssociateRouteTableCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  AllocateAddressCommand,
  AttachInternetGatewayCommand,
} from "@aws-sdk/client-ec2";
import { GetRolePolicyCommand } from "@aws-sdk/client-iam";
import { beforeEach, expect, it } from "vitest";
import { useLocalAws } from "../../helpers/local-aws.js";
import { ACCOUNT, JOB, REGION } from "../../helpers/constants.js";
import { setUpJob } from "../../helpers/job.js";
import { jobNames } from "../../../src/desired/names.js";

const aws = useLocalAws();
const names = jobNames(JOB, REGION);

beforeEach(() => aws.reset());

/** A VPC with a public subnet (internet gateway), a private one routed through a NAT gateway, and one with no route out. */
async function network() {
  const { ec2 } = aws.clients;
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnet = async (cidr: string) => (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr }))).Subnet!.SubnetId!;
  const [publicSubnet, privateSubnet, isolatedSubnet] = [await subnet("10.0.0.0/24"), await subnet("10.0.1.0/24"), await subnet("10.0.2.0/24")];
  const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  const table = async (subnetId: string) => {
    const id = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: subnetId }));
    return id;
  };
  await ec2.send(new CreateRouteCommand({ RouteTableId: await table(publicSubnet), DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }));
  const eip = (await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }))).AllocationId!;
  const nat = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: publicSubnet, AllocationId: eip }))).NatGateway!.NatGatewayId!;
  await ec2.send(new CreateRouteCommand({ RouteTableId: await table(privateSubnet), DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat }));
  await table(isolatedSubnet);
  const group = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: "cleanup", Description: "cleanup job", VpcId: vpcId }))).GroupId!;
  return { vpcId, publicSubnet, privateSubnet, isolatedSubnet, group };
}

it("runs the project in the VPC, lets the role attach interfaces only for CodeBuild in exactly the job's subnets, and is quiet about a NAT subnet", async () => {
  const net = await network();
  const job = await setUpJob(aws, JOB, ["--vpc-id", net.vpcId, "--subnet", net.privateSubnet, "--security-group", net.group]);
  const project = (await aws.clients.codebuild.send(new BatchGetProjectsCommand({ names: [JOB] }))).projects![0]!;
  expect(project.vpcConfig).toEqual({ vpcId: net.vpcId, subnets: [net.privateSubnet], securityGroupIds: [net.group] });

  const policy = JSON.parse(
    decodeURIComponent((await aws.clients.iam.send(new GetRolePolicyCommand({ RoleName: names.serviceRole, PolicyName: "support-job-base" }))).PolicyDocument!),
  ) as { Statement: { Sid?: string }[] };
  expect(policy.Statement.find((s) => s.Sid === "AttachBuildNetworkInterfacesInOwnSubnets")).toEqual({
    Sid: "AttachBuildNetworkInterfacesInOwnSubnets",
    Effect: "Allow",
    Action: ["ec2:CreateNetworkInterfacePermission"],
    Resource: [`arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/*`],
    Condition: {
      StringEquals: { "ec2:AuthorizedService": "codebuild.amazonaws.com", "ec2:Subnet": [`arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/${net.privateSubnet}`] },
    },
  });

  // The role's policy was in place before CreateProject arrived (CodeBuild checks the network permissions there).
  const put = aws.proxy.calls.find((c) => c.action === "PutRolePolicy" && c.status === 200)!;
  const create = aws.proxy.calls.find((c) => c.action === "CreateProject")!;
  expect(put.endedAt).toBeLessThanOrEqual(create.startedAt);
  expect(create.depth).toBeGreaterThan(put.depth);
  const again = await job.cli(["init", "--yes", "--dry-run"]);
  expect(again.code, again.stderr).toBe(0);
  expect(again.stderr).not.toMatch(/subnet .* (has no route|routes to an internet gateway)/);
  expect(again.stdout).toContain("10 unchanged.");
});

it("warns, naming the subnet, when a subnet has no NAT route (no route out, or a public subnet), before applying", async () => {
  const net = await network();
  const job = await setUpJob(aws, JOB);
  const run = await job.cli([
    "init",
    "--yes",
    "--dry-run",
    "--vpc-id",
    net.vpcId,
    "--subnet",
    net.isolatedSubnet,
    "--subnet",
    net.publicSubnet,
    "--subnet",
    net.privateSubnet,
    "--security-group",
    net.group,
  ]);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).toContain(`subnet ${net.isolatedSubnet} has no route to 0.0.0.0/0, so runs there have no internet: they cannot clone from GitHub`);
  expect(run.stderr).toContain(`subnet ${net.publicSubnet} routes to an internet gateway, but CodeBuild's network interfaces get no public IP`);
  expect(run.stderr).not.toContain(`subnet ${net.privateSubnet}`);
  expect(run.stdout).toMatch(/VPC: none → vpc-/);
});
