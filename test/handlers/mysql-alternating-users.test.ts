// The mysql-alternating-users strategy against real MariaDB (Debian mariadb-server), through the Secrets Manager stand-in.
import { handler } from '../../handlers/rotation/mysql.lambda';
import { describeDatabaseRotation } from './database-suite';
import { mariaDbUnderTest } from './databases';

describeDatabaseRotation({ strategy: 'mysql-alternating-users', alternating: true, handler, db: mariaDbUnderTest() });
