#!/usr/bin/env node
// Evaluates hanavault's policy scenarios with @cloud-copilot/iam-simulate,
// an implementation of AWS's policy evaluation logic written outside this
// project. Input on stdin: a JSON array of
//   {name, principal ("" = anonymous), action, resource, accountId,
//    context: {key: [values]}, identityPolicies: [JSON], resourcePolicy: JSON}
// Output on stdout: a JSON array of
//   {name, result: "Allowed"|"ExplicitlyDenied"|"ImplicitlyDenied",
//    ignoredContextKeys: [...], unchecked: [...], error: "..."}
// in the same order. Driven by internal/policy/oracle_test.go.
//
// iam-simulate's validated entry point (runSimulation) drops context keys
// that do not apply to the action. Its matcher for keys with a variable
// part only knows the "prefix/variable" form (aws:PrincipalTag/x), so it
// also drops kms:EncryptionContext:aws:s3:arn, a documented key of the
// KMS cryptographic actions (KMS developer guide, conditions-kms,
// kms:EncryptionContext:context-key). When those are the only keys it
// drops, the request is evaluated again with runUnsafeSimulation (the same
// engine without that validation) and the keys are listed in "unchecked".
// Every request also goes through runUnsafeSimulation when nothing was
// dropped, and the two entry points must agree, so this second path is
// checked on the whole table.
'use strict'
const { runSimulation, runUnsafeSimulation, anonymousPrincipal } = require('@cloud-copilot/iam-simulate')
const { createValidatedPolicy, validateResourcePolicy } = require('@cloud-copilot/iam-policy')

const encryptionContextKey = /^kms:EncryptionContext:/i

async function evaluate(sc) {
  const simulation = {
    request: {
      principal: sc.principal ? sc.principal : anonymousPrincipal,
      action: sc.action,
      resource: { resource: sc.resource, accountId: sc.accountId },
      contextVariables: sc.context || {},
    },
    identityPolicies: (sc.identityPolicies || []).map((p, i) => ({ name: 'identity' + i, policy: JSON.parse(p) })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }
  if (sc.resourcePolicy) simulation.resourcePolicy = JSON.parse(sc.resourcePolicy)
  const out = await runSimulation(simulation, {})
  if (out.resultType === 'error') {
    return { name: sc.name, error: JSON.stringify(out.errors) }
  }
  if (out.resultType !== 'single') {
    return { name: sc.name, error: 'unexpected result type ' + out.resultType }
  }
  const ignored = out.result.ignoredContextKeys || []
  const unvalidated = unsafe(simulation)
  if (ignored.length > 0 && ignored.every((k) => encryptionContextKey.test(k))) {
    return { name: sc.name, result: unvalidated, ignoredContextKeys: [], unchecked: ignored }
  }
  const result = out.result.analysis.result
  if (ignored.length === 0 && unvalidated !== result) {
    return { name: sc.name, error: 'runSimulation says ' + result + ', runUnsafeSimulation says ' + unvalidated }
  }
  return { name: sc.name, result, ignoredContextKeys: ignored, unchecked: [] }
}

// unsafe evaluates a simulation without input validation. The resource
// policy goes in pre-validated so that it carries a name, which
// runUnsafeSimulation's analysis reads.
function unsafe(simulation) {
  const s = { ...simulation }
  if (s.resourcePolicy) {
    const v = createValidatedPolicy(s.resourcePolicy, validateResourcePolicy, { name: 'ResourcePolicy' })
    if (v.errors.length > 0) throw new Error('resource policy: ' + JSON.stringify(v.errors))
    s.resourcePolicy = v
  }
  return runUnsafeSimulation(s, {})
}

async function main() {
  const chunks = []
  for await (const c of process.stdin) chunks.push(c)
  const scenarios = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  const results = []
  for (const sc of scenarios) {
    try {
      results.push(await evaluate(sc))
    } catch (e) {
      results.push({ name: sc.name, error: String((e && e.stack) || e) })
    }
  }
  process.stdout.write(JSON.stringify(results))
}

main().catch((e) => {
  process.stderr.write(String((e && e.stack) || e) + '\n')
  process.exit(1)
})
