// Loaded into each platform process by the soak benchmark (`node --import`): every PROBE_INTERVAL_MS it writes one
// line with the process's RSS and the event-loop delay of the window (then resets it); the supervisor prefixes the
// line with the process's name, so the benchmark reads it from the platform's output.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
setInterval(
  () => {
    const line = {
      probe: {
        rss: process.memoryUsage.rss(),
        p99Ms: histogram.percentile(99) / 1e6,
        maxMs: histogram.max / 1e6,
        meanMs: histogram.mean / 1e6,
      },
    };
    process.stderr.write(`${JSON.stringify(line)}\n`);
    histogram.reset();
  },
  Number(process.env.PROBE_INTERVAL_MS ?? 10_000),
).unref();
