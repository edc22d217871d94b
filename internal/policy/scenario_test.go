package policy_test

import (
	"testing"

	"github.com/hanavault/hanavault/internal/policy/eval"
	"github.com/hanavault/hanavault/internal/testutil/scenarios"
)

// TestScenarios runs the scenario table (internal/testutil/scenarios)
// through hanavault's own evaluator: each request must get the decision
// the AWS documentation gives, from the statement the table names.
// TestOracle runs the same table through an evaluator written elsewhere.
func TestScenarios(t *testing.T) {
	n := scenarios.Default()
	rows := n.Scenarios()
	if len(rows) < 100 {
		t.Fatalf("only %d scenarios", len(rows))
	}
	worlds := map[bool]scenarios.World{false: n.World(false, scenarios.Mutation{}), true: n.World(true, scenarios.Mutation{})}
	for _, sc := range rows {
		t.Run(sc.Name, func(t *testing.T) {
			r, err := worlds[sc.Strict].Evaluate(n, sc)
			if err != nil {
				t.Fatal(err)
			}
			if r.Decision != sc.Want {
				t.Fatalf("%s %s as %+v: %s, want %s (per %s)", sc.Action, sc.Resource, sc.Who, r, sc.Want, sc.Group)
			}
			if r.Sid != sc.Sid {
				t.Fatalf("decided by %s, want statement %q", r, sc.Sid)
			}
		})
	}
}

// TestAdminWithAdministratorAccessCanDecrypt documents a consequence of the
// key policy's EnableIAMPolicies statement: it makes IAM policies count, so
// an admin role that also has AdministratorAccess attached may use the key
// for crypto even though KeyAdministration grants none. The "admin has no
// crypto" property holds only for the key policy itself.
func TestAdminWithAdministratorAccessCanDecrypt(t *testing.T) {
	n := scenarios.Default()
	w := n.World(false, scenarios.Mutation{})
	adminAccess := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	req := eval.Request{Principal: eval.Principal{AWS: "arn:aws:iam::123456789012:role/" + n.AdminRole}, Action: "kms:Decrypt", Resource: n.SrcKey}
	if d, err := eval.AuthorizeKMS(req, w.KeyPolicies[n.SrcKey], nil, n.Account); err != nil || d != eval.ImplicitDeny {
		t.Fatalf("admin without identity policies: %s %v", d, err)
	}
	if d, err := eval.AuthorizeKMS(req, w.KeyPolicies[n.SrcKey], []string{adminAccess}, n.Account); err != nil || d != eval.Allow {
		t.Fatalf("admin with AdministratorAccess: %s %v", d, err)
	}
}
