/** How a StackSet operation moves through its regions. */
export enum RegionConcurrency {
  /** One region after the other, in the order given: a failing region stops the rest. */
  SEQUENTIAL = 'SEQUENTIAL',
  /** All regions at once. */
  PARALLEL = 'PARALLEL',
}
