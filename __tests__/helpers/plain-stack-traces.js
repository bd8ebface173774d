// cdktf records a full stack trace for every token it creates
// (Error.captureStackTrace on a plain object, read at once, with no frame
// limit). Inside jest each frame went through source-map-support, a third of a
// stack synth's time. Traces of real errors (of any realm) stay source-mapped;
// a token's creation trace, shown only when the token fails to resolve, keeps
// its innermost frames in V8's own format (positions in the transformed file).
const CREATION_FRAMES = 12;
const mapped = Error.prepareStackTrace;
if (typeof mapped === 'function') {
  Error.prepareStackTrace = function prepareStackTrace(error, frames) {
    if (Object.prototype.toString.call(error) === '[object Error]') return mapped(error, frames);
    return ['Error', ...frames.slice(0, CREATION_FRAMES).map((frame) => `    at ${frame}`)].join('\n');
  };
}
