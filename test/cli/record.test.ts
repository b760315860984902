import * as assert from "assert";
import { Plan, planJsonChunks, stableJson } from "../../cli/record";
import { realPlan } from "../helpers/plan";

describe("plan.json", () => {
  it("is written in pieces that join to exactly the stable JSON of the plan", () => {
    const plan = realPlan("cyberport");
    assert.ok(plan.resources.length > 100);
    const text = [...planJsonChunks(plan)].join("");
    assert.strictEqual(text, stableJson(plan));
    assert.deepStrictEqual(JSON.parse(text), JSON.parse(JSON.stringify(plan)));
  });

  it("sorts keys at every level, leaves out undefined members, and writes an empty plan", () => {
    const plan = { stack: "s", project: "p", outputs: { b: 1, a: { d: undefined, c: "x\ny" } }, resources: [] } as unknown as Plan;
    const expected = '{\n  "outputs": {\n    "a": {\n      "c": "x\\ny"\n    },\n    "b": 1\n  },\n  "project": "p",\n  "resources": [],\n  "stack": "s"\n}\n';
    assert.strictEqual(stableJson(plan), expected);
    assert.strictEqual([...planJsonChunks(plan)].join(""), expected);
  });
});
