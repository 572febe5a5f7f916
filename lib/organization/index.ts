// Re-exports of the organization area. Constructs land here one file each.
export {};
