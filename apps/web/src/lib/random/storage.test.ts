// What /random keeps in the browser, without a browser (localStorage faked): the device id has the shape the
// server's schemas require and stays the same; stored preferences that were edited or broken fall back field by
// field; a browser whose storage is disabled still gets a usable device id.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { deviceId, hasConsented, loadPreferences, rememberConsent, savePreferences } from "./storage";

/** random.start's deviceId rule (packages/api/src/router/random/random.schema.ts) */
const DEVICE_ID = /^[A-Za-z0-9_-]{16,64}$/;

let stored: Map<string, string>;

beforeEach(() => {
  stored = new Map();
  const localStorage = { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v) };
  vi.stubGlobal("window", { localStorage });
  vi.stubGlobal("navigator", { language: "de-AT" });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("random chat's browser storage", () => {
  test("the device id has the server's shape, is kept, and a malformed stored one is replaced", () => {
    const first = deviceId();
    expect(first).toMatch(DEVICE_ID);
    expect(deviceId()).toBe(first);
    stored.set("qualmeet.random.device", "short!");
    const replaced = deviceId();
    expect(replaced).toMatch(DEVICE_ID);
    expect(replaced).not.toBe(first);
  });

  test("consent is remembered once given", () => {
    expect(hasConsented()).toBe(false);
    rememberConsent();
    expect(hasConsented()).toBe(true);
  });

  test("preferences round-trip; broken fields fall back one by one; the browser's language is the default", () => {
    expect(loadPreferences()).toEqual({ region: "europe", language: "de", interests: [], textOnly: false });
    savePreferences({ region: "asia", language: "ja", interests: ["go", "tea"], textOnly: true });
    expect(loadPreferences()).toEqual({ region: "asia", language: "ja", interests: ["go", "tea"], textOnly: true });
    stored.set("qualmeet.random.preferences", JSON.stringify({ region: "mars", language: "english", interests: ["a", 3, "b"], textOnly: "yes" }));
    expect(loadPreferences()).toEqual({ region: "europe", language: "de", interests: ["a", "b"], textOnly: false });
    stored.set("qualmeet.random.preferences", JSON.stringify({ region: "constructor" }));
    expect(loadPreferences().region).toBe("europe");
    stored.set("qualmeet.random.preferences", "{not json");
    expect(loadPreferences().region).toBe("europe");
  });

  test("storage disabled: a fresh valid device id each time, nothing thrown", () => {
    const throwing = () => {
      throw new DOMException("denied", "SecurityError");
    };
    vi.stubGlobal("window", { localStorage: { getItem: throwing, setItem: throwing } });
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(deviceId()).toMatch(DEVICE_ID);
    expect(hasConsented()).toBe(false);
  });
});
