// The cdktf app's entry (cdktf.json runs scripts/synth.js, which runs this bundled): the app itself is in app/.
import { main } from './app/main';

process.exitCode = main();
