// "Skip partners whose video stays black for 10 s": samples the partner's video once a second on a tiny canvas; a
// picture that is missing or dark all that time calls `onBlack` once.
const BLACK_FOR_MS = 10_000;
const SAMPLE_MS = 1000;
/** mean luma (0-255) below which a frame counts as black: a covered camera, or one sending nothing but black */
const DARK_LUMA = 16;

export class BlackVideoWatch {
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly video = document.createElement("video");
  private readonly canvas = document.createElement("canvas");
  private blackSince = Date.now();

  constructor(
    private readonly remote: () => MediaStream | null,
    private readonly onBlack: () => Promise<void>,
  ) {
    this.video.muted = true;
    this.canvas.width = 16;
    this.canvas.height = 12;
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.video.srcObject = null;
  }

  private sample(): void {
    const stream = this.remote();
    if (stream && this.video.srcObject !== stream) {
      this.video.srcObject = stream;
      void this.video.play().catch(() => undefined);
    }
    if (!this.isBlack()) this.blackSince = Date.now();
    else if (Date.now() - this.blackSince >= BLACK_FOR_MS) {
      this.stop();
      void this.onBlack();
    }
  }

  private isBlack(): boolean {
    if (this.video.videoWidth === 0) return true;
    const context = this.canvas.getContext("2d", { willReadFrequently: true });
    if (!context) return false;
    context.drawImage(this.video, 0, 0, this.canvas.width, this.canvas.height);
    const { data } = context.getImageData(0, 0, this.canvas.width, this.canvas.height);
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) sum += 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
    return sum / (data.length / 4) < DARK_LUMA;
  }
}
