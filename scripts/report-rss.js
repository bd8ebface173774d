// Preloaded by the benchmark: reports this process's peak RSS when it exits.
process.on('exit', () => {
  const file = process.env.BENCH_RSS_FILE;
  if (file) require('node:fs').writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
});
