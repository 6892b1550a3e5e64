// Reads a JSON array of authorization cases on stdin and writes, as one JSON
// array on stdout, the decision @cloud-copilot/iam-simulate reaches for each,
// so the Go differential test can compare it with policy.Evaluate.
//
// A case is
//   {"id": "...", "identityPolicies": [{"name": "...", "policy": {...}}],
//    "resourcePolicy": {...} | null, "principal": "...", "action": "...",
//    "resource": "...", "resourceAccount": "...", "context": {"key": ["v"]}}
// and its answer
//   {"id": "...", "decision": "Allowed" | "ExplicitlyDenied" |
//    "ImplicitlyDenied", "error": "...", "ignoredContextKeys": ["..."]}
// where error is set (and decision empty) when the simulator rejected the
// input, and ignoredContextKeys lists the context keys it dropped as not
// applicable to the action.
import { runSimulation } from '@cloud-copilot/iam-simulate'

async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

async function simulate(c) {
  const simulation = {
    request: {
      principal: c.principal,
      action: c.action,
      resource: { resource: c.resource, accountId: c.resourceAccount },
      contextVariables: c.context ?? {}
    },
    identityPolicies: c.identityPolicies ?? [],
    serviceControlPolicies: [],
    resourceControlPolicies: []
  }
  if (c.resourcePolicy) simulation.resourcePolicy = c.resourcePolicy
  try {
    const r = await runSimulation(simulation, { simulationMode: 'Strict' })
    if (r.resultType === 'error') {
      return { id: c.id, decision: '', error: JSON.stringify(r.errors) }
    }
    const ignored = r.resultType === 'single' ? (r.result.ignoredContextKeys ?? []) : []
    return { id: c.id, decision: r.overallResult, ignoredContextKeys: ignored }
  } catch (e) {
    return { id: c.id, decision: '', error: 'exception: ' + (e && e.message ? e.message : String(e)) }
  }
}

const cases = JSON.parse(await readStdin())
const out = []
for (const c of cases) out.push(await simulate(c))
process.stdout.write(JSON.stringify(out))
