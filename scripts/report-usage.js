// Preloaded by the benchmark: writes this process's peak RSS (bytes) and CPU time (user + system, ms) as JSON to
// BENCH_USAGE_FILE when it exits. CPU time is the figure that compares on a machine shared with other work.
process.on('exit', () => {
  const file = process.env.BENCH_USAGE_FILE;
  if (!file) return;
  const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage();
  require('node:fs').writeFileSync(file, JSON.stringify({ rss: maxRSS * 1024, cpuMs: (userCPUTime + systemCPUTime) / 1000 }));
});
