package policy_test

import (
	"slices"
	"testing"

	"github.com/hanavault/hanavault/internal/policy"
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

// failures runs the table against a world and returns the scenarios whose
// decision differs from the expected one.
func failures(t *testing.T, n scenarios.Names, m scenarios.Mutation) []string {
	t.Helper()
	worlds := map[bool]scenarios.World{false: n.World(false, m), true: n.World(true, m)}
	var out []string
	for _, sc := range n.Scenarios() {
		r, err := worlds[sc.Strict].Evaluate(n, sc)
		if err != nil {
			t.Fatalf("%s: %v", sc.Name, err)
		}
		if r.Decision != sc.Want {
			out = append(out, sc.Name)
		}
	}
	return out
}

// TestBackintGrantMutationsAreCaught removes, one at a time, every action
// the bucket and key policies grant the EC2 backup role, in both regions;
// the scenario table must notice each removal.
func TestBackintGrantMutationsAreCaught(t *testing.T) {
	n := scenarios.Default()
	if f := failures(t, n, scenarios.Mutation{}); len(f) != 0 {
		t.Fatalf("the unmutated documents fail %v", f)
	}
	ec2Statements := map[string]bool{policy.SidAllowBackintRoleObjects: true, policy.SidAllowBackintRoleBucket: true,
		policy.SidKeyUsageByBackupRole: true, policy.SidGrantsForAWSResources: true}
	w := n.World(false, scenarios.Mutation{})
	docs := map[string]string{"bucket:" + n.SrcBucket: w.BucketPolicies[n.SrcBucket], "bucket:" + n.DstBucket: w.BucketPolicies[n.DstBucket],
		"key:" + n.SrcKey: w.KeyPolicies[n.SrcKey], "key:" + n.DstKey: w.KeyPolicies[n.DstKey]}
	mutations := 0
	for name, text := range docs {
		d, err := policy.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range d.Statement {
			if !ec2Statements[st.Sid] {
				continue
			}
			for _, action := range st.Action {
				mutations++
				edit := func(doc string, d *policy.Document) {
					if doc != name {
						return
					}
					for i := range d.Statement {
						if d.Statement[i].Sid == st.Sid {
							d.Statement[i].Action = slices.DeleteFunc(slices.Clone(d.Statement[i].Action), func(a string) bool { return a == action })
						}
					}
				}
				if len(failures(t, n, scenarios.Mutation{Edit: edit})) == 0 {
					t.Errorf("removing %s from statement %s of %s is not caught by any scenario", action, st.Sid, name)
				}
			}
		}
	}
	if mutations < 40 {
		t.Fatalf("only %d mutations of the EC2 role's grants", mutations)
	}
	t.Logf("%d single-action removals from the EC2 role's grants", mutations)
}

// TestReplicaBucketNamingTheSourceKeyIsCaught: a replica bucket policy that
// names the source key (a copy-paste slip) would refuse the agent's writes
// after a failover; the table must notice.
func TestReplicaBucketNamingTheSourceKeyIsCaught(t *testing.T) {
	n := scenarios.Default()
	f := failures(t, n, scenarios.Mutation{ReplicaBucketKey: n.SrcKey})
	if len(f) == 0 {
		t.Fatal("a replica bucket policy naming the source key passes every scenario")
	}
	t.Logf("caught by %d scenarios, e.g. %q", len(f), f[0])
}
