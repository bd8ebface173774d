// Jest runtime for the unit tier: the installed packages (node_modules: cdktf, the provider bindings, zod, yaml, ...)
// are loaded once per worker and handed to every later test file of that worker, instead of read, compiled and run
// again for each file. The project's own modules (lib/, app/, the tests and their helpers) still load afresh for
// every file, as jest does. Safe here because the one module the unit tier mocks (child_process, which
// __tests__/helpers/no-processes.js refuses the same way in every file) is not one of them, and these packages keep no
// state a test depends on; measured in docs/design-notes.md, "Performance".
const Runtime = require('jest-runtime').default;

/** Modules of installed packages, by path, as the first file of this worker loaded them. */
const packages = new Map();
/** The runtime of the test file running now: a package's own later require() goes through it. */
const running = { runtime: undefined };

const isPackage = (modulePath) => modulePath.includes('/node_modules/');

class PackagesOnceRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    running.runtime = this;
  }

  // A package loaded by an earlier file holds that file's require(); one it calls only now (a lazy require) must
  // load through the file that runs now, not through a runtime jest has torn down.
  requireModuleOrMock(from, moduleName) {
    const now = running.runtime;
    if (this.isTornDown && now && now !== this) return now.requireModuleOrMock(from, moduleName);
    return super.requireModuleOrMock(from, moduleName);
  }

  _loadModule(localModule, from, moduleName, modulePath, options, moduleRegistry) {
    if (options?.isInternalModule || !isPackage(modulePath)) {
      return super._loadModule(localModule, from, moduleName, modulePath, options, moduleRegistry);
    }
    const loaded = packages.get(modulePath);
    if (loaded) {
      localModule.exports = loaded.exports;
      localModule.loaded = true;
      return;
    }
    super._loadModule(localModule, from, moduleName, modulePath, options, moduleRegistry);
    packages.set(modulePath, localModule);
  }
}

module.exports = PackagesOnceRuntime;
