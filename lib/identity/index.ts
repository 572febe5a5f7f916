// Re-exports of the identity area. Constructs land here one file each.
export {};
