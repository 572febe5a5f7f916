// Rotation function for MySQL and MariaDB secrets (single user or alternating users). Bundled with mysql2 only.
import { alternatingUsers, singleUser } from './database/strategies';
import { createRotationHandler } from './engine/handler';
import { mysqlDriver } from './mysql/driver';

export type { RotationEvent } from './engine/types';

export const handler = createRotationHandler('mysql', {
  'mysql-single-user': singleUser(mysqlDriver),
  'mysql-alternating-users': alternatingUsers(mysqlDriver),
});
