import { IConstruct } from 'constructs';

/**
 * State kept on a construct (an App or a Stack) rather than in a module global: two copies of the
 * library in one app share it (Symbol.for), and it goes away with the construct tree. `name` is
 * `<area>.<what>`, e.g. `secrets.secret-names`.
 */
export function scopedState<T>(scope: IConstruct, name: string, create: () => T): T {
  const key = Symbol.for(`cdk-security-patterns.${name}`);
  const holder = scope as unknown as Record<symbol, T | undefined>;
  let state = holder[key];
  if (state === undefined) {
    state = create();
    Object.defineProperty(scope, key, { value: state, enumerable: false });
  }
  return state;
}
