/**
 * The scenarios every database strategy must pass, against a real server: full rotation, ten in
 * a row, a crash after each step followed by the service's retry, the database down during
 * setSecret and testSecret, a second token while one is pending, bad secret JSON, passwords with
 * every allowed special character, odd user names, TLS demands, and no password in the logs.
 * Each test uses its own database user and secret, so one server serves the whole file.
 */
import { randomBytes } from 'node:crypto';
import { CredentialTrap } from '../support/databases/credential-trap';
import { TcpProxy } from '../support/databases/tcp-proxy';
import type { DatabaseUnderTest } from './databases';
import { RotationRig, STEPS, startAll, uniqueName, withEnv, type Handler } from './harness';

export interface SuiteOptions {
  readonly strategy: string;
  readonly alternating: boolean;
  readonly handler: Handler;
  readonly db: DatabaseUnderTest;
}

const ALL_PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
/** What the default EXCLUDE_CHARACTERS leaves of the punctuation. */
const DEFAULT_ALLOWED_PUNCTUATION = '!$()*+,-._~';

export function describeDatabaseRotation({ strategy, alternating, handler, db }: SuiteOptions): void {
  describe(`${strategy} on ${db.label}`, () => {
    // The test servers speak no TLS: the function lets secrets opt out, and they do ("ssl": false).
    const rig = new RotationRig(handler, strategy, { REQUIRE_TLS: 'false' });
    let proxy: TcpProxy;
    let masterArn: string;
    let proxiedMasterArn: string;

    beforeAll(async () => {
      await startAll([db.start(), rig.start()]);
      proxy = await TcpProxy.start(db.port);
      rig.extraSecrets.push(db.master.password);
      masterArn = await rig.createSecret(uniqueName('master'), { engine: db.engine, host: db.host, port: db.port, username: db.master.username, password: db.master.password, ssl: false });
      proxiedMasterArn = await rig.createSecret(uniqueName('master'), { engine: db.engine, host: db.host, port: proxy.port, username: db.master.username, password: db.master.password, ssl: false });
    });

    afterAll(async () => {
      await proxy?.down();
      await rig.stop();
      await db.stop();
    });

    /** A fresh database user and its secret. */
    async function newUser(options: { name?: string; viaProxy?: boolean; extra?: Record<string, unknown> } = {}) {
      const username = options.name ?? uniqueName('app');
      const password = randomBytes(18).toString('base64url');
      await db.createUser(username, password);
      const secret: Record<string, unknown> = {
        engine: db.engine, host: db.host, port: options.viaProxy ? proxy.port : db.port, username, password, ssl: false,
        ...(db.dbname ? { dbname: db.dbname } : {}),
        ...(alternating ? { masterarn: options.viaProxy ? proxiedMasterArn : masterArn } : {}),
        ...options.extra,
      };
      const arn = await rig.createSecret(uniqueName('secret'), secret);
      return { arn, username, password };
    }

    const logsIn = (json: Record<string, any>) => db.canLogin(json.username, json.password);
    const clone = (username: string) => `${username}_clone`;

    test('a full rotation: AWSCURRENT logs in, and the previous credential is retired or kept as the scheme says', async () => {
      const user = await newUser();
      const token = await rig.rotate(user.arn);

      const current = await rig.json(user.arn);
      expect(current.password).not.toBe(user.password);
      expect(await logsIn(current)).toBe(true);
      expect(await db.canReadProbe(current.username, current.password)).toBe(true);
      expect(rig.standIn.stagesOf(user.arn)[token]).toEqual(['AWSCURRENT']);
      expect(Object.values(rig.standIn.stagesOf(user.arn)).flat().sort()).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);

      if (alternating) {
        // The clone took over; the original user still works with its old password (AWSPREVIOUS).
        expect(current.username).toBe(clone(user.username));
        expect(await db.canLogin(user.username, user.password)).toBe(true);
        // A second rotation moves back to the original user with a new password.
        await rig.rotate(user.arn);
        const next = await rig.json(user.arn);
        expect(next.username).toBe(user.username);
        expect(await logsIn(next)).toBe(true);
        expect(await logsIn(current)).toBe(true);
        expect(await db.canLogin(user.username, user.password)).toBe(false);
      } else {
        expect(current.username).toBe(user.username);
        expect(await db.canLogin(user.username, user.password)).toBe(false);
      }
    });

    test('ten rotations in a row', async () => {
      const user = await newUser();
      const passwords = [user.password];
      for (let i = 1; i <= 10; i++) {
        await rig.rotate(user.arn);
        const current = await rig.json(user.arn);
        const previous = await rig.json(user.arn, 'AWSPREVIOUS');
        passwords.push(current.password);
        expect(await logsIn(current)).toBe(true);
        if (alternating) {
          expect(current.username).toBe(i % 2 === 1 ? clone(user.username) : user.username);
          expect(await logsIn(previous)).toBe(true);
        } else {
          expect(await logsIn(previous)).toBe(false);
        }
      }
      expect(new Set(passwords).size).toBe(11);
      expect(Object.values(rig.standIn.stagesOf(user.arn)).flat().sort()).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
    });

    test.each(STEPS)('a crash after %s, then the retry from Secrets Manager, loses no credential', async (step) => {
      const user = await newUser();
      const token = await rig.rotate(user.arn, { stopAfter: step });

      const current = await rig.json(user.arn);
      const pendingText = rig.standIn.valueAt(user.arn, 'AWSPENDING');
      if (alternating || step === 'createSecret' || step === 'finishSecret') {
        expect(await logsIn(current)).toBe(true);
      } else {
        // Single user, between setSecret and finishSecret: the database already has AWSPENDING's
        // password, which the secret holds, so nothing is lost; AWSCURRENT works again once the
        // retry finishes (one password per user is what single-user rotation means).
        expect(await logsIn(JSON.parse(pendingText!))).toBe(true);
        expect(await logsIn(current)).toBe(false);
      }

      // The service retries the rotation with the same token, from the first step.
      await rig.runSteps(user.arn, token);
      const after = await rig.json(user.arn);
      expect(rig.standIn.stagesOf(user.arn)[token]).toEqual(['AWSCURRENT']);
      expect(await logsIn(after)).toBe(true);
      if (step !== 'createSecret' && pendingText) expect(after.password).toBe(JSON.parse(pendingText).password);

      // And the secret rotates normally afterwards.
      await rig.rotate(user.arn);
      expect(await logsIn(await rig.json(user.arn))).toBe(true);
    });

    test.each(['setSecret', 'testSecret'] as const)('fails when the database is down during %s, leaving AWSCURRENT untouched', async (step) => {
      const user = await newUser({ viaProxy: true });
      const token = await rig.startRotation(user.arn);
      await rig.runSteps(user.arn, token, STEPS.slice(0, STEPS.indexOf(step)));
      const before = { stages: rig.standIn.stagesOf(user.arn), value: await rig.value(user.arn) };

      await proxy.down();
      try {
        await expect(rig.invoke(step, user.arn, token)).rejects.toThrow(new RegExp(`${step} failed .*cannot connect to .* ECONNREFUSED`));
      } finally {
        await proxy.up();
      }
      expect(rig.standIn.stagesOf(user.arn)).toEqual(before.stages);
      expect(await rig.value(user.arn)).toBe(before.value);
      // After setSecret, a single user's password is AWSPENDING's.
      if (alternating || step === 'setSecret') expect(await logsIn(JSON.parse(before.value))).toBe(true);

      await rig.runSteps(user.arn, token, STEPS.slice(STEPS.indexOf(step)));
      expect(await logsIn(await rig.json(user.arn))).toBe(true);
    });

    test('a second rotation token while one is pending is refused, and the pending rotation completes', async () => {
      const user = await newUser();
      const first = await rig.startRotation(user.arn);
      await rig.invoke('createSecret', user.arn, first);

      await expect(rig.startRotation(user.arn)).rejects.toThrow(/previous rotation isn't complete/);
      // A step for a token that is no version of the secret does nothing.
      await expect(rig.invoke('setSecret', user.arn, '11111111-2222-3333-4444-555555555555')).rejects.toThrow(/has no stage/);
      expect(await logsIn(await rig.json(user.arn))).toBe(true);

      await rig.runSteps(user.arn, first, ['setSecret', 'testSecret', 'finishSecret']);
      expect(rig.standIn.stagesOf(user.arn)[first]).toEqual(['AWSCURRENT']);
      expect(await logsIn(await rig.json(user.arn))).toBe(true);
    });

    test('a late step of a cancelled rotation is refused and the newer rotation completes', async () => {
      const user = await newUser();
      const stale = await rig.startRotation(user.arn);
      await rig.invoke('createSecret', user.arn, stale);
      await rig.cancelRotation(user.arn, stale);
      const fresh = await rig.startRotation(user.arn);

      await expect(rig.invoke('setSecret', user.arn, stale)).rejects.toThrow(/version .* has no stage/);
      expect(await db.canLogin(user.username, user.password)).toBe(true);

      await rig.runSteps(user.arn, fresh);
      const current = await rig.json(user.arn);
      expect(await logsIn(current)).toBe(true);
      expect(rig.standIn.stagesOf(user.arn)[fresh]).toEqual(['AWSCURRENT']);
    });

    type BadSecret = [string, (u: { username: string; password: string }) => string, RegExp];
    const badSecrets: BadSecret[] = [
      // Lines, not spaces: the leak check treats this whole text as secret, and with a space
      // a user name ending in 'e' made "e password", which the handler's messages rightly contain.
      ['is not JSON', (u) => `engine=${db.engine}\nuser=${u.username}\npassword=${u.password}`, /is not valid JSON/],
      ['lacks the user name', (u) => JSON.stringify({ engine: db.engine, host: db.host, port: db.port, password: u.password, ...(alternating ? { masterarn: 'arn:master' } : {}) }), /is missing 'username'/],
      ['names an unsupported engine', (u) => JSON.stringify({ engine: 'oracle', host: db.host, username: u.username, password: u.password, masterarn: 'arn:master' }), /names engine 'oracle', which this strategy does not rotate; supported engines: /],
      ['has a bad port', (u) => JSON.stringify({ engine: db.engine, host: db.host, port: 'five', username: u.username, password: u.password, masterarn: 'arn:master' }), /field 'port' must be a number from 1 to 65535, got 'five'/],
      ...(alternating ? [['lacks masterarn', (u) => JSON.stringify({ engine: db.engine, host: db.host, username: u.username, password: u.password }), /is missing 'masterarn'/] as BadSecret] : []),
    ];
    test.each(badSecrets)('fails clearly when the secret %s, storing nothing', async (_name, makeValue, message) => {
      const username = uniqueName('bad');
      const password = randomBytes(18).toString('base64url');
      const arn = await rig.createSecret(uniqueName('secret'), makeValue({ username, password }));
      const token = await rig.startRotation(arn);
      const error = await rig.invoke('createSecret', arn, token).then(() => undefined, (err: Error) => err);
      expect(error?.message).toMatch(message);
      expect(error?.message).not.toContain(password);
      expect(rig.standIn.valueAt(arn, 'AWSPENDING')).toBeUndefined();
      expect(await rig.value(arn)).toBe(makeValue({ username, password }));
    });

    test('a password with every special character the defaults allow', async () => {
      const user = await newUser();
      const password = `Aa1${DEFAULT_ALLOWED_PUNCTUATION}${randomBytes(8).toString('hex')}`;
      rig.standIn.queueRandomPassword(password);
      await rig.rotate(user.arn);
      const current = await rig.json(user.arn);
      expect(current.password).toBe(password);
      expect(await logsIn(current)).toBe(true);
    });

    test('a password with every punctuation character when EXCLUDE_CHARACTERS is empty', async () => {
      const user = await newUser();
      const password = `Aa1${ALL_PUNCTUATION}${randomBytes(8).toString('hex')}`;
      await withEnv({ EXCLUDE_CHARACTERS: '' }, async () => {
        rig.standIn.queueRandomPassword(password);
        await rig.rotate(user.arn);
        // And back: a second rotation sets a quote-laden password on the other (or same) user.
        rig.standIn.queueRandomPassword(`'\\"${password}`);
        await rig.rotate(user.arn);
      });
      const current = await rig.json(user.arn);
      expect(current.password).toBe(`'\\"${password}`);
      expect(await logsIn(current)).toBe(true);
      expect(await logsIn(await rig.json(user.arn, 'AWSPREVIOUS'))).toBe(alternating);
    });

    test('quotes user names safely', async () => {
      // Both quote characters, a backtick, a backslash, a space and SQL comment/terminator syntax.
      const odd = `o'q"x\`b\\s;-- ${uniqueName('u')}`;
      const user = await newUser({ name: odd });
      await rig.rotate(user.arn);
      if (alternating) {
        // The clone exists under its exact name and got the grants (SHOW GRANTS rows matched the odd name).
        const clonedTo = await rig.json(user.arn);
        expect(clonedTo.username).toBe(clone(odd));
        expect(await db.userExists(clone(odd))).toBe(true);
        expect(await db.canReadProbe(clonedTo.username, clonedTo.password)).toBe(true);
      }
      await rig.rotate(user.arn);
      const current = await rig.json(user.arn);
      expect(current.username).toBe(odd);
      expect(await logsIn(current)).toBe(true);
      expect(await db.canReadProbe(current.username, current.password)).toBe(true);
      if (!alternating) expect(await db.canLogin(odd, user.password)).toBe(false);
    });

    test('fails when a secret opts out of TLS ("ssl": false) while REQUIRE_TLS is true (the default), before connecting', async () => {
      const user = await newUser({ viaProxy: true });
      const token = await rig.startRotation(user.arn);
      await rig.invoke('createSecret', user.arn, token);
      const before = { stages: rig.standIn.stagesOf(user.arn), connections: proxy.connections };
      await withEnv({ REQUIRE_TLS: '' }, () => expect(rig.invoke('setSecret', user.arn, token))
        .rejects.toThrow(/the AWSPENDING value of secret .* says "ssl": false, but REQUIRE_TLS is true \(the default\), so every login uses verified TLS; remove "ssl": false, or set REQUIRE_TLS=false/));
      expect(proxy.connections).toBe(before.connections);
      expect(rig.standIn.stagesOf(user.arn)).toEqual(before.stages);
      expect(await db.canLogin(user.username, user.password)).toBe(true);
    });

    test('a secret without "ssl" gets verified TLS and never plain TCP: against a server without TLS setSecret fails, AWSCURRENT untouched', async () => {
      const user = await newUser({ extra: { ssl: undefined } });
      const token = await rig.startRotation(user.arn);
      await rig.invoke('createSecret', user.arn, token);
      const before = rig.standIn.stagesOf(user.arn);
      await expect(rig.invoke('setSecret', user.arn, token)).rejects.toThrow(/cannot connect .* as AWSCURRENT: .*TLS is required/);
      expect(rig.standIn.stagesOf(user.arn)).toEqual(before);
      expect(await db.canLogin(user.username, user.password)).toBe(true);
      expect(rig.logs.records().filter((r) => r.secretArn === user.arn && /plain TCP/.test(r.message ?? ''))).toEqual([]);
    });

    test('a secret with "ssl": true demands TLS too', async () => {
      const user = await newUser({ extra: { ssl: true } });
      const token = await rig.startRotation(user.arn);
      await rig.invoke('createSecret', user.arn, token);
      await expect(rig.invoke('setSecret', user.arn, token)).rejects.toThrow(/TLS is required/);
      expect(await db.canLogin(user.username, user.password)).toBe(true);
    });

    if (!alternating) {
      test('falls back to AWSPREVIOUS when AWSCURRENT no longer logs in (a database restored from a backup)', async () => {
        const user = await newUser();
        await rig.rotate(user.arn);
        // The database goes back to the old password, which is now AWSPREVIOUS.
        await db.setPassword(user.username, user.password);
        expect(await logsIn(await rig.json(user.arn))).toBe(false);

        await rig.rotate(user.arn);
        expect(await logsIn(await rig.json(user.arn))).toBe(true);
        expect(rig.logs.records().some((r) => r.outcome === 'login' && r.credential === 'AWSPREVIOUS' && r.secretArn === user.arn)).toBe(true);
      });

      test('fails when AWSPENDING names another user, leaving that user alone', async () => {
        const user = await newUser();
        const victim = await newUser();
        const token = await rig.startRotation(user.arn);
        // putValue uses its own token, which now carries AWSPENDING.
        const pendingToken = await rig.putValue(user.arn, { ...(await rig.json(user.arn)), username: victim.username, password: 'Zz9-attacker-chosen-password' }, ['AWSPENDING']);
        expect(pendingToken).not.toBe(token);
        await expect(rig.invoke('setSecret', user.arn, pendingToken)).rejects.toThrow(/names another user, server or TLS setting than AWSCURRENT/);
        expect(await db.canLogin(victim.username, victim.password)).toBe(true);
      });

      test('fails when no stored password logs in, changing nothing', async () => {
        const user = await newUser();
        await db.setPassword(user.username, randomBytes(18).toString('base64url'));
        const token = await rig.startRotation(user.arn);
        await rig.invoke('createSecret', user.arn, token);
        await expect(rig.invoke('setSecret', user.arn, token)).rejects.toThrow(/rejected the passwords of AWSPENDING, AWSCURRENT and AWSPREVIOUS/);
        expect(rig.standIn.stagesOf(user.arn)[token]).toEqual(['AWSPENDING']);
      });
    } else {
      const postgres = db.engine === 'postgres';
      const endpoint = () => `${db.host}:${db.port}`;
      /** A master secret as RDS manages it: only the credentials. */
      const rdsManagedMaster = () => rig.createSecret(uniqueName('master'), { username: db.master.username, password: db.master.password, ssl: false });

      test('the clone holds the grants of the current user', async () => {
        const user = await newUser();
        await rig.rotate(user.arn);
        const current = await rig.json(user.arn);
        expect(current.username).toBe(clone(user.username));
        expect(await db.canReadProbe(current.username, current.password)).toBe(true);
      });

      test('AWSCURRENT logs in before the master does (no parallel start)', async () => {
        const user = await newUser();
        const token = await rig.rotate(user.arn);
        const logins = rig.logs.records().filter((r) => r.token === token && r.step === 'setSecret' && r.outcome === 'login').map((r) => r.credential);
        expect(logins).toEqual(['AWSCURRENT', 'master']);
      });

      if (!postgres) {
        test('an alternate user left without grants (a crash inside setSecret, or made by hand) is brought in step', async () => {
          const user = await newUser();
          const bare = randomBytes(18).toString('base64url');
          await db.createBareUser(clone(user.username), bare);
          expect(await db.canLogin(clone(user.username), bare)).toBe(true);
          expect(await db.canReadProbe(clone(user.username), bare)).toBe(false);
          await rig.rotate(user.arn);
          const current = await rig.json(user.arn);
          expect(current.username).toBe(clone(user.username));
          expect(await db.canReadProbe(current.username, current.password)).toBe(true);
        });
      }

      test('works with a master user that is not a superuser (as on Amazon RDS), which created the application user', async () => {
        const masterName = uniqueName('rdsmaster');
        const masterPassword = randomBytes(18).toString('base64url');
        const username = uniqueName('app');
        const password = randomBytes(18).toString('base64url');
        await db.createRdsLikeMasterAndUser(masterName, masterPassword, username, password);
        rig.extraSecrets.push(masterPassword);
        const master = await rig.createSecret(uniqueName('master'), { username: masterName, password: masterPassword, ssl: false });
        const arn = await rig.createSecret(uniqueName('secret'), {
          engine: db.engine, host: db.host, port: db.port, username, password, masterarn: master, ssl: false, ...(db.dbname ? { dbname: db.dbname } : {}),
        });
        await withEnv({ ALLOWED_DATABASE_ENDPOINTS: endpoint() }, async () => {
          for (const expected of [clone(username), username, clone(username)]) {
            await rig.rotate(arn);
            const current = await rig.json(arn);
            expect(current.username).toBe(expected);
            expect(await db.canReadProbe(current.username, current.password)).toBe(true);
            expect(await logsIn(await rig.json(arn, 'AWSPREVIOUS'))).toBe(true);
          }
        });
      });

      test('works with a master secret that holds only username and password (as RDS manages it) when ALLOWED_DATABASE_ENDPOINTS lists the server', async () => {
        const user = await newUser({ extra: { masterarn: await rdsManagedMaster() } });
        await withEnv({ ALLOWED_DATABASE_ENDPOINTS: `10.9.9.9:5432, ${endpoint()}` }, () => rig.rotate(user.arn));
        expect(await logsIn(await rig.json(user.arn))).toBe(true);
      });

      test('fails when the master secret names no host and ALLOWED_DATABASE_ENDPOINTS is unset, never logging in as master', async () => {
        const user = await newUser({ extra: { masterarn: await rdsManagedMaster() } });
        const token = await rig.startRotation(user.arn);
        await rig.invoke('createSecret', user.arn, token);
        await expect(rig.invoke('setSecret', user.arn, token))
          .rejects.toThrow(/the master secret .* names no host, and ALLOWED_DATABASE_ENDPOINTS is not set, so nothing trusted says which server may receive the master password/);
        expect(rig.logs.records().filter((r) => r.token === token && r.credential === 'master')).toEqual([]);
      });

      test('fails when ALLOWED_DATABASE_ENDPOINTS does not list the secret\'s server, before connecting anywhere', async () => {
        const user = await newUser({ viaProxy: true });
        const token = await rig.startRotation(user.arn);
        await rig.invoke('createSecret', user.arn, token);
        const before = proxy.connections;
        await withEnv({ ALLOWED_DATABASE_ENDPOINTS: endpoint() }, () => expect(rig.invoke('setSecret', user.arn, token))
          .rejects.toThrow(/the AWSCURRENT value of secret .* names 127\.0\.0\.1:\d+, which ALLOWED_DATABASE_ENDPOINTS does not list \(127\.0\.0\.1:\d+\); refusing to send a credential there/));
        expect(proxy.connections).toBe(before);
      });

      test('fails when the master secret is for another server', async () => {
        const otherMaster = await rig.createSecret(uniqueName('master'), { engine: db.engine, host: '10.0.0.1', port: db.port, username: db.master.username, password: db.master.password });
        const user = await newUser({ extra: { masterarn: otherMaster } });
        const token = await rig.startRotation(user.arn);
        await rig.invoke('createSecret', user.arn, token);
        await expect(rig.invoke('setSecret', user.arn, token)).rejects.toThrow(/is for 10\.0\.0\.1:\d+, another server than secret/);
        expect(await db.userExists(clone(user.username))).toBe(false);
      });

      test('fails when AWSCURRENT does not log in (confused-deputy guard), creating no user and never logging in as master', async () => {
        const user = await newUser();
        await db.setPassword(user.username, randomBytes(18).toString('base64url'));
        const token = await rig.startRotation(user.arn);
        await rig.invoke('createSecret', user.arn, token);
        await expect(rig.invoke('setSecret', user.arn, token)).rejects.toThrow(/rejected the AWSCURRENT password .*declare it in DATABASE_USERS/);
        expect(await db.userExists(clone(user.username))).toBe(false);
        expect(rig.logs.records().filter((r) => r.token === token && r.credential === 'master')).toEqual([]);
      });

      test('fails when AWSPENDING names a user other than the alternate, leaving that user alone', async () => {
        const user = await newUser();
        const victim = await newUser();
        await rig.startRotation(user.arn);
        const pendingToken = await rig.putValue(user.arn, { ...(await rig.json(user.arn)), username: victim.username, password: 'Zz9-attacker-chosen-password' }, ['AWSPENDING']);
        await expect(rig.invoke('setSecret', user.arn, pendingToken)).rejects.toThrow(/must name the alternate of the AWSCURRENT user/);
        expect(await db.canLogin(victim.username, victim.password)).toBe(true);
      });

      describe('the clone holds exactly the privileges of the user', () => {
        if (postgres) {
          test('a pre-existing privileged clone the engine did not create is refused and never becomes the application\'s credential', async () => {
            const user = await newUser();
            const clonePassword = randomBytes(18).toString('base64url');
            rig.extraSecrets.push(clonePassword);
            await db.createPrivilegedUser(clone(user.username), clonePassword);
            const token = await rig.startRotation(user.arn);
            await rig.invoke('createSecret', user.arn, token);
            await expect(rig.invoke('setSecret', user.arn, token)).rejects.toThrow(/the role ".*_clone" exists but was not created by this rotation engine .*refusing to hand it out/);
            expect(rig.standIn.stagesOf(user.arn)[token]).toEqual(['AWSPENDING']);
            expect((await rig.json(user.arn)).username).toBe(user.username);
            // The engine did not touch it: its own password still works, AWSPENDING's does not.
            expect(await db.canLogin(clone(user.username), clonePassword)).toBe(true);
            expect(await logsIn(JSON.parse(rig.standIn.valueAt(user.arn, 'AWSPENDING')!))).toBe(false);
          });

          test('a clone the administrator marked as the engine\'s (the documented way to adopt one) is used', async () => {
            const user = await newUser();
            await db.createBareUser(clone(user.username), randomBytes(18).toString('base64url'));
            await db.admin(`COMMENT ON ROLE "${clone(user.username)}" IS 'alternate of "${user.username}", managed by the cdk-security-patterns rotation engine'`);
            await rig.rotate(user.arn);
            const current = await rig.json(user.arn);
            expect(current.username).toBe(clone(user.username));
            expect(await db.canReadProbe(current.username, current.password)).toBe(true);
          });

          test('what the engine reads on the application user\'s session cannot be faked through that user\'s search_path', async () => {
            const user = await newUser();
            const schema = uniqueName('s');
            await db.admin(`CREATE SCHEMA "${schema}" AUTHORIZATION "${user.username}"`);
            // As the application user: a pg_roles of its own, found first for every new session.
            expect(await db.runs(user.username, user.password, `CREATE VIEW "${schema}".pg_roles AS SELECT * FROM pg_catalog.pg_roles WHERE false`)).toBe(true);
            expect(await db.runs(user.username, user.password, `ALTER ROLE CURRENT_USER SET search_path = "${schema}", pg_catalog`)).toBe(true);
            expect(await db.runs(user.username, user.password, 'SELECT 1 FROM pg_roles HAVING count(*) = 0')).toBe(true);
            await rig.rotate(user.arn);
            const current = await rig.json(user.arn);
            expect(current.username).toBe(clone(user.username));
            expect(await db.canReadProbe(current.username, current.password)).toBe(true);
          });

          test('attributes and roles given to the clone after the engine made it are taken away at the next rotation', async () => {
            const user = await newUser();
            await rig.rotate(user.arn);
            const cloned = await rig.json(user.arn);
            await db.admin(`GRANT pg_read_all_data TO "${cloned.username}"; ALTER ROLE "${cloned.username}" CREATEDB CONNECTION LIMIT 7`);
            expect(await db.runs(cloned.username, cloned.password, db.privilegedSql)).toBe(true);
            await rig.rotate(user.arn);
            // The clone is AWSPREVIOUS now and still logs in, without what it was given.
            expect(await db.runs(cloned.username, cloned.password, db.privilegedSql)).toBe(false);
            expect(await db.canReadProbe(cloned.username, cloned.password)).toBe(true);
            const [role] = await db.admin('SELECT rolcreatedb, rolconnlimit FROM pg_roles WHERE rolname = $1', [cloned.username]);
            expect(role).toEqual({ rolcreatedb: false, rolconnlimit: -1 });
            const memberOf = await db.admin('SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles c ON c.oid = m.member WHERE c.rolname = $1', [cloned.username]);
            expect(memberOf).toEqual([{ rolname: user.username }]);
          });
        } else {
          test('a pre-existing privileged clone is stripped to exactly the user\'s privileges before it becomes the application\'s credential', async () => {
            const user = await newUser();
            const clonePassword = randomBytes(18).toString('base64url');
            rig.extraSecrets.push(clonePassword);
            await db.createPrivilegedUser(clone(user.username), clonePassword);
            expect(await db.runs(clone(user.username), clonePassword, db.privilegedSql)).toBe(true);
            await rig.rotate(user.arn);
            const current = await rig.json(user.arn);
            expect(current.username).toBe(clone(user.username));
            expect(await db.runs(current.username, current.password, db.privilegedSql)).toBe(false);
            expect(await db.runs(current.username, current.password, `CREATE USER ${uniqueName('x')}`)).toBe(false);
            expect(await db.canReadProbe(current.username, current.password)).toBe(true);
            const grants = async (name: string) => (await db.admin("SHOW GRANTS FOR ?@'%'", [name])).map((r) => String(Object.values(r)[0]).replace(/ IDENTIFIED BY PASSWORD .*$/, '').split('`@`')[0].replace(/`[^`]*$/, '`'));
            expect((await grants(clone(user.username))).map((g) => g.replace(clone(user.username), user.username))).toEqual(await grants(user.username));
          });

          test('a role and default role of the user are the clone\'s too, and a role given only to the clone is taken away', async () => {
            const user = await newUser();
            const reader = uniqueName('reader');
            const extra = uniqueName('extra');
            await db.createReaderRole(reader);
            await db.createReaderRole(extra);
            await db.admin("GRANT ? TO ?@'%'", [reader, user.username]);
            await db.admin("GRANT ? TO ?@'%'", [extra, user.username]);
            await db.admin("REVOKE ? FROM ?@'%'", [extra, user.username]);
            await db.admin("SET DEFAULT ROLE ? FOR ?@'%'", [reader, user.username]);
            await rig.rotate(user.arn);
            await db.admin("GRANT ? TO ?@'%'", [extra, clone(user.username)]);
            await rig.rotate(user.arn);
            await rig.rotate(user.arn);
            const rows = (await db.admin("SHOW GRANTS FOR ?@'%'", [clone(user.username)])).map((r) => String(Object.values(r)[0]));
            expect(rows.filter((r) => r.includes(reader))).toEqual([`GRANT \`${reader}\` TO \`${clone(user.username)}\`@\`%\``, `SET DEFAULT ROLE \`${reader}\` FOR \`${clone(user.username)}\`@\`%\``]);
            expect(rows.filter((r) => r.includes(extra))).toEqual([]);
          });
        }

        test('a privilege revoked from the user stays revoked after two rotations, for both users', async () => {
          const user = await newUser();
          await db.grantInsert(user.username);
          await rig.rotate(user.arn);
          const cloned = await rig.json(user.arn);
          expect(await db.runs(cloned.username, cloned.password, db.insertProbeSql)).toBe(true);

          await db.revokeInsert(user.username);
          await rig.rotate(user.arn);
          await rig.rotate(user.arn);
          const current = await rig.json(user.arn);
          const previous = await rig.json(user.arn, 'AWSPREVIOUS');
          expect([current.username, previous.username].sort()).toEqual([user.username, clone(user.username)].sort());
          for (const credential of [current, previous]) {
            expect(await db.runs(credential.username, credential.password, db.insertProbeSql)).toBe(false);
            expect(await db.canReadProbe(credential.username, credential.password)).toBe(true);
          }
        });

        test('a privilege granted to the user reaches the clone at the next rotation', async () => {
          const user = await newUser();
          await rig.rotate(user.arn);
          await rig.rotate(user.arn);
          await db.grantInsert(user.username);
          await rig.rotate(user.arn);
          const current = await rig.json(user.arn);
          expect(current.username).toBe(clone(user.username));
          expect(await db.runs(current.username, current.password, db.insertProbeSql)).toBe(true);
        });
      });

      describe('first rotation of a new secret, on a database without its user', () => {
        /** A secret for a user that does not exist yet, with a password as CloudFormation would generate it. */
        async function newSecretWithoutUser() {
          const username = uniqueName('new');
          const password = randomBytes(18).toString('base64url');
          const arn = await rig.createSecret(uniqueName('secret'), {
            engine: db.engine, host: db.host, port: db.port, username, password, masterarn: masterArn, ssl: false, ...(db.dbname ? { dbname: db.dbname } : {}),
          });
          return { arn, username, password };
        }
        const declare = (...users: Record<string, unknown>[]) => ({ DATABASE_USERS: JSON.stringify(users) });

        test('creates the declared user with its declared privileges, and the next rotations alternate as usual', async () => {
          const fresh = await newSecretWithoutUser();
          expect(await db.userExists(fresh.username)).toBe(false);
          await withEnv(declare({ username: fresh.username, grants: [db.probeGrant] }), () => rig.rotate(fresh.arn));
          const current = await rig.json(fresh.arn);
          expect(current.username).toBe(clone(fresh.username));
          expect(await db.canReadProbe(current.username, current.password)).toBe(true);
          expect(await db.runs(current.username, current.password, db.insertProbeSql)).toBe(false);
          // The initial password was never a database password: nobody who saw it can log in.
          expect(await db.canLogin(fresh.username, fresh.password)).toBe(false);

          await rig.rotate(fresh.arn);
          const next = await rig.json(fresh.arn);
          expect(next.username).toBe(fresh.username);
          expect(await db.canReadProbe(next.username, next.password)).toBe(true);
          expect(await logsIn(await rig.json(fresh.arn, 'AWSPREVIOUS'))).toBe(true);
        });

        test('gives the user its declared roles', async () => {
          const fresh = await newSecretWithoutUser();
          const reader = uniqueName('reader');
          await db.createReaderRole(reader);
          await withEnv(declare({ username: fresh.username, roles: [reader] }), () => rig.rotate(fresh.arn));
          const current = await rig.json(fresh.arn);
          expect(await db.canReadProbe(current.username, current.password)).toBe(true);
          await rig.rotate(fresh.arn);
          const next = await rig.json(fresh.arn);
          expect(await db.canReadProbe(next.username, next.password)).toBe(true);
        });

        test('quotes declared names: a table whose name holds quotes, a backtick and SQL syntax is granted as named', async () => {
          const fresh = await newSecretWithoutUser();
          const table = `t'q"x\`b;-- ${uniqueName('')}`;
          const grant = postgres ? { privileges: ['SELECT'], table } : { privileges: ['SELECT'], database: 'probe', table };
          if (postgres) await db.admin(`CREATE TABLE "${table.replace(/"/g, '""')}" (id int)`);
          else await db.admin(`CREATE TABLE probe.\`${table.replace(/`/g, '``')}\` (id int)`);
          await withEnv(declare({ username: fresh.username, grants: [grant] }), () => rig.rotate(fresh.arn));
          const current = await rig.json(fresh.arn);
          const select = postgres ? `SELECT * FROM "${table.replace(/"/g, '""')}"` : `SELECT * FROM probe.\`${table.replace(/`/g, '``')}\``;
          expect(await db.runs(current.username, current.password, select)).toBe(true);
          expect(await db.canReadProbe(current.username, current.password)).toBe(false);
        });

        test('a crash after setSecret, then the retry, completes the first rotation', async () => {
          const fresh = await newSecretWithoutUser();
          await withEnv(declare({ username: fresh.username, grants: [db.probeGrant] }), async () => {
            const token = await rig.rotate(fresh.arn, { stopAfter: 'setSecret' });
            await rig.runSteps(fresh.arn, token);
          });
          const current = await rig.json(fresh.arn);
          expect(current.username).toBe(clone(fresh.username));
          expect(await db.canReadProbe(current.username, current.password)).toBe(true);
        });

        test('fails clearly when DATABASE_USERS does not declare the user, creating nothing', async () => {
          const fresh = await newSecretWithoutUser();
          const token = await rig.startRotation(fresh.arn);
          await rig.invoke('createSecret', fresh.arn, token);
          await withEnv(declare({ username: uniqueName('other'), grants: [] }), () => expect(rig.invoke('setSecret', fresh.arn, token))
            .rejects.toThrow(/rejected the AWSCURRENT password .*if the user does not exist yet, declare it in DATABASE_USERS/));
          expect(await db.userExists(fresh.username)).toBe(false);
          expect(await db.userExists(clone(fresh.username))).toBe(false);
        });
      });
    }

    describe('an attacker who may write secret values (PutSecretValue) but not read them', () => {
      let trap: CredentialTrap;
      beforeAll(async () => { trap = await (db.engine === 'postgres' ? CredentialTrap.postgres() : CredentialTrap.mysql()); });
      afterAll(() => trap?.stop());

      /** The attacker's AWSCURRENT: the secret's shape (not secret), their server, a password of their own. */
      async function writeAttackersCurrent(arn: string, changes: Record<string, unknown> = {}) {
        const { password: _unknownToThem, ...shape } = await rig.json(arn);
        await rig.putValue(arn, { ...shape, host: trap.host, port: trap.port, password: 'Attacker-own-password-1', ...changes });
      }

      /** Nothing the trap recorded logs into the real database as any user involved. */
      async function trapLearntNothingUsable(usernames: string[]) {
        for (const password of trap.passwords) {
          for (const username of usernames) expect(await db.canLogin(username, password)).toBe(false);
        }
      }

      test('naming their server (127.0.0.2) in AWSCURRENT: the next rotation sends it no password that logs into the real database', async () => {
        const user = await newUser();
        await rig.rotate(user.arn);
        const real = await rig.json(user.arn);
        const before = trap.logins.length;
        await writeAttackersCurrent(user.arn);

        const token = await rig.startRotation(user.arn);
        await rig.invoke('createSecret', user.arn, token);
        await expect(rig.invoke('setSecret', user.arn, token)).rejects.toThrow(alternating
          ? /the master secret .* is for 127\.0\.0\.1:\d+ .*another server than secret/
          : /AWSPREVIOUS is for 127\.0\.0\.1:\d+ \(plain TCP\), not 127\.0\.0\.2:\d+ \(plain TCP\) where AWSPENDING goes; refusing/);

        // What went there: the attacker's own AWSCURRENT password, and for single user the new
        // AWSPENDING one, which no database ever accepted (the trap works: it saw them).
        expect(trap.passwords.slice(before)).toEqual(alternating ? ['Attacker-own-password-1'] : ['Attacker-own-password-1', expect.any(String)]);
        expect(trap.passwords).not.toContain(real.password);
        expect(trap.passwords).not.toContain(db.master.password);
        await trapLearntNothingUsable([user.username, clone(user.username), db.master.username]);
        // The real credential still works (so the check above could have caught a leak).
        expect(await db.canLogin(real.username, real.password)).toBe(true);
      });

      if (alternating) {
        test('with a master secret without host (as RDS manages it): the master password never goes to the user secret\'s host', async () => {
          const master = await rig.createSecret(uniqueName('master'), { username: db.master.username, password: db.master.password, ssl: false });
          const user = await newUser({ extra: { masterarn: master } });
          await withEnv({ ALLOWED_DATABASE_ENDPOINTS: `${db.host}:${db.port}` }, () => rig.rotate(user.arn));
          const before = trap.logins.length;
          await writeAttackersCurrent(user.arn);

          const environments: Record<string, string>[] = [{}, { ALLOWED_DATABASE_ENDPOINTS: `${db.host}:${db.port}` }];
          for (const env of environments) {
            await withEnv(env, async () => {
              const token = await rig.startRotation(user.arn);
              await rig.invoke('createSecret', user.arn, token);
              await expect(rig.invoke('setSecret', user.arn, token)).rejects.toThrow(Object.keys(env).length === 0
                ? /names no host, and ALLOWED_DATABASE_ENDPOINTS is not set/
                : /names 127\.0\.0\.2:\d+, which ALLOWED_DATABASE_ENDPOINTS does not list \(127\.0\.0\.1:\d+\); refusing to send a credential there/);
              await rig.cancelRotation(user.arn, token);
            });
          }
          // Without the list only the attacker's own AWSCURRENT password went there; with it, nothing.
          expect(trap.passwords.slice(before)).toEqual(['Attacker-own-password-1']);
          await trapLearntNothingUsable([user.username, clone(user.username), db.master.username]);
          expect(await db.canLogin(db.master.username, db.master.password)).toBe(true);
        });

        test('the master password is held back until AWSCURRENT has logged in: a server that rejects AWSCURRENT never receives it', async () => {
          // Both secrets at the trap, the master's with the real master password (a mechanism test:
          // an attacker could not have written it, they cannot read it).
          const master = await rig.createSecret(uniqueName('master'), { engine: db.engine, host: trap.host, port: trap.port, username: db.master.username, password: db.master.password, ssl: false });
          const arn = await rig.createSecret(uniqueName('secret'), {
            engine: db.engine, host: trap.host, port: trap.port, username: uniqueName('app'), password: 'Current-password-4', masterarn: master, ssl: false, ...(db.dbname ? { dbname: db.dbname } : {}),
          });
          const before = { passwords: trap.passwords.length, connections: trap.connections };
          const token = await rig.startRotation(arn);
          await rig.invoke('createSecret', arn, token);
          await expect(rig.invoke('setSecret', arn, token)).rejects.toThrow(/rejected the AWSCURRENT password/);
          await new Promise((resolve) => setTimeout(resolve, 50));
          expect(trap.passwords.slice(before.passwords)).toEqual(['Current-password-4']);
          // PostgreSQL opened the master's connection meanwhile (its password was never asked for by
          // the driver); MySQL derives its first reply from the password, so it never connected.
          expect(trap.connections - before.connections).toBe(db.engine === 'postgres' ? 2 : 1);
        });

        test('naming a user that DATABASE_USERS declares, which exists: the first-rotation path does not take it over', async () => {
          const victim = await newUser();
          const victimPassword = victim.password;
          await rig.putValue(victim.arn, { ...(await rig.json(victim.arn)), password: 'Attacker-own-password-2' });
          const token = await rig.startRotation(victim.arn);
          await rig.invoke('createSecret', victim.arn, token);
          await withEnv({ DATABASE_USERS: JSON.stringify([{ username: victim.username, grants: [] }]) }, () => expect(rig.invoke('setSecret', victim.arn, token))
            .rejects.toThrow(/rejected the AWSCURRENT password .* and its user exists; refusing to act on a user whose password the secret does not hold/));
          expect(await db.canLogin(victim.username, victimPassword)).toBe(true);
          expect(await db.userExists(clone(victim.username))).toBe(false);
        });
      }
    });

    test('every step logs JSON with step, secret ARN, token, strategy and outcome', async () => {
      const user = await newUser();
      const token = await rig.rotate(user.arn);
      const records = rig.logs.records().filter((r) => r.token === token);
      for (const step of STEPS) {
        expect(records).toContainEqual(expect.objectContaining({ level: 'info', step, secretArn: user.arn, token, strategy, outcome: 'done', durationMs: expect.any(Number) }));
      }
    });

    // Runs last in the file: covers every rotation, failure and error above.
    test('the logs of this whole run contain no password', () => {
      const secrets = rig.allSecretValues();
      expect(secrets.length).toBeGreaterThan(40);
      expect(rig.logs.lines.length).toBeGreaterThan(100);
      expect(rig.leaks()).toEqual([]);
    });
  });
}
