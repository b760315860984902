/**
 * IPv4 CIDR parsing and overlap tests. EKS rejects a cluster whose VPC, service and remote
 * (on-premises) networks overlap, and it does so only at `pulumi up`, minutes in; checking at
 * parse time turns that into an immediate keyed error.
 */

export interface Cidr {
  readonly text: string;
  /** First address as an unsigned 32-bit number. */
  readonly start: number;
  /** Last address as an unsigned 32-bit number. */
  readonly end: number;
  readonly prefix: number;
}

/** Parses `a.b.c.d/n`; returns undefined when malformed or when host bits are set. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) return undefined;
  return { text, start: address, end: address + size - 1, prefix };
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** Whether the range lies within RFC 1918 private space, as EKS requires of remote networks. */
export function isPrivate(c: Cidr): boolean {
  const within = (base: string) => {
    const outer = parseCidr(base)!;
    return c.start >= outer.start && c.end <= outer.end;
  };
  return within("10.0.0.0/8") || within("172.16.0.0/12") || within("192.168.0.0/16");
}

/**
 * Splits `parent` into consecutive subnets of `prefix` bits and returns the first `count`.
 * Used to carve per-zone subnets out of the VPC deterministically.
 */
export function subnets(parent: Cidr, prefix: number, count: number): string[] {
  if (prefix < parent.prefix || prefix > 32) throw new RangeError(`cannot carve /${prefix} subnets from ${parent.text}`);
  const size = 2 ** (32 - prefix);
  const available = 2 ** (prefix - parent.prefix);
  if (count > available) throw new RangeError(`${parent.text} holds ${available} /${prefix} subnets, not ${count}`);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const start = parent.start + i * size;
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
    out.push(`${octets.join(".")}/${prefix}`);
  }
  return out;
}
