/**
 * The user's VPC, read, never changed: not a resource of the job, but what a VPC job depends on. Before applying,
 * init checks that each chosen subnet has a way out to the internet through a NAT gateway (a build in a subnet
 * without one cannot clone from GitHub); the wizard lists VPCs, private subnets and security groups by name.
 */
import type { Clients } from "../aws/clients.js";
import {
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type RouteTable,
  type Tag,
} from "@aws-sdk/client-ec2";
import type { VpcSettings } from "../settings/types.js";

export type SubnetRoute = "nat" | "internet-gateway" | "other" | "none";

export interface SubnetCheck {
  subnet: string;
  route: SubnetRoute;
  /** The subnet is not in the chosen VPC (or does not exist). */
  missing: boolean;
}

/** One DescribeSubnets and one DescribeRouteTables (the VPC's tables), in parallel: each subnet's way out. */
export async function checkSubnets(ec2: Clients["ec2"], vpc: VpcSettings): Promise<SubnetCheck[]> {
  const [subnets, tables] = await Promise.all([
    ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.vpcId] }] })),
    ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.vpcId] }] })),
  ]);
  const inVpc = new Set((subnets.Subnets ?? []).map((s) => s.SubnetId));
  return vpc.subnets.map((subnet) => ({ subnet, route: routeOut(tableOf(subnet, tables.RouteTables ?? [])), missing: !inVpc.has(subnet) }));
}

/** A subnet uses the table associated with it, else the VPC's main table. */
function tableOf(subnet: string, tables: readonly RouteTable[]): RouteTable | undefined {
  return tables.find((t) => t.Associations?.some((a) => a.SubnetId === subnet)) ?? tables.find((t) => t.Associations?.some((a) => a.Main === true));
}

function routeOut(table: RouteTable | undefined): SubnetRoute {
  const route = table?.Routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0" && r.State !== "blackhole");
  if (!route) return "none";
  if (route.NatGatewayId) return "nat";
  if (route.GatewayId?.startsWith("igw-")) return "internet-gateway";
  return "other";
}

/** The warning for a subnet whose runs would have no internet; undefined when it has a NAT route (or another way out). */
export function subnetWarning(check: SubnetCheck, vpcId: string): string | undefined {
  if (check.missing) return `subnet ${check.subnet} is not in ${vpcId} (or does not exist): CodeBuild will refuse the project`;
  if (check.route === "none")
    return `subnet ${check.subnet} has no route to 0.0.0.0/0, so runs there have no internet: they cannot clone from GitHub (or reach any AWS API without VPC endpoints); route it through a NAT gateway`;
  if (check.route === "internet-gateway")
    return `subnet ${check.subnet} routes to an internet gateway, but CodeBuild's network interfaces get no public IP, so runs there have no internet: they cannot clone from GitHub; use a private subnet whose 0.0.0.0/0 route goes to a NAT gateway`;
  return undefined;
}

export interface NamedChoice {
  id: string;
  name: string | undefined;
}

const nameOf = (tags: readonly Tag[] | undefined) => tags?.find((t) => t.Key === "Name")?.Value;

/** The wizard's lists: the account's VPCs; a VPC's private subnets (no internet-gateway route) and security groups. */
export async function listVpcs(ec2: Clients["ec2"]): Promise<NamedChoice[]> {
  const out = await ec2.send(new DescribeVpcsCommand({}));
  return (out.Vpcs ?? []).map((v) => ({ id: v.VpcId ?? "", name: nameOf(v.Tags) }));
}

export async function listVpcNetwork(
  ec2: Clients["ec2"],
  vpcId: string,
): Promise<{ subnets: (NamedChoice & { route: SubnetRoute })[]; securityGroups: NamedChoice[] }> {
  const filter = [{ Name: "vpc-id", Values: [vpcId] }];
  const [subnets, tables, groups] = await Promise.all([
    ec2.send(new DescribeSubnetsCommand({ Filters: filter })),
    ec2.send(new DescribeRouteTablesCommand({ Filters: filter })),
    ec2.send(new DescribeSecurityGroupsCommand({ Filters: filter })),
  ]);
  return {
    subnets: (subnets.Subnets ?? [])
      .map((s) => ({ id: s.SubnetId ?? "", name: nameOf(s.Tags), route: routeOut(tableOf(s.SubnetId ?? "", tables.RouteTables ?? [])) }))
      .filter((s) => s.route !== "internet-gateway"),
    securityGroups: (groups.SecurityGroups ?? []).map((g) => ({ id: g.GroupId ?? "", name: nameOf(g.Tags) ?? g.GroupName })),
  };
}
