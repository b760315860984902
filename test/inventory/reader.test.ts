import * as assert from "assert";
import { DNS_LABEL, InventoryError, Reader, show } from "../../inventory/reader";

/** The validating reader on its own: each accessor's accepted values, boundaries and exact message. */

/** Calls one accessor on a fresh reader: its result and the issues it recorded as `path: message`. */
function read<T>(call: (r: Reader) => T): [T, string[]] {
  const r = new Reader();
  const value = call(r);
  return [value, r.issues.map((i) => `${i.path}: ${i.message}`)];
}

describe("the inventory reader", () => {
  it("joins every issue into the error's message, one per line", () => {
    const err = new InventoryError([
      { path: "a.b", message: "bad" },
      { path: "a.c", message: "worse" },
    ]);
    assert.strictEqual(err.message, "a.b: bad\na.c: worse");
    assert.strictEqual(err.name, "InventoryError");
    assert.ok(err instanceof Error);
  });

  it("shows values short and unambiguous", () => {
    assert.strictEqual(show(undefined), "nothing");
    assert.strictEqual(show(null), "null");
    assert.strictEqual(show("x"), '"x"');
    assert.strictEqual(show(Symbol("s")), "Symbol(s)");
    const sixty = `"${"a".repeat(58)}"`;
    assert.strictEqual(show("a".repeat(58)), sixty);
    assert.strictEqual(show("a".repeat(59)), `"${"a".repeat(56)}...`);
  });

  it("reads a mapping and reports each unknown key", () => {
    assert.deepStrictEqual(
      read((r) => r.object("p", { a: 1, b: 2, c: 3 }, ["a"])),
      [{ a: 1, b: 2, c: 3 }, ["p.b: unknown key; expected one of a", "p.c: unknown key; expected one of a"]],
    );
    for (const value of [null, [], "a", undefined])
      assert.deepStrictEqual(
        read((r) => r.object("p", value, ["a"])),
        [undefined, [`p: expected a mapping, got ${show(value)}`]],
      );
  });

  it("reads a list with a minimum length", () => {
    assert.deepStrictEqual(
      read((r) => r.list("p", [])),
      [[], []],
    );
    assert.deepStrictEqual(
      read((r) => r.list("p", { 0: "a" })),
      [undefined, ['p: expected a list, got {"0":"a"}']],
    );
    assert.deepStrictEqual(
      read((r) => r.list("p", [], { minItems: 1 })),
      [undefined, ["p: expected at least 1 item, got 0"]],
    );
    assert.deepStrictEqual(
      read((r) => r.list("p", ["a"], { minItems: 2 })),
      [undefined, ["p: expected at least 2 items, got 1"]],
    );
    assert.deepStrictEqual(
      read((r) => r.list("p", ["a", "b"], { minItems: 2 })),
      [["a", "b"], []],
    );
  });

  it("reads a non-empty string, with a maximum length and a pattern", () => {
    assert.deepStrictEqual(
      read((r) => r.string("p", "")),
      [undefined, ['p: expected a non-empty string, got ""']],
    );
    assert.deepStrictEqual(
      read((r) => r.string("p", 5)),
      [undefined, ["p: expected a non-empty string, got 5"]],
    );
    assert.deepStrictEqual(
      read((r) => r.string("p", "abc", { maxLength: 3 })),
      ["abc", []],
    );
    assert.deepStrictEqual(
      read((r) => r.string("p", "abcd", { maxLength: 3, what: "a name" })),
      [undefined, ["p: expected a name of at most 3 characters, got 4"]],
    );
    assert.deepStrictEqual(
      read((r) => r.string("p", "ABC", { pattern: /^[a-z]+$/, what: "lower case" })),
      [undefined, ['p: expected lower case, got "ABC"']],
    );
    assert.deepStrictEqual(
      read((r) => r.string("p", "abc", { pattern: /^[a-z]+$/ })),
      ["abc", []],
    );
  });

  it("reads one of a set of strings", () => {
    assert.deepStrictEqual(
      read((r) => r.oneOf("p", "b", ["a", "b"])),
      ["b", []],
    );
    assert.deepStrictEqual(
      read((r) => r.oneOf("p", "c", ["a", "b"])),
      [undefined, ['p: expected one of a, b, got "c"']],
    );
    assert.deepStrictEqual(
      read((r) => r.oneOf("p", 1, ["1"])),
      [undefined, ["p: expected one of 1, got 1"]],
    );
  });

  it("reads integers and says which range it expected", () => {
    const cases: [unknown, number | undefined, number | undefined, string | undefined][] = [
      [0, undefined, undefined, "a positive integer"],
      [1, undefined, undefined, undefined],
      [-1, 0, undefined, "a non-negative integer"],
      [4, 5, undefined, "an integer of at least 5"],
      [11, 1, 10, "an integer from 1 to 10"],
      [10, 1, 10, undefined],
      [1.5, 1, 10, "an integer from 1 to 10"],
      ["5", 1, 10, "an integer from 1 to 10"],
      [2 ** 53, 1, undefined, "a positive integer"],
    ];
    for (const [value, min, max, what] of cases) {
      const expected = what === undefined ? [value, []] : [undefined, [`p: expected ${what}, got ${show(value)}`]];
      assert.deepStrictEqual(
        read((r) => r.integer("p", value, min, max)),
        expected,
        `${show(value)} in [${String(min)}, ${String(max)}]`,
      );
    }
  });

  it("reads finite numbers with an inclusive or exclusive minimum", () => {
    assert.deepStrictEqual(
      read((r) => r.number("p", 1, 1, 3)),
      [1, []],
    );
    assert.deepStrictEqual(
      read((r) => r.number("p", 3, 1, 3)),
      [3, []],
    );
    assert.deepStrictEqual(
      read((r) => r.number("p", 3.5, 1, 3)),
      [undefined, ["p: expected a number at least 1 and at most 3, got 3.5"]],
    );
    assert.deepStrictEqual(
      read((r) => r.number("p", 0, 0, 1, true)),
      [undefined, ["p: expected a number greater than 0 and at most 1, got 0"]],
    );
    assert.deepStrictEqual(
      read((r) => r.number("p", "2", 1, 3)),
      [undefined, ['p: expected a number at least 1 and at most 3, got "2"']],
    );
    assert.deepStrictEqual(
      read((r) => r.number("p", Infinity, 0, Number.MAX_VALUE)),
      [undefined, ["p: expected a number at least 0, got null"]],
    );
    assert.deepStrictEqual(
      read((r) => r.number("p", -1, 0, Number.MAX_VALUE, true)),
      [undefined, ["p: expected a number greater than 0, got -1"]],
    );
  });

  it("reads booleans", () => {
    assert.deepStrictEqual(
      read((r) => r.boolean("p", false)),
      [false, []],
    );
    assert.deepStrictEqual(
      read((r) => r.boolean("p", "true")),
      [undefined, ['p: expected true or false, got "true"']],
    );
  });

  it("reads calendar dates, written or as YAML hands them over", () => {
    assert.deepStrictEqual(
      read((r) => r.date("p", "2028-02-29")),
      ["2028-02-29", []],
    );
    assert.deepStrictEqual(
      read((r) => r.date("p", new Date("2026-03-01T00:00:00Z"))),
      ["2026-03-01", []],
    );
    // "+010000-01" round-trips through Date (year 10000, January) but is not a YYYY-MM-DD date.
    for (const value of ["2027-02-29", "+010000-01", "x2026-01-01", "2026-01-01x", "2026-1-01", 20260101, new Date("nope")]) {
      assert.deepStrictEqual(
        read((r) => r.date("p", value)),
        [undefined, [`p: expected a date written YYYY-MM-DD, got ${show(value)}`]],
        String(value),
      );
    }
  });

  it("reports each repeat of a value with the index of its first occurrence, skipping gaps", () => {
    const [, issues] = read((r) => r.unique((i) => `p[${i}]`, ["a", undefined, "b", "a", undefined, "a"], "name"));
    assert.deepStrictEqual(issues, ['p[3]: duplicate name "a"; also at index 0', 'p[5]: duplicate name "a"; also at index 0']);
  });

  it("matches whole DNS labels only", () => {
    for (const ok of ["a", "a-1", "0a"]) assert.ok(DNS_LABEL.test(ok), ok);
    for (const bad of ["-a", "a-", "A", "a_b", "a.b", ""]) assert.ok(!DNS_LABEL.test(bad), bad);
  });
});
