package steps_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/journal"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/steps"
)

// backups writes n backups under the landscape's Backint folder.
func (e *env) backups(n int) {
	e.t.Helper()
	s3 := e.acct.As(memaws.SeedBackupRole).S3(e.l.SourceRegion)
	for i := range n {
		if _, err := s3.PutObject(context.Background(), cloud.PutObjectInput{Bucket: e.l.OriginalBucketName,
			Key: fmt.Sprintf("PRD/log/log_backup_%03d", i), Body: []byte("log")}); err != nil {
			e.t.Fatal(err)
		}
		e.clock.Advance(time.Second)
	}
}

func TestStatusRecoveryPointAtRiskWhenReplicationFails(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	e.backups(3)
	e.clock.Advance(10 * time.Second)
	st := e.status()
	if st.Overall != steps.OverallOK || st.RecoveryPoint == nil || st.RecoveryPoint.Completed != 3 || st.RecoveryPoint.Replica.Newest == nil {
		t.Fatalf("healthy: %s %+v", st.Overall, st.RecoveryPoint)
	}
	// The replication role loses its policy: new backups FAIL.
	role := e.l.Normalized().ReplicationRoleName
	names, err := e.acct.IAM().ListRolePolicies(context.Background(), role, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names.PolicyNames {
		if err := e.acct.IAM().DeleteRolePolicy(context.Background(), role, n); err != nil {
			t.Fatal(err)
		}
	}
	e.backups(2)
	e.clock.Advance(10 * time.Second)
	st = e.status()
	if st.RecoveryPoint.Failed != 2 || st.RecoveryPoint.OK {
		t.Fatalf("failed: %+v", st.RecoveryPoint)
	}
	// The role's policy is missing; that outranks at-risk.
	if st.Overall != steps.OverallHalfApplied {
		t.Fatalf("overall %s", st.Overall)
	}
	e.apply() // restores the policy; the FAILED backups stay FAILED
	if st = e.status(); st.Overall != steps.OverallAtRisk || st.NextAction == "" {
		t.Fatalf("after apply: overall %s %+v", st.Overall, st.RecoveryPoint)
	}
}

func TestStatusRecoveryPointLagThreshold(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1", func(o *memaws.Options) { o.ReplicationDelay = 3 * time.Hour })
	e.apply()
	e.backups(2)
	e.clock.Advance(90 * time.Minute)
	st := e.status()
	if st.Overall != steps.OverallAtRisk || !st.RecoveryPoint.LagAtLeast || st.RecoveryPoint.Pending != 2 {
		t.Fatalf("lag > 60 min: %s %+v", st.Overall, st.RecoveryPoint)
	}
	zero := 0
	e.l.MaxReplicationLagMinutes = &zero // not checked
	if st = e.status(); st.Overall != steps.OverallOK {
		t.Fatalf("threshold 0: %s %+v", st.Overall, st.RecoveryPoint)
	}
}

// TestDestroyRemovesVerifyCanariesFromAKeptBucket: a pre-existing bucket
// stays with its objects, but canaries verify recorded in the journal and
// left behind (a killed verify) go.
func TestDestroyRemovesVerifyCanariesFromAKeptBucket(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	adoptBucket(t, e)
	e.apply()
	b := e.l.OriginalBucketName
	s3 := e.acct.S3(e.l.SourceRegion)
	canary := "PRD/" + steps.VerifyCanaryFolder + "verify-killed/single"
	if _, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: b, Key: canary, Body: []byte("canary")}); err != nil {
		t.Fatal(err)
	}
	jr, err := journal.Open(journal.Dir(e.dir, memaws.DefaultAccountID, "PRD"), "verify-killed")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jr.Append(journal.Record{Kind: journal.KindIntent, Step: steps.VerifyCanaryStep, Op: "s3:PutObject", Resource: b}); err != nil {
		t.Fatal(err)
	}
	_ = jr.Close()
	e.destroy()
	page, err := s3.ListObjectVersions(ctx, cloud.ListObjectVersionsInput{Bucket: b, Prefix: "PRD/" + steps.VerifyCanaryFolder})
	if err != nil || len(page.Versions)+len(page.DeleteMarkers) != 0 {
		t.Fatalf("canaries left in the kept bucket: %+v %v", page, err)
	}
	if _, err := s3.HeadObject(ctx, b, "old-backup", ""); err != nil {
		t.Fatalf("the user's object was touched: %v", err)
	}
}
