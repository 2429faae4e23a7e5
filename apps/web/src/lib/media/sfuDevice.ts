// mediasoup-client's Device for this browser, with the browser's own RTP capabilities probed once per page and
// ahead of the join: Device.load probes them with two throwaway RTCPeerConnections (a few hundred ms on a busy
// machine), which would otherwise run after the join answer, on the join's critical path. The probe starts in
// the lobby (warmDevice) and every Device of the page reuses its answer.
import { Device, detectDeviceAsync } from "mediasoup-client";
import { Chrome111 } from "mediasoup-client/handlers/Chrome111";
import { Chrome74 } from "mediasoup-client/handlers/Chrome74";
import { Firefox120 } from "mediasoup-client/handlers/Firefox120";
import type { HandlerFactory, HandlerGetNativeRtpCapabilitiesOptions } from "mediasoup-client/handlers/HandlerInterface";
import { Safari12 } from "mediasoup-client/handlers/Safari12";
import type { RtpCapabilities } from "mediasoup-client/types";

const BROWSER_HANDLERS: Record<string, { createFactory(options: object): HandlerFactory }> = { Chrome111, Chrome74, Firefox120, Safari12 };

let warming: Promise<HandlerFactory | null> | null = null;

/** This browser's handler with its native capabilities probed once (null: one mediasoup-client picks itself). */
export function warmDevice(): Promise<HandlerFactory | null> {
  warming ??= (async () => {
    const name = await detectDeviceAsync();
    const handler = name ? BROWSER_HANDLERS[name] : undefined;
    if (!handler) return null;
    const base = handler.createFactory({});
    const probed = new Map<string, Promise<RtpCapabilities>>();
    const getNativeRtpCapabilities = (options: HandlerGetNativeRtpCapabilitiesOptions) => {
      let caps = probed.get(options.direction);
      if (!caps) {
        caps = base.getNativeRtpCapabilities(options);
        // a failed probe is tried again by the next load (which reports it)
        caps.catch(() => probed.delete(options.direction));
        probed.set(options.direction, caps);
      }
      return caps;
    };
    const factory: HandlerFactory = { name: base.name, factory: (options) => base.factory(options), getNativeRtpCapabilities };
    for (const direction of ["recvonly", "sendonly"] as const)
      getNativeRtpCapabilities({ direction }).catch((error: unknown) => console.warn("[media] probing the browser's RTP capabilities failed", direction, error));
    return factory;
  })().catch((error: unknown) => {
    console.warn("[media] detecting the browser for mediasoup failed", error);
    warming = null;
    return null;
  });
  return warming;
}

/** A Device loaded with the router's capabilities. */
export async function loadDevice(routerRtpCapabilities: RtpCapabilities): Promise<Device> {
  const handlerFactory = await warmDevice();
  const device = handlerFactory ? await Device.factory({ handlerFactory }) : await Device.factory();
  await device.load({ routerRtpCapabilities });
  return device;
}
