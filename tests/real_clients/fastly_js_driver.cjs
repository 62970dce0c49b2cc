'use strict';
// Drive fastly-js (the official JavaScript client) at a fake Fastly API.
//
//   node fastly_js_driver.cjs '[{"api": "TokensApi", "op": "getTokenCurrent", "args": {}}, ...]'
//
// Environment:
//   FASTLY_JS_PREFIX      folder whose node_modules holds the fastly package
//   FASTLY_TEST_BASE_URL  where the fake listens, e.g. http://127.0.0.1:PORT
//   FASTLY_API_TOKEN      read by fastly-js itself: every *Api constructor calls
//                         apiClient.authenticate(process.env.FASTLY_API_TOKEN) when it is set
//   FASTLY_TEST_USERNAME, FASTLY_TEST_PASSWORD
//                         optional HTTP Basic login (the spec's username_and_password
//                         scheme, which only createToken lists)
//
// Runs the steps in order on one ApiClient and prints one JSON array, a result per step:
//   {ok, status, data, body, rate_limit_remaining}  or  {ok: false, status, body, error}
// where data is what fastly-js returned (its model) and body the parsed HTTP body.

const path = require('node:path');

const dist = path.join(process.env.FASTLY_JS_PREFIX, 'node_modules', 'fastly', 'dist');
// The package's own files, not its index: the index loads every model (over a second).
const ApiClient = require(path.join(dist, 'ApiClient.js')).default;

function clientFor(baseUrl) {
  const client = new ApiClient();
  client.timeout = 10000;
  client.basePath = baseUrl;
  // Every operation passes its own basePaths[0] ('https://api.fastly.com') to callApi as
  // apiBasePath, which buildUrl prefers to client.basePath: replace it with ours.
  const buildUrl = client.buildUrl;
  client.buildUrl = function (route, params, reserved, _operationBasePath) {
    return buildUrl.call(this, route, params, reserved, baseUrl);
  };
  const basic = client.authentications.username_and_password;
  if (process.env.FASTLY_TEST_USERNAME !== undefined) {
    basic.username = process.env.FASTLY_TEST_USERNAME;
  }
  if (process.env.FASTLY_TEST_PASSWORD !== undefined) {
    basic.password = process.env.FASTLY_TEST_PASSWORD;
  }
  return client;
}

function apiClass(name) {
  if (!/^[A-Za-z]+Api$/.test(name)) {
    throw new Error(`not an API class name: ${name}`);
  }
  return require(path.join(dist, 'api', `${name}.js`)).default;
}

async function run(client, step) {
  const Api = apiClass(step.api);
  const api = new Api(client);
  try {
    const { data, response } = await api[`${step.op}WithHttpInfo`](step.args || {});
    return {
      ok: true,
      status: response.status,
      data,
      body: response.body,
      rate_limit_remaining: client.rateLimitRemaining,
    };
  } catch (failure) {
    // HTTP errors reject with {status, body, error}; a body the models cannot read rejects
    // with the TypeError itself.
    const httpError = failure && failure.error !== undefined;
    return {
      ok: false,
      status: httpError && failure.status !== undefined ? failure.status : null,
      body: httpError && failure.body !== undefined ? failure.body : null,
      error: String(httpError ? failure.error : failure),
    };
  }
}

async function main() {
  const steps = JSON.parse(process.argv[2]);
  const client = clientFor(process.env.FASTLY_TEST_BASE_URL);
  const results = [];
  for (const step of steps) {
    results.push(await run(client, step));
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().catch((failure) => {
  process.stderr.write(`${failure && failure.stack ? failure.stack : failure}\n`);
  process.exit(2);
});
