// What the SFU path sends and asks for: the camera's simulcast layers, the screen's encoding, and the layer a
// tile of a given size needs.

/** Camera simulcast: quarter, half and full resolution (VP8, 3 temporal layers each). */
export const CAMERA_ENCODINGS: RTCRtpEncodingParameters[] = [
  { rid: "r0", scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: "L1T3" } as RTCRtpEncodingParameters,
  { rid: "r1", scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: "L1T3" } as RTCRtpEncodingParameters,
  { rid: "r2", scaleResolutionDownBy: 1, maxBitrate: 1_200_000, scalabilityMode: "L1T3" } as RTCRtpEncodingParameters,
];

/**
 * The simulcast encodings for a camera track. Chromium only encodes as many layers as the capture size
 * allows (3 from 960x540, 2 from 480x270, else 1) and drops the top ones: so a small capture publishes the
 * top layers of CAMERA_ENCODINGS only, and its full resolution always gets through.
 */
export function cameraEncodings(track: MediaStreamTrack): RTCRtpEncodingParameters[] {
  const { width = 1280, height = 720 } = track.getSettings();
  const pixels = width * height;
  const layers = pixels >= 960 * 540 ? 3 : pixels >= 480 * 270 ? 2 : 1;
  if (layers === 1) return [{ scaleResolutionDownBy: 1, maxBitrate: 500_000 }];
  return CAMERA_ENCODINGS.slice(3 - layers).map((e, i, list) => ({ ...e, rid: `r${i}`, scaleResolutionDownBy: 2 ** (list.length - 1 - i) }));
}

export const SCREEN_ENCODINGS: RTCRtpEncodingParameters[] = [{ maxBitrate: 1_500_000 }];

/** Preferred spatial layer for a tile `height` CSS px tall (layers are ~1/4, 1/2 and full of a 720p camera). */
export function layerForHeight(heightPx: number, layers: number): { spatial: number; temporal: number } {
  const h = heightPx * (typeof window === "undefined" ? 1 : window.devicePixelRatio || 1);
  const top = Math.max(0, layers - 1);
  let spatial = top;
  if (h > 0 && h <= 200) spatial = 0;
  else if (h > 0 && h <= 400) spatial = 1;
  return { spatial: Math.min(spatial, top), temporal: h > 0 && h < 90 ? 1 : 2 };
}
