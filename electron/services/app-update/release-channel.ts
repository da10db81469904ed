/**
 * The bench's release channels, as the app's updates follow them: the central server serves each
 * channel's signed app release at `/app-updates/<channel>/release.json` (trust/app-release.ts).
 * Promotion re-signs the same installers for the next channel; nothing is rebuilt. docs/release-app.md
 * has the release side.
 */
import { z } from 'zod';

export const benchReleaseChannels = ['canary', 'staged', 'stable', 'lts'] as const;
export const benchReleaseChannelSchema = z.enum(benchReleaseChannels);
export type BenchReleaseChannel = z.infer<typeof benchReleaseChannelSchema>;
