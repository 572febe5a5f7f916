"""Times AWS's published Python rotation functions the same way bench/rotation.bench.ts times ours.

Not AWS's code: a driver for it. Usage (from the benchmark, which passes a JSON config):
    python3 bench/aws-reference-runner.py '<json>'
config: endpoint (Secrets Manager stand-in), rounds, warmup, importSamples, cases: [{name, dir, arn}]
where dir holds AWS's lambda_function.py (e.g. SecretsManagerRDSPostgreSQLRotationSingleUser of a
checkout of aws-samples/aws-secrets-manager-rotation-lambdas). Prints one JSON object: each case's
full-rotation and cold-import samples (ms), which the benchmark merges and summarizes.
It needs boto3 and PyGreSQL (Debian: python3-boto3 python3-pygresql).
"""
import importlib
import json
import logging
import os
import subprocess
import sys
import time

cfg = json.loads(sys.argv[1])
os.environ.update(SECRETS_MANAGER_ENDPOINT=cfg['endpoint'], AWS_DEFAULT_REGION='us-east-1',
                  AWS_ACCESS_KEY_ID='AKIDBENCH', AWS_SECRET_ACCESS_KEY='bench')
# The functions log at INFO; like our handler's logs in the benchmark, the output is dropped.
logging.disable(logging.CRITICAL)
import boto3  # noqa: E402

client = boto3.client('secretsmanager', endpoint_url=cfg['endpoint'])


results = {}
for case in cfg['cases']:
    sys.path.insert(0, case['dir'])
    sys.modules.pop('lambda_function', None)
    fn = importlib.import_module('lambda_function')
    sys.path.pop(0)
    samples = []
    for i in range(cfg['warmup'] + cfg['rounds']):
        token = client.rotate_secret(SecretId=case['arn'])['VersionId']
        started = time.perf_counter()
        for step in ('createSecret', 'setSecret', 'testSecret', 'finishSecret'):
            fn.lambda_handler({'Step': step, 'SecretId': case['arn'], 'ClientRequestToken': token}, None)
        if i >= cfg['warmup']:
            samples.append((time.perf_counter() - started) * 1000)
    imports = []
    for _ in range(cfg['importSamples']):
        out = subprocess.run([sys.executable, '-c', 'import time; t=time.perf_counter(); import lambda_function; print((time.perf_counter()-t)*1000)'],
                             cwd=case['dir'], capture_output=True, text=True, check=True)
        imports.append(float(out.stdout.strip()))
    results[case['name']] = {'samples': samples, 'importSamples': imports}
print(json.dumps(results))
