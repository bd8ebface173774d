// Every test file, as the app command does: no stack trace recorded for each token cdktf creates unless RANCHER_DEBUG
// is set (app/token-traces.ts says why; one copy of the override, for both).
require('../../app/token-traces').skipTokenTraces();
