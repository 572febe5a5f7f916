/**
 * The scenarios every database strategy must pass, against a real server: full rotation, ten in
 * a row, a crash after each step followed by the service's retry, the database down during
 * setSecret and testSecret, a second token while one is pending, bad secret JSON, passwords with
 * every allowed special character, odd user names, TLS demands, and no password in the logs.
 * Each test uses its own database user and secret, so one server serves the whole file.
 */
import { randomBytes } from 'node:crypto';
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
    const rig = new RotationRig(handler, strategy);
    let proxy: TcpProxy;
    let masterArn: string;
    let proxiedMasterArn: string;

    beforeAll(async () => {
      await startAll([db.start(), rig.start()]);
      proxy = await TcpProxy.start(db.port);
      rig.extraSecrets.push(db.master.password);
      masterArn = await rig.createSecret(uniqueName('master'), { engine: db.engine, host: db.host, port: db.port, username: db.master.username, password: db.master.password });
      proxiedMasterArn = await rig.createSecret(uniqueName('master'), { engine: db.engine, host: db.host, port: proxy.port, username: db.master.username, password: db.master.password });
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
        engine: db.engine, host: db.host, port: options.viaProxy ? proxy.port : db.port, username, password,
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

    test('fails when REQUIRE_TLS=true and the server has no TLS: setSecret fails, AWSCURRENT untouched', async () => {
      const user = await newUser();
      const token = await rig.startRotation(user.arn);
      await rig.invoke('createSecret', user.arn, token);
      const before = rig.standIn.stagesOf(user.arn);
      await withEnv({ REQUIRE_TLS: 'true' }, () => expect(rig.invoke('setSecret', user.arn, token)).rejects.toThrow(/cannot connect .* as AWSCURRENT: .*TLS is required/));
      expect(rig.standIn.stagesOf(user.arn)).toEqual(before);
      expect(await db.canLogin(user.username, user.password)).toBe(true);
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
        await expect(rig.invoke('setSecret', user.arn, pendingToken)).rejects.toThrow(/names another user or server than AWSCURRENT/);
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
      test('the clone holds the grants of the current user', async () => {
        const user = await newUser();
        await rig.rotate(user.arn);
        const current = await rig.json(user.arn);
        expect(current.username).toBe(clone(user.username));
        expect(await db.canReadProbe(current.username, current.password)).toBe(true);
      });

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

      test('works with a master user that is not a superuser (as on Amazon RDS), which created the application user', async () => {
        const masterName = uniqueName('rdsmaster');
        const masterPassword = randomBytes(18).toString('base64url');
        const username = uniqueName('app');
        const password = randomBytes(18).toString('base64url');
        await db.createRdsLikeMasterAndUser(masterName, masterPassword, username, password);
        rig.extraSecrets.push(masterPassword);
        const master = await rig.createSecret(uniqueName('master'), { username: masterName, password: masterPassword });
        const arn = await rig.createSecret(uniqueName('secret'), {
          engine: db.engine, host: db.host, port: db.port, username, password, masterarn: master, ...(db.dbname ? { dbname: db.dbname } : {}),
        });
        for (const expected of [clone(username), username, clone(username)]) {
          await rig.rotate(arn);
          const current = await rig.json(arn);
          expect(current.username).toBe(expected);
          expect(await db.canReadProbe(current.username, current.password)).toBe(true);
          expect(await logsIn(await rig.json(arn, 'AWSPREVIOUS'))).toBe(true);
        }
      });

      test('works with a master secret that holds only username and password (as RDS manages it)', async () => {
        const bareMaster = await rig.createSecret(uniqueName('master'), { username: db.master.username, password: db.master.password });
        const user = await newUser({ extra: { masterarn: bareMaster } });
        await rig.rotate(user.arn);
        expect(await logsIn(await rig.json(user.arn))).toBe(true);
      });

      test('fails when the master secret is for another server', async () => {
        const otherMaster = await rig.createSecret(uniqueName('master'), { engine: db.engine, host: '10.0.0.1', port: db.port, username: db.master.username, password: db.master.password });
        const user = await newUser({ extra: { masterarn: otherMaster } });
        const token = await rig.startRotation(user.arn);
        await rig.invoke('createSecret', user.arn, token);
        await expect(rig.invoke('setSecret', user.arn, token)).rejects.toThrow(/is for another server than secret/);
        expect(await db.userExists(clone(user.username))).toBe(false);
      });

      test('fails when AWSCURRENT does not log in (confused-deputy guard), creating no user', async () => {
        const user = await newUser();
        await db.setPassword(user.username, randomBytes(18).toString('base64url'));
        const token = await rig.startRotation(user.arn);
        await rig.invoke('createSecret', user.arn, token);
        await expect(rig.invoke('setSecret', user.arn, token)).rejects.toThrow(/rejected the AWSCURRENT password/);
        expect(await db.userExists(clone(user.username))).toBe(false);
      });

      test('fails when AWSPENDING names a user other than the alternate, leaving that user alone', async () => {
        const user = await newUser();
        const victim = await newUser();
        await rig.startRotation(user.arn);
        const pendingToken = await rig.putValue(user.arn, { ...(await rig.json(user.arn)), username: victim.username, password: 'Zz9-attacker-chosen-password' }, ['AWSPENDING']);
        await expect(rig.invoke('setSecret', user.arn, pendingToken)).rejects.toThrow(/must name the alternate of the AWSCURRENT user/);
        expect(await db.canLogin(victim.username, victim.password)).toBe(true);
      });
    }

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
