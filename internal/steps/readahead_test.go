package steps_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/steps"
)

var keyIDPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// callCounts counts an account's calls by operation, region and resource
// (a key ID, which differs between accounts, counts as "KEY").
func callCounts(a *memaws.Account) map[string]int {
	out := map[string]int{}
	for _, c := range a.Calls() {
		out[c.Op+" "+c.Region+" "+keyIDPattern.ReplaceAllString(c.Resource, "KEY")]++
	}
	return out
}

// engines returns two accounts in the same state (the landscape applied,
// or not, and a few backups) and an engine on each, the second with
// reading ahead turned off.
func twinAccounts(t *testing.T, applied bool) (on, off *memaws.Account, eon, eoff *steps.Engine) {
	t.Helper()
	mk := func(readAhead bool) (*memaws.Account, *steps.Engine) {
		a := memaws.New(memaws.Options{HomeRegion: "eu-central-1", ReplicationDelay: -1})
		e := steps.New(steps.Options{Account: a, StateDir: t.TempDir(), HomeRegion: "eu-central-1"})
		if !readAhead {
			e = steps.WithoutReadAhead(e)
		}
		l := benchLandscape()
		if applied {
			if _, err := e.Apply(context.Background(), l, steps.SinkFunc(func(steps.Event) {})); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 5; i++ {
				if _, err := a.S3(l.SourceRegion).PutObject(context.Background(), cloud.PutObjectInput{
					Bucket: l.OriginalBucketName, Key: fmt.Sprintf("%sdata_%d", "PRD/", i), Body: []byte("x")}); err != nil {
					t.Fatal(err)
				}
			}
		}
		a.ResetCounters()
		return a, e
	}
	on, eon = mk(true)
	off, eoff = mk(false)
	return on, off, eon, eoff
}

// TestReadingAheadSendsNoCallTheRunWouldNotMake: every read sent ahead is
// one the run makes anyway. For each operation, with reading ahead on,
// no (operation, region, resource) is called more often than with it off;
// on a landscape in use status sends fewer calls (one ListBuckets, one
// read of each lifecycle, where steps asked for them each).
func TestReadingAheadSendsNoCallTheRunWouldNotMake(t *testing.T) {
	l := benchLandscape()
	ops := []struct {
		name    string
		applied bool
		run     func(e *steps.Engine) error
		fewer   bool
	}{
		{"status", true, func(e *steps.Engine) error { _, err := e.Status(context.Background(), l); return err }, true},
		{"plan", true, func(e *steps.Engine) error { _, err := e.Plan(context.Background(), l); return err }, true},
		{"second apply", true, func(e *steps.Engine) error {
			_, err := e.Apply(context.Background(), l, steps.SinkFunc(func(steps.Event) {}))
			return err
		}, true},
		{"destroy preview", true, func(e *steps.Engine) error { _, err := e.PreviewDestroy(context.Background(), l); return err }, false},
		{"destroy", true, func(e *steps.Engine) error {
			_, err := e.Destroy(context.Background(), l, steps.SinkFunc(func(steps.Event) {}))
			return err
		}, false},
		{"preflight", true, func(e *steps.Engine) error { _, err := e.Preflight(context.Background(), l); return err }, false},
		{"backint", true, func(e *steps.Engine) error { _, err := e.Backint(context.Background(), l); return err }, false},
		{"fresh plan", false, func(e *steps.Engine) error { _, err := e.Plan(context.Background(), l); return err }, false},
		{"fresh apply", false, func(e *steps.Engine) error {
			_, err := e.Apply(context.Background(), l, steps.SinkFunc(func(steps.Event) {}))
			return err
		}, false},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			on, off, eon, eoff := twinAccounts(t, op.applied)
			if err := op.run(eon); err != nil {
				t.Fatal(err)
			}
			if err := op.run(eoff); err != nil {
				t.Fatal(err)
			}
			con, coff := callCounts(on), callCounts(off)
			var extra []string
			for k, n := range con {
				if n > coff[k] {
					extra = append(extra, fmt.Sprintf("%s: %d calls, %d without reading ahead", k, n, coff[k]))
				}
			}
			sort.Strings(extra)
			if len(extra) > 0 {
				t.Fatalf("reading ahead sent calls the run does not make:\n%s", strings.Join(extra, "\n"))
			}
			total := func(m map[string]int) int {
				n := 0
				for _, v := range m {
					n += v
				}
				return n
			}
			if op.fewer && total(con) >= total(coff) {
				t.Fatalf("%d calls with reading ahead, %d without: the shared reads were not shared", total(con), total(coff))
			}
			t.Logf("%s: %d calls with reading ahead, %d without", op.name, total(con), total(coff))
		})
	}
}

// TestFreshApplyReadsNothingItCreated: once this run has created a bucket,
// key or role, nothing in its write chain reads it back (a new bucket has
// no tags, a new key the policy CreateKey gave it and rotation off, a new
// role no inline policy): every such read would add a round trip to the
// longest chain of writes.
func TestFreshApplyReadsNothingItCreated(t *testing.T) {
	acct := memaws.New(memaws.Options{HomeRegion: "eu-central-1"})
	e := steps.New(steps.Options{Account: acct, StateDir: t.TempDir(), HomeRegion: "eu-central-1"})
	if _, err := e.Apply(context.Background(), benchLandscape(), steps.SinkFunc(func(steps.Event) {})); err != nil {
		t.Fatal(err)
	}
	l := benchLandscape()
	keyOf := map[string]string{} // region → the key the apply made there
	for region, alias := range map[string]string{l.SourceRegion: l.OriginalCMKAlias, l.ReplicationRegion: l.ReplicationCMKAlias} {
		m, err := acct.KMS(region).DescribeKey(context.Background(), alias)
		if err != nil {
			t.Fatal(err)
		}
		keyOf[region] = m.KeyID
	}
	created := map[string]bool{} // resource → created by a call before
	var after []string
	for _, c := range acct.Calls() {
		switch c.Op {
		case "CreateBucket", "CreateRole":
			created[c.Resource] = true
			continue
		case "CreateKey":
			created[keyOf[c.Region]] = true
			continue
		}
		if !c.Mutating && created[c.Resource] {
			after = append(after, c.Op+" "+c.Resource)
		}
	}
	if len(after) > 0 {
		t.Fatalf("the apply read back what it had just created:\n%s", strings.Join(after, "\n"))
	}
}

