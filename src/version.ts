import pkg from "../package.json" with { type: "json" };

declare const UDPOT_COMMIT: string | undefined;

/** Version from package.json, baked into compiled binaries. */
export const VERSION: string = pkg.version;

/**
 * Commit the binary was built from. `scripts/release` and `npm run build`
 * pass it with `--define UDPOT_COMMIT='"<sha>"'`; running from source says "dev".
 */
export const COMMIT: string = typeof UDPOT_COMMIT === "string" ? UDPOT_COMMIT : "dev";

/** `udpot 0.1.0 (abc1234)`, for --version and the start-up line. */
export const VERSION_LINE = `udpot ${VERSION} (${COMMIT})`;
