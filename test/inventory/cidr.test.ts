import * as assert from "assert";
import { isPrivate, overlaps, parseCidr, subnets } from "../../inventory/cidr";

describe("cidr", () => {
  it("parses a CIDR to its first and last address", () => {
    assert.deepStrictEqual(parseCidr("10.1.0.0/16"), { text: "10.1.0.0/16", start: 167837696, end: 167903231, prefix: 16 });
  });

  it("rejects host bits, bad octets and bad prefixes", () => {
    assert.strictEqual(parseCidr("10.1.0.1/16"), undefined);
    assert.strictEqual(parseCidr("10.256.0.0/16"), undefined);
    assert.strictEqual(parseCidr("10.0.0.0/33"), undefined);
    assert.strictEqual(parseCidr("10.0.0.0"), undefined);
  });

  it("tells overlapping from adjacent ranges", () => {
    assert.ok(overlaps(parseCidr("10.0.0.0/8")!, parseCidr("10.96.0.0/12")!));
    assert.ok(!overlaps(parseCidr("10.0.0.0/16")!, parseCidr("10.1.0.0/16")!));
  });

  it("knows RFC 1918 space", () => {
    assert.ok(isPrivate(parseCidr("172.20.0.0/16")!));
    assert.ok(!isPrivate(parseCidr("172.32.0.0/16")!));
    assert.ok(!isPrivate(parseCidr("100.64.0.0/10")!));
  });

  it("carves consecutive subnets", () => {
    assert.deepStrictEqual(subnets(parseCidr("10.40.0.0/16")!, 18, 4), ["10.40.0.0/18", "10.40.64.0/18", "10.40.128.0/18", "10.40.192.0/18"]);
    assert.throws(() => subnets(parseCidr("10.40.0.0/16")!, 17, 3), /holds 2 \/17 subnets, not 3/);
  });
});
