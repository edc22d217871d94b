package steps_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/steps"
)

// principalLagAccount answers the first n PutBucketPolicy calls that name
// an IAM role with MalformedPolicy "Invalid principal in policy", as S3
// does while the role has not propagated from IAM yet.
type principalLagAccount struct {
	cloud.Account
	mu sync.Mutex
	n  int
}

type principalLagS3 struct {
	cloud.S3
	a *principalLagAccount
}

func (a *principalLagAccount) S3(region string) cloud.S3 {
	return principalLagS3{a.Account.S3(region), a}
}

func (s principalLagS3) PutBucketPolicy(ctx context.Context, b, doc string) error {
	s.a.mu.Lock()
	lag := s.a.n > 0 && strings.Contains(doc, ":role/")
	if lag {
		s.a.n--
	}
	s.a.mu.Unlock()
	if lag {
		return &cloud.Error{Service: "s3", Op: "PutBucketPolicy", Code: cloud.CodeMalformedPolicy, HTTPStatus: 400,
			Message: "Invalid principal in policy", Resource: b}
	}
	return s.S3.PutBucketPolicy(ctx, b, doc)
}

// TestBucketPolicyWaitsForTheBackupRoleToPropagate: the bucket policy names
// the EC2 backup role; when that role was created moments before (as in
// TestNewRoleIsRetriedUntilVisible), S3 refuses the policy until IAM has
// propagated it, just as KMS refuses the key policy. Apply waits it out.
func TestBucketPolicyWaitsForTheBackupRoleToPropagate(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	lag := &principalLagAccount{Account: e.acct, n: 2}
	eng := steps.New(steps.Options{Account: lag, StateDir: e.dir, HomeRegion: e.l.SourceRegion, Now: e.clock.Now, Sleep: e.clock.Sleep})
	rec := &recorder{}
	res, err := eng.Apply(context.Background(), e.l, rec)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	retried := false
	for _, ev := range rec.kinds(steps.EventRetrying) {
		retried = retried || strings.HasSuffix(ev.StepID, "/policy") && strings.Contains(ev.Reason, "not yet visible")
	}
	if !retried || res.Failed != 0 {
		t.Fatalf("no retry of the bucket policy reported (result %+v)", res)
	}
	if st := e.status(); st.Overall != steps.OverallOK {
		t.Fatalf("status: %s %+v", st.Overall, notOK(st))
	}
}
