// Invalid (and validly shaped but foreign) inputs for any procedure, generated with fast-check from the
// procedure's valid input (its fixture's, naming other people's objects): wrong types, missing and extra fields,
// huge strings, deep nesting, unicode edge cases (lone surrogates, bidirectional overrides, zero-width and
// combining characters, NUL), injection-looking text, and prototype-pollution keys as the input's own keys.
import fc from "fast-check";

/** How big a generated value may get: queries travel in the URL, mutations in a body or a WebSocket frame. */
export interface Bounds {
  /** longest generated string */
  maxString: number;
  /** deepest generated nesting */
  maxDepth: number;
}

export const QUERY_BOUNDS: Bounds = { maxString: 600, maxDepth: 200 };
// 100,000 characters stay under the realtime node's 1 MiB frame even as escaped lone surrogates (6 bytes each)
export const BODY_BOUNDS: Bounds = { maxString: 100_000, maxDepth: 3000 };

const edgeStrings = [
  "\uD800", // lone high surrogate
  "\uDFFF", // lone low surrogate
  "a\uDBFFb\uDC00",
  "\u202Egnp.exe\u202C", // right-to-left override
  "\u2066isolated\u2069\u200F",
  "\u200B\u200C\u200D\uFEFF", // zero-width characters and a BOM
  "e\u0301\u0301\u0301\u0301", // stacked combining marks
  "\u0000nul\u0000",
  "\u001b[31mred",
  "𝕏🏳️‍🌈👩‍👩‍👧",
  "﷽",
  "' OR '1'='1' --",
  "%_\\",
  "${7*7}{{7*7}}",
  "<script>alert(1)</script>",
  "../../../../etc/passwd",
  "javascript:alert(1)",
  "__proto__",
  "constructor",
  "00000000-0000-0000-0000-000000000000",
  "1e309",
  "-0",
  "",
  " ",
];

/** A string a person or a program might send, including every unicode code unit and the edge cases above. */
function strings(bounds: Bounds): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
    { weight: 3, arbitrary: fc.constantFrom(...edgeStrings) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...edgeStrings), fc.integer({ min: 1, max: bounds.maxString }))
        .map(([s, n]) => s.repeat(Math.ceil(n / Math.max(s.length, 1))).slice(0, n)),
    },
    { weight: 1, arbitrary: fc.integer({ min: Math.min(1000, bounds.maxString), max: bounds.maxString }).map((n) => "x".repeat(n)) },
  );
}

/** An object or array nested `depth` levels deep. */
function nested(bounds: Bounds): fc.Arbitrary<unknown> {
  return fc.tuple(fc.integer({ min: 50, max: bounds.maxDepth }), fc.boolean()).map(([depth, arrays]) => {
    let value: unknown = "bottom";
    for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
    return value;
  });
}

/** Any JSON value of a wrong kind: numbers at the edges, strings above, arrays, objects, deep nesting. */
export function junk(bounds: Bounds): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    strings(bounds),
    fc.integer(),
    fc.constantFrom(0, -1, 2 ** 53, -(2 ** 53), 1e308, 0.5, Number.MAX_SAFE_INTEGER + 2),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
  );
  return fc.oneof(
    { weight: 6, arbitrary: leaf },
    { weight: 2, arbitrary: fc.array(leaf, { maxLength: 8 }) },
    { weight: 2, arbitrary: fc.dictionary(strings(QUERY_BOUNDS), leaf, { maxKeys: 6 }) },
    { weight: 1, arbitrary: nested(bounds) },
  );
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** `base` with `key` as its own enumerable property (so JSON.stringify sends `"__proto__": ...` on the wire). */
function withOwnKey(base: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...base };
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
  return copy;
}

const pollution = fc.record({
  key: fc.constantFrom("__proto__", "constructor", "prototype"),
  value: fc.constantFrom<unknown>({ isAdmin: true, role: "ADMIN" }, { prototype: { polluted: true } }, { toString: "x", valueOf: 1 }, "polluted", null),
});

/**
 * Inputs for a procedure whose valid input is `valid`: the valid input itself (other people's ids, sent by
 * someone unrelated), one field wrong or missing, an extra field, a prototype-pollution key, or a whole input
 * of the wrong kind.
 */
export function invalidInputs(valid: unknown, bounds: Bounds): fc.Arbitrary<unknown> {
  const wrong = junk(bounds);
  const cases: Array<fc.WeightedArbitrary<unknown>> = [
    { weight: 3, arbitrary: wrong },
    { weight: 1, arbitrary: fc.constant(valid) },
  ];
  if (isRecord(valid) && Object.keys(valid).length > 0) {
    const keys = Object.keys(valid);
    cases.push(
      { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...keys), wrong).map(([key, value]) => ({ ...valid, [key]: value })) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(...keys).map((key) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== key))),
      },
      { weight: 1, arbitrary: fc.tuple(strings(QUERY_BOUNDS), wrong).map(([key, value]) => withOwnKey(valid, key, value)) },
    );
  }
  cases.push({ weight: 2, arbitrary: pollution.map(({ key, value }) => withOwnKey(isRecord(valid) ? valid : {}, key, value)) });
  return fc.oneof(...cases);
}
