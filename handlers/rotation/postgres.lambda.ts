// Rotation function for PostgreSQL secrets (single user or alternating users). Bundled with pg only.
import { alternatingUsers, singleUser } from './database/strategies';
import { createRotationHandler } from './engine/handler';
import { postgresDriver } from './postgres/driver';

export type { RotationEvent } from './engine/types';

export const handler = createRotationHandler('postgres', {
  'postgres-single-user': singleUser(postgresDriver),
  'postgres-alternating-users': alternatingUsers(postgresDriver),
});
