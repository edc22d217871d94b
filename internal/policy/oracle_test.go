package policy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/policy/eval"
	"github.com/hanavault/hanavault/internal/testutil/scenarios"
)

// oracleRequest is one scenario as internal/policy/oracle/oracle.js reads it.
type oracleRequest struct {
	Name             string         `json:"name"`
	Principal        string         `json:"principal"` // "" = anonymous
	Action           string         `json:"action"`
	Resource         string         `json:"resource"`
	AccountID        string         `json:"accountId"`
	Context          map[string]any `json:"context"`
	IdentityPolicies []string       `json:"identityPolicies"`
	ResourcePolicy   string         `json:"resourcePolicy"`
}

type oracleResult struct {
	Name               string   `json:"name"`
	Result             string   `json:"result"`
	IgnoredContextKeys []string `json:"ignoredContextKeys"`
	// Unchecked are kms:EncryptionContext:* keys iam-simulate's input
	// validation does not recognise; oracle.js then evaluated the request
	// with runUnsafeSimulation (see oracle.js).
	Unchecked []string `json:"unchecked"`
	Error     string   `json:"error"`
}

// oracleDecision maps iam-simulate's result to eval's decisions.
var oracleDecision = map[string]eval.Decision{
	"Allowed": eval.Allow, "ExplicitlyDenied": eval.ExplicitDeny, "ImplicitlyDenied": eval.ImplicitDeny,
}

// runOracle evaluates requests with @cloud-copilot/iam-simulate through
// oracle/oracle.js. It fails the test, never skips it, when Node.js or the
// package is missing.
func runOracle(t *testing.T, reqs []oracleRequest) []oracleResult {
	t.Helper()
	const fix = "run scripts/ensure-oracle (needs Node.js 20 and npm; scripts/test runs it)"
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("the policy oracle needs Node.js: node is not on PATH; install Node.js 20 and %s", fix)
	}
	dir, err := filepath.Abs("oracle")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@cloud-copilot", "iam-simulate", "package.json")); err != nil {
		t.Fatalf("the policy oracle @cloud-copilot/iam-simulate is not installed in %s: %s", dir, fix)
	}
	in, err := json.Marshal(reqs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join(dir, "oracle.js"))
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node oracle.js: %v\n%s", err, stderr.String())
	}
	var res []oracleResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("oracle output: %v\n%s", err, out)
	}
	if len(res) != len(reqs) {
		t.Fatalf("oracle answered %d of %d requests", len(res), len(reqs))
	}
	return res
}

// toOracle turns a scenario into the oracle's request: the same documents
// hanavault's evaluator gets, the principal as an ARN (role sessions as
// assumed-role ARNs) or service name, the context with single values as
// strings.
func toOracle(n scenarios.Names, w scenarios.World, sc scenarios.Scenario) (oracleRequest, error) {
	rp, ids, ok := w.Documents(sc)
	if !ok {
		return oracleRequest{}, fmt.Errorf("no resource policy for %s", sc.Resource)
	}
	who := sc.Who.AWS
	if sc.Who.Service != "" {
		who = sc.Who.Service
	}
	c := map[string]any{}
	for k, v := range sc.Ctx {
		if len(v) == 1 {
			c[k] = v[0]
		} else {
			c[k] = v
		}
	}
	return oracleRequest{Name: sc.Name, Principal: who, Action: sc.Action, Resource: sc.Resource,
		AccountID: n.ResourceAccount(sc), Context: c, IdentityPolicies: ids, ResourcePolicy: rp}, nil
}

// TestOracle evaluates every scenario with hanavault's evaluator and with
// @cloud-copilot/iam-simulate on the documents the builders generate. Both
// must give the decision the AWS documentation gives (the scenario's
// group); a disagreement names the scenario. Every context key the table
// sends must be one iam-simulate applies to the action, or the oracle would
// decide without it. With -v it logs the table of both results;
// HANAVAULT_ORACLE_TABLE=<file> also writes it there as Markdown.
func TestOracle(t *testing.T) {
	n := scenarios.Default()
	rows := n.Scenarios()
	worlds := map[bool]scenarios.World{false: n.World(false, scenarios.Mutation{}), true: n.World(true, scenarios.Mutation{})}
	reqs := make([]oracleRequest, len(rows))
	for i, sc := range rows {
		r, err := toOracle(n, worlds[sc.Strict], sc)
		if err != nil {
			t.Fatalf("%s: %v", sc.Name, err)
		}
		reqs[i] = r
	}
	res := runOracle(t, reqs)
	var table strings.Builder
	table.WriteString("| # | scenario | expected | hanavault eval | iam-simulate | documentation |\n|---|---|---|---|---|---|\n")
	for i, sc := range rows {
		own, err := worlds[sc.Strict].Evaluate(n, sc)
		if err != nil {
			t.Errorf("%s: hanavault's evaluator: %v", sc.Name, err)
			continue
		}
		o := res[i]
		if o.Name != sc.Name {
			t.Fatalf("oracle answered %q for %q", o.Name, sc.Name)
		}
		theirs, known := oracleDecision[o.Result]
		shown := o.Result + o.Error
		if len(o.Unchecked) > 0 {
			shown += " (unvalidated input)"
		}
		fmt.Fprintf(&table, "| %d | %s | %s | %s | %s | %s |\n", i+1, sc.Name, sc.Want, own.Decision, shown, sc.Group)
		switch {
		case o.Error != "" || !known:
			t.Errorf("scenario %q: iam-simulate could not evaluate it: %s %s", sc.Name, o.Result, o.Error)
		case len(o.IgnoredContextKeys) > 0:
			t.Errorf("scenario %q: iam-simulate ignored context keys %v for %s", sc.Name, o.IgnoredContextKeys, sc.Action)
		case theirs != sc.Want || own.Decision != sc.Want:
			t.Errorf("scenario %q (%s %s): hanavault's evaluator: %s; iam-simulate: %s; expected %s per %s",
				sc.Name, sc.Action, sc.Resource, own, o.Result, sc.Want, sc.Group)
		}
	}
	t.Logf("policy scenarios, %d requests:\n%s", len(rows), table.String())
	if path := os.Getenv("HANAVAULT_ORACLE_TABLE"); path != "" {
		if err := os.WriteFile(path, []byte(table.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
