// Numeric command-line options of the benchmarks: a value out of range stops the run with exit code 2.

/** `args[name]` as a number >= `min` (an integer unless `integer` is false). */
export function numberOption<Args extends Record<string, unknown>>(args: Args, name: keyof Args & string, min: number, integer = true): number {
  const value = Number(args[name]);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    console.error(`--${name} must be ${integer ? "an integer" : "a number"} >= ${min}, got ${String(args[name])}`);
    process.exit(2);
  }
  return value;
}
