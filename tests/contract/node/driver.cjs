'use strict'
// Drives the official @botpress/client (unchanged) through a list of operations in ONE process.
//
// stdin: {"apiUrl", "token", "botId", "markUrl"?, "steps": [{"name", "op", "input"}]}
//   - op: a method of `new Client(...)` (createUser, findTableRows, ...), called as client[op](input);
//     or "list.<name>" (list.users ...): the official lister, client.list[name](input).collect(),
//     whose result is {"items": [...]} (every page, following meta.nextToken).
//   - input: any JSON; an object {"$ref": "stepName.path.to.value"} is replaced by that value taken from
//     an earlier step's result (e.g. {"$ref": "createUser.user.id"}).
//   - clientOptions (optional, per step): extra `new Client` props for that step only (integrationId ...).
//   - markUrl: when set, `GET markUrl + encodeURIComponent(name)` is sent (with fetch, not the client)
//     before each step, so a capture server can tell which requests belong to which step.
// stdout: one JSON document {"clientVersion", "steps": [{"name", "op", "ok", "result" | "error"}]};
//   error = {type, code, message, isApiError, className}: what the official client threw.
// The client is found through NODE_PATH (tests/contract/contract_helpers.py installs it in a cache).

const fs = require('fs')
const path = require('path')
const client = require('@botpress/client')
const { Client, isApiError } = client

function clientVersion() {
  for (const dir of (process.env.NODE_PATH || '').split(path.delimiter)) {
    const file = path.join(dir, '@botpress', 'client', 'package.json')
    if (dir && fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')).version
  }
  return null
}

function lookup(results, ref) {
  const [step, ...keys] = ref.split('.')
  if (!(step in results)) throw new Error(`$ref ${ref}: step ${step} has no result`)
  let value = results[step]
  for (const key of keys) {
    if (value === null || value === undefined) throw new Error(`$ref ${ref}: nothing at ${key}`)
    value = value[key]
  }
  return value
}

function resolve(value, results) {
  if (Array.isArray(value)) return value.map((item) => resolve(item, results))
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value)
    if (keys.length === 1 && keys[0] === '$ref') return lookup(results, value.$ref)
    const out = {}
    for (const key of keys) out[key] = resolve(value[key], results)
    return out
  }
  return value
}

function describe(err) {
  return {
    type: err && err.type !== undefined ? err.type : null,
    code: err && err.code !== undefined ? err.code : null,
    message: err && err.message !== undefined ? String(err.message) : String(err),
    isApiError: isApiError(err),
    // the exported class the error is an instance of (class names are minified in the bundle)
    className: Object.keys(client).find((key) => key.endsWith('Error') && err && err.constructor === client[key]) || null,
  }
}

async function main() {
  const plan = JSON.parse(fs.readFileSync(0, 'utf8'))
  const base = { apiUrl: plan.apiUrl, token: plan.token, botId: plan.botId }
  const defaultClient = new Client(base)
  const results = {}
  const steps = []
  for (const step of plan.steps) {
    if (plan.markUrl) {
      const mark = await fetch(plan.markUrl + encodeURIComponent(step.name))
      await mark.text()
    }
    const entry = { name: step.name, op: step.op }
    const bp = step.clientOptions ? new Client({ ...base, ...step.clientOptions }) : defaultClient
    try {
      const input = resolve(step.input || {}, results)
      let result
      if (step.op.startsWith('list.')) {
        result = { items: await bp.list[step.op.slice(5)](input).collect() }
      } else {
        if (typeof bp[step.op] !== 'function') throw new Error(`the official client has no ${step.op}`)
        result = await bp[step.op](input)
      }
      results[step.name] = result
      entry.ok = true
      entry.result = result === undefined ? null : result
    } catch (err) {
      entry.ok = false
      entry.error = describe(err)
    }
    steps.push(entry)
  }
  process.stdout.write(JSON.stringify({ clientVersion: clientVersion(), steps }))
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n')
  process.exit(2)
})
