// The types of the module index.js forwards to.
export * from 'cdktn';
