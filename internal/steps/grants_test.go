package steps_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/memaws"
)

// TestStatusReportsForeignGrants: hanavault creates no grants, and a grant
// gives its grantee use of the key whatever the key policy says (KMS
// developer guide, grants; a key administrator may create them). Status
// lists every grant on the landscape's keys.
func TestStatusReportsForeignGrants(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	if s := e.status(); len(s.Grants) != 0 || s.GrantsError != "" {
		t.Fatalf("fresh landscape reports grants %+v %q", s.Grants, s.GrantsError)
	}
	grantee := "arn:aws:iam::" + memaws.DefaultAccountID + ":role/" + memaws.SeedAppServerRole
	dstKey := keyARN(t, e.acct, e.l.ReplicationRegion, e.l.ReplicationCMKAlias)
	id, err := e.acct.CreateGrant(context.Background(), e.l.ReplicationRegion, dstKey, grantee, "", []string{"Decrypt"})
	if err != nil {
		t.Fatal(err)
	}
	s := e.status()
	if len(s.Grants) != 1 {
		t.Fatalf("grants %+v, want the one created", s.Grants)
	}
	g := s.Grants[0]
	if g.GrantID != id || g.KeyARN != dstKey || g.Region != e.l.ReplicationRegion || g.Grantee != grantee ||
		strings.Join(g.Operations, ",") != "Decrypt" {
		t.Fatalf("grant reported as %+v", g)
	}
	if !strings.Contains(s.NextAction, "grant") {
		t.Fatalf("next action %q does not mention the grant", s.NextAction)
	}
}
