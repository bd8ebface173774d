// `require('cdktf')` answered by the very module object `require('cdktn')` gives, so the app, the library and every
// binding (the @cdktf/provider-* ones require 'cdktf', the @cdktn/provider-* ones 'cdktn') share one core: one
// TerraformStack class, one token registry. An npm alias (`npm:cdktn@0.24.0`) would install a second copy instead.
module.exports = require('cdktn');
