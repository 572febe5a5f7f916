// Re-exports of the storage area. Constructs land here one file each.
export {};
