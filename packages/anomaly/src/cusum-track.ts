import { cusumStep } from '@cabc/rules';
import type { CusumTrack } from './state.ts';

/**
 * Advances a two-sided CUSUM (the one-sided recursion of @cabc/rules, once per direction) by one signed point x,
 * remembering where each side's current run started and how long it is. The mean of x over a run is
 * statistic / length + slack.
 */
export function advanceTrack(track: CusumTrack, x: number, slack: number, id: string): void {
  const up = cusumStep(track.up, x, slack);
  if (up > 0 && track.up === 0) {
    track.upStart = id;
    track.upLength = 0;
  }
  if (up > 0) track.upLength += 1;
  else Object.assign(track, { upStart: null, upLength: 0 });
  track.up = up;

  const down = cusumStep(track.down, -x, slack);
  if (down > 0 && track.down === 0) {
    track.downStart = id;
    track.downLength = 0;
  }
  if (down > 0) track.downLength += 1;
  else Object.assign(track, { downStart: null, downLength: 0 });
  track.down = down;
}

export function runMean(statistic: number, length: number, slack: number): number {
  return length === 0 ? 0 : statistic / length + slack;
}
