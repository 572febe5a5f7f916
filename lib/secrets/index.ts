// Re-exports of the secrets area. Constructs land here one file each.
export {};
