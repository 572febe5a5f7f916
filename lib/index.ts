export * from './common';
export * from './identity';
export * from './secrets';
export * from './storage';
export * from './federation';
export * from './organization';
export * from './sharing';
