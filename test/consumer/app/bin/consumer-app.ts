#!/usr/bin/env node
import * as cdk from 'aws-cdk-lib/core';
import { addConsumerStacks } from '../lib/consumer-app';
import { addCompliancePacks } from '../lib/compliance';

// The consumer test's app: a `cdk init app` app using every construct of cdk-security-patterns,
// checked by the cdk-nag packs the way the cdk-nag README tells a user to add them.
const app = new cdk.App();
addConsumerStacks(app);
addCompliancePacks(app);
