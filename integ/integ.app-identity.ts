import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AppIdentity } from '../lib/federation';

/**
 * Deploys an AppIdentity and asks Cognito what it created: the user pool's MFA, password policy and
 * plan as Cognito stores them; a user created by an administrator (no email sent) and added to a
 * group, whose group carries its role; and the identity pool with its roles, preferred-role mapping,
 * the basic flow off and guests refused (no unauthenticated role). The pools are destroyed afterwards (the defaults retain them).
 */
const app = new App();
const stack = new Stack(app, 'IntegAppIdentity');
const identity = new AppIdentity(stack, 'Identity', {
  groups: [{ groupName: 'admins', precedence: 0 }, { groupName: 'staff', precedence: 10 }],
  deletionProtection: false,
  removalPolicy: RemovalPolicy.DESTROY,
});

const integ = new IntegTest(app, 'AppIdentityTest', { testCases: [stack] });

integ.assertions.awsApiCall('CognitoIdentityServiceProvider', 'describeUserPool', { UserPoolId: identity.userPool.userPoolId })
  .expect(ExpectedResult.objectLike({
    UserPool: Match.objectLike({
      MfaConfiguration: 'ON',
      UserPoolTier: 'PLUS',
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 14, RequireSymbols: true, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true }) },
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
    }),
  }));

const username = 'integ-user@example.com';
const created = integ.assertions.awsApiCall('CognitoIdentityServiceProvider', 'adminCreateUser', {
  UserPoolId: identity.userPool.userPoolId,
  Username: username,
  MessageAction: 'SUPPRESS',
  UserAttributes: [{ Name: 'email', Value: username }],
});
created.assertAtPath('User.UserStatus', ExpectedResult.stringLikeRegexp('^FORCE_CHANGE_PASSWORD$'));
const added = integ.assertions.awsApiCall('CognitoIdentityServiceProvider', 'adminAddUserToGroup', {
  UserPoolId: identity.userPool.userPoolId,
  Username: username,
  GroupName: 'staff',
});
const groups = integ.assertions.awsApiCall('CognitoIdentityServiceProvider', 'adminListGroupsForUser', {
  UserPoolId: identity.userPool.userPoolId,
  Username: username,
});
groups.expect(ExpectedResult.objectLike({
  Groups: [Match.objectLike({ GroupName: 'staff', Precedence: 10, RoleArn: identity.groupRole('staff').roleArn })],
}));
created.next(added).next(groups);

integ.assertions.awsApiCall('CognitoIdentity', 'describeIdentityPool', { IdentityPoolId: identity.identityPoolId })
  .expect(ExpectedResult.objectLike({ AllowUnauthenticatedIdentities: false, AllowClassicFlow: false }));

integ.assertions.awsApiCall('CognitoIdentity', 'getIdentityPoolRoles', { IdentityPoolId: identity.identityPoolId })
  .expect(ExpectedResult.objectLike({
    // exactly one role: no guest role
    Roles: { authenticated: identity.authenticatedRole.roleArn },
  }));

app.synth();
