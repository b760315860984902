import { parseCidr, subnets } from "../../inventory/cidr";

/** The VPC's subnet layout, a pure function of its CIDR and zones (the Network component creates it). */

export interface ZoneSubnets {
  readonly zone: string;
  readonly privateCidr: string;
  readonly publicCidr: string;
}

/**
 * Carves the VPC: the first quarter per zone for private subnets (nodes and, with the VPC CNI,
 * pods: they need the room), and small public subnets for NAT gateways from the last quarter.
 */
export function subnetLayout(vpcCidr: string, zones: readonly string[]): ZoneSubnets[] {
  const vpc = parseCidr(vpcCidr);
  if (!vpc) throw new RangeError(`invalid VPC CIDR ${vpcCidr}`);
  const quarters = subnets(vpc, vpc.prefix + 2, 4);
  const publicPool = parseCidr(quarters[3])!;
  const publics = subnets(publicPool, publicPool.prefix + 4, zones.length);
  return zones.map((zone, i) => ({ zone, privateCidr: quarters[i], publicCidr: publics[i] }));
}

/** The zone suffix (`a`, `b`) that names a zone's resources, stable under reordering. */
export function zoneKey(zone: string): string {
  return zone.slice(-1);
}
