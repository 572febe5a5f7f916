// Re-exports of the building blocks every area uses.
export * from './secure-key';
export * from './acknowledgements';
