// What random chat keeps in this browser (localStorage): the device id the server's schemas require, that the person
// confirmed their age and accepted the rules (asked once per device), their preferences and settings. Storage can be
// disabled (private modes): the page then works for this visit and asks again next time.
import { LANGUAGES, REGION_LABELS, type Preferences, type Region } from "./types";

const KEYS = {
  deviceId: "qualmeet.random.device",
  consent: "qualmeet.random.consent",
  preferences: "qualmeet.random.preferences",
  skipBlack: "qualmeet.random.skipBlack",
} as const;

/** random.start's deviceId: 16-64 of [A-Za-z0-9_-] */
const DEVICE_ID = /^[A-Za-z0-9_-]{16,64}$/;

function read(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch (error) {
    console.warn(`[random] could not keep ${key} in this browser`, error);
  }
}

/** 24 base64url characters from 18 random bytes. */
function newDeviceId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_");
}

/** This browser's random-chat device id, made on first use. */
export function deviceId(): string {
  const stored = read(KEYS.deviceId);
  if (stored && DEVICE_ID.test(stored)) return stored;
  const made = newDeviceId();
  write(KEYS.deviceId, made);
  return made;
}

export const hasConsented = (): boolean => read(KEYS.consent) === "1";
export const rememberConsent = (): void => write(KEYS.consent, "1");

function browserLanguage(): string {
  const code = (typeof navigator === "undefined" ? "en" : navigator.language).slice(0, 2).toLowerCase();
  return Object.hasOwn(LANGUAGES, code) ? code : "en";
}

export const defaultPreferences = (): Preferences => ({ region: "europe", language: browserLanguage(), interests: [], textOnly: false });

/** The stored preferences, each field checked (an old or edited entry falls back field by field). */
export function loadPreferences(): Preferences {
  const fallback = defaultPreferences();
  let stored: Partial<Record<keyof Preferences, unknown>> = {};
  try {
    stored = JSON.parse(read(KEYS.preferences) ?? "{}") as typeof stored;
  } catch {
    // a broken entry: the defaults
  }
  const region = typeof stored.region === "string" && Object.hasOwn(REGION_LABELS, stored.region) ? (stored.region as Region) : fallback.region;
  const language = typeof stored.language === "string" && /^[a-z]{2}$/.test(stored.language) ? stored.language : fallback.language;
  const interests = Array.isArray(stored.interests) ? stored.interests.filter((t): t is string => typeof t === "string").slice(0, 5) : [];
  return { region, language, interests, textOnly: stored.textOnly === true };
}

export const savePreferences = (preferences: Preferences): void => write(KEYS.preferences, JSON.stringify(preferences));

export const loadSkipBlack = (): boolean => read(KEYS.skipBlack) === "1";
export const saveSkipBlack = (on: boolean): void => write(KEYS.skipBlack, on ? "1" : "0");
