"use client";

import { useId, useState } from "react";
import { DeviceSelect } from "@/components/media/DeviceSelect";
import { startPreview } from "@/lib/media/devices";
import type { RandomSession } from "@/lib/random/session";
import { loadSkipBlack, saveSkipBlack } from "@/lib/random/storage";
import { LANGUAGES, MAX_INTERESTS, REGION_LABELS, type Preferences, type Region } from "@/lib/random/types";
import { useDevicesStore, type DeviceKind } from "@/stores/devices";

/** Interest tags from "music, chess": trimmed, lower case, distinct, at most five. */
const parseInterests = (text: string): string[] => [
  ...new Set(
    text
      .split(",")
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  ),
];

/** Preferences (used from the next Start) and settings: devices, text only, skipping black video. */
export function PreferencesForm({ session, preferences, onChange }: { session: RandomSession; preferences: Preferences; onChange: (p: Preferences) => void }) {
  const id = useId();
  const [interestsText, setInterestsText] = useState(preferences.interests.join(", "));
  const [skipBlack, setSkipBlack] = useState(loadSkipBlack);
  const preview = useDevicesStore((state) => state.preview);
  const tooMany = parseInterests(interestsText).length > MAX_INTERESTS;

  function choose(kind: DeviceKind, deviceId: string) {
    useDevicesStore.getState().select(kind, deviceId);
    // a running preview switches now; a new call uses it (the call in progress keeps its tracks)
    if (preview) void startPreview([kind]);
  }

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        Preferences and settings
      </h2>
      <p className="mt-1 text-sm text-slate-600">Preferences apply from your next Start. If nobody matches them for a few seconds, the search widens.</p>
      <div className="mt-4 grid gap-4 sm:grid-cols-2">
        <div>
          <label htmlFor={`${id}-region`} className="field-label">
            Region
          </label>
          <select id={`${id}-region`} className="field-input" value={preferences.region} onChange={(e) => onChange({ ...preferences, region: e.target.value as Region })}>
            {(Object.keys(REGION_LABELS) as Region[]).map((region) => (
              <option key={region} value={region}>
                {REGION_LABELS[region]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-language`} className="field-label">
            Language
          </label>
          <select id={`${id}-language`} className="field-input" value={preferences.language} onChange={(e) => onChange({ ...preferences, language: e.target.value })}>
            {Object.entries(LANGUAGES).map(([code, name]) => (
              <option key={code} value={code}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div className="sm:col-span-2">
          <label htmlFor={`${id}-interests`} className="field-label">
            Interests (up to {MAX_INTERESTS}, separated by commas)
          </label>
          <input
            id={`${id}-interests`}
            type="text"
            className="field-input"
            value={interestsText}
            maxLength={200}
            aria-invalid={tooMany ? true : undefined}
            aria-describedby={tooMany ? `${id}-interests-error` : undefined}
            onChange={(e) => {
              setInterestsText(e.target.value);
              const tags = parseInterests(e.target.value);
              if (tags.length <= MAX_INTERESTS) onChange({ ...preferences, interests: tags });
            }}
          />
          {tooMany ? (
            <p id={`${id}-interests-error`} role="alert" className="field-error">
              At most {MAX_INTERESTS} interests: the first {MAX_INTERESTS} you typed are used.
            </p>
          ) : null}
        </div>
        <label className="flex items-center gap-2 text-sm sm:col-span-2">
          <input
            id="random-text-only"
            type="checkbox"
            className="h-4 w-4"
            checked={preferences.textOnly}
            onChange={(e) => onChange({ ...preferences, textOnly: e.target.checked })}
          />
          Text only (no camera or microphone; you are matched with other text-only people)
        </label>
        {!preferences.textOnly ? (
          <>
            <DeviceSelect kind="camera" emptyText="Press Start to list cameras" onChoose={choose} />
            <DeviceSelect kind="microphone" emptyText="Press Start to list microphones" onChoose={choose} />
            <label className="flex items-center gap-2 text-sm sm:col-span-2">
              <input
                type="checkbox"
                className="h-4 w-4"
                checked={skipBlack}
                onChange={(e) => {
                  setSkipBlack(e.target.checked);
                  saveSkipBlack(e.target.checked);
                  session.setSkipBlackVideo(e.target.checked);
                }}
              />
              Skip partners whose video stays black for 10 s
            </label>
          </>
        ) : null}
      </div>
    </section>
  );
}