// lateBucketAccount answers the first n GetBucketLifecycleConfiguration
// calls on one bucket with NoSuchBucket, as S3 may for a bucket created
// moments before (HeadBucket already finds it): the engine retries that
// error ("the new bucket is not yet visible").
type lateBucketAccount struct {
	cloud.Account
	bucket string
	mu     sync.Mutex
	n      int
}

type lateBucketS3 struct {
	cloud.S3
	a *lateBucketAccount
}

func (a *lateBucketAccount) S3(region string) cloud.S3 { return lateBucketS3{a.Account.S3(region), a} }

func (s lateBucketS3) GetBucketLifecycleConfiguration(ctx context.Context, b string) (cloud.LifecycleConfiguration, error) {
	s.a.mu.Lock()
	late := b == s.a.bucket && s.a.n > 0
	if late {
		s.a.n--
	}
	s.a.mu.Unlock()
	if late {
		return cloud.LifecycleConfiguration{}, &cloud.Error{Service: "s3", Op: "GetBucketLifecycleConfiguration", Code: cloud.CodeNoSuchBucket,
			HTTPStatus: 404, Message: "The specified bucket does not exist", Resource: b}
	}
	return s.S3.GetBucketLifecycleConfiguration(ctx, b)
}

// TestARetryReadsAWSAgainBeforeAnyChange: a step whose read meets an
// error apply waits out (NoSuchBucket: a bucket not yet visible) reads AWS
// again on its retry, even when nothing in the run has changed anything
// yet: the snapshot read ahead holds what AWS said then, and a retry waits
// for AWS to say something else.
func TestARetryReadsAWSAgainBeforeAnyChange(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	late := &lateBucketAccount{Account: e.acct, bucket: e.l.OriginalBucketName, n: 1}
	eng := steps.New(steps.Options{Account: late, StateDir: e.dir, HomeRegion: e.l.SourceRegion, Now: e.clock.Now, Sleep: e.clock.Sleep})
	rec := &recorder{}
	res, err := eng.Apply(context.Background(), e.l, rec)
	if err != nil {
		t.Fatalf("apply after one late answer: %v", err)
	}
	if len(rec.kinds(steps.EventRetrying)) == 0 || res.Failed != 0 {
		t.Fatalf("no retry reported (result %+v)", res)
	}
}

// slowListAfterCreateAccount answers the first ListBuckets after a
// CreateBucket with SlowDown (503), which the engine retries.
type slowListAfterCreateAccount struct {
	cloud.Account
	mu      sync.Mutex
	created bool
	slowed  bool
}

type slowListAfterCreateS3 struct {
	cloud.S3
	a *slowListAfterCreateAccount
}

func (a *slowListAfterCreateAccount) S3(region string) cloud.S3 {
	return slowListAfterCreateS3{a.Account.S3(region), a}
}

func (s slowListAfterCreateS3) CreateBucket(ctx context.Context, in cloud.CreateBucketInput) error {
	err := s.S3.CreateBucket(ctx, in)
	s.a.mu.Lock()
	s.a.created = s.a.created || err == nil
	s.a.mu.Unlock()
	return err
}

func (s slowListAfterCreateS3) ListBuckets(ctx context.Context) ([]cloud.BucketSummary, error) {
	s.a.mu.Lock()
	slow := s.a.created && !s.a.slowed
	s.a.slowed = s.a.slowed || slow
	s.a.mu.Unlock()
	if slow {
		return nil, &cloud.Error{Service: "s3", Op: "ListBuckets", Code: cloud.CodeSlowDown, HTTPStatus: 503, Message: "Please reduce your request rate."}
	}
	return s.S3.ListBuckets(ctx)
}

// TestUSEast1CreateWhoseCheckIsRetried: in us-east-1 apply reads the new
// bucket's CreationDate after CreateBucket answers 200. When that read
// meets SlowDown, the step is retried: its second CreateBucket answers 200
// again (the bucket is the account's) and the CreationDate lies in the
// first call's window, not the second's. The bucket is still this run's:
// apply must not report it as made by someone else.
func TestUSEast1CreateWhoseCheckIsRetried(t *testing.T) {
	e := newEnv(t, "us-east-1", "us-west-2")
	slow := &slowListAfterCreateAccount{Account: e.acct}
	eng := steps.New(steps.Options{Account: slow, StateDir: e.dir, HomeRegion: "us-east-1", Now: e.clock.Now, Sleep: e.clock.Sleep})
	rec := &recorder{}
	res, err := eng.Apply(context.Background(), e.l, rec)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if !slow.slowed || len(rec.kinds(steps.EventRetrying)) == 0 || res.Failed != 0 {
		t.Fatalf("no retry after SlowDown (slowed %v, result %+v)", slow.slowed, res)
	}
	if st := e.status(); st.Overall != steps.OverallOK {
		t.Fatalf("status: %s %+v", st.Overall, notOK(st))
	}
}
