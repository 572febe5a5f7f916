// Re-exports of the sharing area. Constructs land here one file each.
export {};
