// Re-exports of the federation area. Constructs land here one file each.
export {};
