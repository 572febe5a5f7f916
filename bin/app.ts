#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { EXAMPLES } from '../examples';

// The app `cdk synth` / `cdk deploy` run: every example app, each as its own stacks.
const app = new App();
for (const example of EXAMPLES) {
  example.build(app);
}
app.synth();
