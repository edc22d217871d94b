package steps_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/policy/eval"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
	"github.com/hanavault/hanavault/internal/testutil/scenarios"
)

// fakeClock is shared by the engine (which sleeps on it while retrying)
// and the in-memory account (whose propagation and replication delays
// follow it), so waiting is instant and deterministic.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

type env struct {
	t     *testing.T
	clock *fakeClock
	acct  *memaws.Account
	eng   *steps.Engine
	dir   string
	l     spec.Landscape
}

func newEnv(t *testing.T, src, dst string, opts ...func(*memaws.Options)) *env {
	t.Helper()
	clk := newClock()
	o := memaws.Options{Now: clk.Now, Sleep: clk.Sleep, ReplicationDelay: 2 * time.Second, HomeRegion: src}
	for _, f := range opts {
		f(&o)
	}
	acct := memaws.New(o)
	dir := t.TempDir()
	l := spec.Defaults("PRD", memaws.DefaultAccountID, src, dst)
	l.EC2RoleToRunBackup = memaws.SeedBackupRole
	l.KMSAdminRole = "kms-admin"
	return &env{
		t: t, clock: clk, acct: acct, dir: dir, l: l,
		eng: steps.New(steps.Options{Account: acct, StateDir: dir, HomeRegion: src, Now: clk.Now, Sleep: clk.Sleep}),
	}
}

// recorder collects events.
type recorder struct {
	mu     sync.Mutex
	events []steps.Event
}

func (r *recorder) Emit(e steps.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) kinds(k steps.EventKind) []steps.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []steps.Event
	for _, e := range r.events {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

func (e *env) apply() *steps.Result {
	e.t.Helper()
	res, err := e.eng.Apply(context.Background(), e.l, &recorder{})
	if err != nil {
		e.t.Fatalf("apply: %v", err)
	}
	return res
}

func (e *env) status() *steps.Status {
	e.t.Helper()
	s, err := e.eng.Status(context.Background(), e.l)
	if err != nil {
		e.t.Fatalf("status: %v", err)
	}
	return s
}

func (e *env) destroy() *steps.Result {
	e.t.Helper()
	res, err := e.eng.Destroy(context.Background(), e.l, &recorder{})
	if err != nil {
		e.t.Fatalf("destroy: %v", err)
	}
	return res
}

func keyARN(t *testing.T, acct cloud.Account, region, alias string) string {
	t.Helper()
	md, err := acct.KMS(region).DescribeKey(context.Background(), alias)
	if err != nil {
		t.Fatalf("describe %s in %s: %v", alias, region, err)
	}
	return md.Arn
}

// assertNothingLeft checks that no hanavault resource remains: no bucket,
// no role, no alias, and every key created is pending deletion.
func (e *env) assertNothingLeft() {
	e.t.Helper()
	ctx := context.Background()
	buckets, err := e.acct.S3(e.l.SourceRegion).ListBuckets(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, b := range buckets {
		for _, name := range []string{e.l.OriginalBucketName, e.l.ReplicationBucketName, e.l.OriginalLogBucketName, e.l.ReplicationLogBucketName} {
			if b.Name == name {
				e.t.Errorf("bucket %s left behind", name)
			}
		}
	}
	if _, err := e.acct.IAM().GetRole(ctx, e.l.ReplicationRoleName); !cloud.IsCode(err, cloud.CodeNoSuchEntity) {
		e.t.Errorf("replication role left behind (err %v)", err)
	}
	for _, x := range []struct{ region, alias string }{{e.l.SourceRegion, e.l.OriginalCMKAlias}, {e.l.ReplicationRegion, e.l.ReplicationCMKAlias}} {
		if _, err := e.acct.KMS(x.region).DescribeKey(ctx, x.alias); !cloud.IsCode(err, cloud.CodeNotFoundException) {
			e.t.Errorf("alias %s left in %s (err %v)", x.alias, x.region, err)
		}
		keys := 0
		marker := ""
		for {
			page, err := e.acct.KMS(x.region).ListKeys(ctx, marker)
			if err != nil {
				e.t.Fatal(err)
			}
			for _, k := range page.Keys {
				md, err := e.acct.KMS(x.region).DescribeKey(ctx, k.KeyID)
				if err != nil || md.KeyManager != "CUSTOMER" {
					continue
				}
				tags, err := e.acct.KMS(x.region).ListResourceTags(ctx, k.KeyID)
				if v, _ := cloud.TagValue(tags, steps.TagLandscape); err != nil || v != e.l.SID {
					continue // the account's other keys
				}
				keys++
				if md.KeyState != "PendingDeletion" {
					e.t.Errorf("key %s in %s is %s, want PendingDeletion", md.KeyID, x.region, md.KeyState)
				}
			}
			if !page.Truncated {
				break
			}
			marker = page.NextMarker
		}
		if keys == 0 {
			e.t.Errorf("no key was ever created in %s", x.region)
		}
	}
}

func TestScenarioApplyStatusDriftRepairDestroy(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()

	plan, err := e.eng.Plan(ctx, e.l)
	if err != nil {
		t.Fatal(err)
	}
	if n := plan.Counts()[steps.ActionCreate]; n != len(plan.Changes) {
		t.Fatalf("fresh plan: %d of %d changes are creates: %+v", n, len(plan.Changes), plan.Counts())
	}
	if len(plan.Documents) < 8 {
		t.Fatalf("plan shows %d policy documents, want all 8", len(plan.Documents))
	}

	before := e.acct.MutatingCalls()
	res := e.apply()
	if res.Failed != 0 || res.Skipped != 0 || res.Succeeded != len(plan.Changes) {
		t.Fatalf("apply result %+v", res)
	}
	if got := e.acct.MutatingCalls() - before; got != res.MutatingCalls {
		t.Fatalf("engine counted %d mutating calls, the account saw %d", res.MutatingCalls, got)
	}

	st := e.status()
	if st.Overall != steps.OverallOK {
		t.Fatalf("status after apply: %s %+v", st.Overall, notOK(st))
	}

	// A second apply on a converged landscape makes zero mutating calls.
	e.acct.ResetCounters()
	res = e.apply()
	if res.MutatingCalls != 0 || e.acct.MutatingCalls() != 0 {
		t.Fatalf("second apply made %d mutating calls (account: %d): %v", res.MutatingCalls, e.acct.MutatingCalls(), mutatingOps(e.acct))
	}

	// Drift: someone suspends versioning on the replica and deletes the
	// source bucket policy.
	if err := e.acct.S3(e.l.ReplicationRegion).PutBucketVersioning(ctx, e.l.ReplicationBucketName, cloud.VersioningSuspended); err != nil {
		t.Fatal(err)
	}
	if err := e.acct.S3(e.l.SourceRegion).DeleteBucketPolicy(ctx, e.l.OriginalBucketName); err != nil {
		t.Fatal(err)
	}
	st = e.status()
	if st.Overall != steps.OverallDrift && st.Overall != steps.OverallHalfApplied {
		t.Fatalf("status after drift: %s", st.Overall)
	}
	got := map[string]steps.ResourceStatus{}
	for _, r := range st.Resources {
		got[r.ID] = r
	}
	v := got["replica/bucket/versioning"]
	if v.State != steps.StateDrift || len(v.Fields) != 1 || v.Fields[0].Actual != "Suspended" || v.Fields[0].Desired != "Enabled" {
		t.Fatalf("versioning drift not named: %+v", v)
	}
	if p := got["source/bucket/policy"]; p.State != steps.StateMissing && p.State != steps.StateDrift {
		t.Fatalf("deleted bucket policy not reported: %+v", p)
	}

	e.apply()
	if st := e.status(); st.Overall != steps.OverallOK {
		t.Fatalf("status after repair: %s %+v", st.Overall, notOK(st))
	}

	res = e.destroy()
	if res.Failed != 0 || len(res.KeyDeletions) != 2 {
		t.Fatalf("destroy result %+v", res)
	}
	for _, kd := range res.KeyDeletions {
		if !strings.Contains(kd.CancelHint, "cancel-key-deletion") || kd.DeletionDate.Sub(e.clock.Now()) < 29*24*time.Hour {
			t.Fatalf("key deletion %+v", kd)
		}
	}
	e.assertNothingLeft()
	if st := e.status(); st.Overall != steps.OverallMissing {
		t.Fatalf("status after destroy: %s", st.Overall)
	}
}

func notOK(s *steps.Status) []steps.ResourceStatus {
	var out []steps.ResourceStatus
	for _, r := range s.Resources {
		if r.State != steps.StateOK {
			out = append(out, r)
		}
	}
	return out
}

func mutatingOps(a *memaws.Account) []string {
	var out []string
	for _, c := range a.Calls() {
		if c.Mutating {
			out = append(out, c.Op+" "+c.Resource)
		}
	}
	return out
}

// TestDataPlaneAfterApply checks what the landscape is for: the EC2 role
// can store backups (single-part and multipart), everything stored is
// SSE-KMS with the landscape key, AES256 uploads and non-TLS requests are
// refused, and backups replicate re-encrypted with the replica key.
func TestDataPlaneAfterApply(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	ctx := context.Background()
	roleARN := "arn:aws:iam::" + memaws.DefaultAccountID + ":role/" + memaws.SeedBackupRole
	ec2 := e.acct.As(roleARN)
	src := ec2.S3(e.l.SourceRegion)
	srcKey := keyARN(t, e.acct, e.l.SourceRegion, e.l.OriginalCMKAlias)
	dstKey := keyARN(t, e.acct, e.l.ReplicationRegion, e.l.ReplicationCMKAlias)

	// Backint sends the CMK explicitly.
	put, err := src.PutObject(ctx, cloud.PutObjectInput{Bucket: e.l.OriginalBucketName, Key: "PRD/data/COMPLETE_DATA_BACKUP_databackup_0_1",
		Body: []byte("backup"), ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: srcKey})
	if err != nil {
		t.Fatalf("encrypted upload by the EC2 role: %v", err)
	}
	if put.SSEKMSKeyID != srcKey {
		t.Fatalf("stored with key %q, want %q", put.SSEKMSKeyID, srcKey)
	}
	// No header: the bucket default encrypts with the landscape key.
	put, err = src.PutObject(ctx, cloud.PutObjectInput{Bucket: e.l.OriginalBucketName, Key: "PRD/log/log_backup_0_0_1", Body: []byte("log")})
	if err != nil {
		t.Fatalf("header-less upload: %v", err)
	}
	if put.ServerSideEncryption != cloud.SSEKMS || put.SSEKMSKeyID != srcKey || !put.BucketKeyEnabled {
		t.Fatalf("header-less upload stored as %+v", put)
	}
	// AES256 is refused.
	if _, err := src.PutObject(ctx, cloud.PutObjectInput{Bucket: e.l.OriginalBucketName, Key: "x", Body: []byte("x"), ServerSideEncryption: cloud.SSEAES256}); !cloud.IsCode(err, cloud.CodeAccessDenied) {
		t.Fatalf("AES256 upload: %v, want AccessDenied", err)
	}
	// Without TLS everything is refused.
	if _, err := ec2.Insecure().S3(e.l.SourceRegion).PutObject(ctx, cloud.PutObjectInput{Bucket: e.l.OriginalBucketName, Key: "y", Body: []byte("y"), ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: srcKey}); !cloud.IsCode(err, cloud.CodeAccessDenied) {
		t.Fatalf("non-TLS upload: %v, want AccessDenied", err)
	}
	// Multipart, as HANA sends large backups: parts carry no SSE header.
	id, err := src.CreateMultipartUpload(ctx, cloud.CreateMultipartUploadInput{Bucket: e.l.OriginalBucketName, Key: "PRD/data/big", ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: srcKey})
	if err != nil {
		t.Fatalf("create multipart upload: %v", err)
	}
	etag, err := src.UploadPart(ctx, cloud.UploadPartInput{Bucket: e.l.OriginalBucketName, Key: "PRD/data/big", UploadID: id, PartNumber: 1, Body: []byte("part")})
	if err != nil {
		t.Fatalf("upload part: %v", err)
	}
	if _, err := src.CompleteMultipartUpload(ctx, cloud.CompleteMultipartUploadInput{Bucket: e.l.OriginalBucketName, Key: "PRD/data/big", UploadID: id,
		Parts: []cloud.CompletedPart{{PartNumber: 1, ETag: etag}}}); err != nil {
		t.Fatalf("complete multipart upload: %v", err)
	}

	// Replication happens after the delay and re-encrypts with the replica key.
	e.clock.Advance(5 * time.Second)
	if err := e.acct.ProcessPending(); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"PRD/data/COMPLETE_DATA_BACKUP_databackup_0_1", "PRD/log/log_backup_0_0_1", "PRD/data/big"} {
		h, err := src.HeadObject(ctx, e.l.OriginalBucketName, key, "")
		if err != nil {
			t.Fatal(err)
		}
		if h.ReplicationStatus != "COMPLETED" {
			t.Fatalf("%s replication status %q, want COMPLETED", key, h.ReplicationStatus)
		}
		r, err := ec2.S3(e.l.ReplicationRegion).HeadObject(ctx, e.l.ReplicationBucketName, key, "")
		if err != nil {
			t.Fatalf("replica of %s: %v", key, err)
		}
		if r.ReplicationStatus != "REPLICA" || r.SSEKMSKeyID != dstKey || r.VersionID != h.VersionID {
			t.Fatalf("replica of %s: %+v (source version %s, replica key %s)", key, r, h.VersionID, dstKey)
		}
	}
	// status samples the newest backups under the Backint folder (the SID).
	st := e.status()
	if !st.Replication.Configured || st.Replication.Sampled != 3 || st.Replication.Completed != 3 {
		t.Fatalf("replication health %+v", st.Replication)
	}

	// Destroy empties both buckets (versions and delete markers) first.
	if _, err := src.DeleteObject(ctx, e.l.OriginalBucketName, "PRD/data/big", ""); err != nil {
		t.Fatal(err)
	}
	prev, err := e.eng.PreviewDestroy(ctx, e.l)
	if err != nil {
		t.Fatal(err)
	}
	var srcContents steps.BucketContents
	for _, b := range prev.Buckets {
		if b.Bucket == e.l.OriginalBucketName {
			srcContents = b
		}
	}
	if srcContents.Versions != 3 || srcContents.DeleteMarkers != 1 || srcContents.Bytes == 0 || srcContents.PreExisting {
		t.Fatalf("destroy preview of the source bucket: %+v", srcContents)
	}
	e.destroy()
	e.assertNothingLeft()
}

func TestUSEast1SourceRegion(t *testing.T) {
	e := newEnv(t, "us-east-1", "us-west-2")
	e.apply()
	if st := e.status(); st.Overall != steps.OverallOK {
		t.Fatalf("status: %s %+v", st.Overall, notOK(st))
	}
	loc, err := e.acct.S3("us-east-1").GetBucketLocation(context.Background(), e.l.OriginalBucketName)
	if err != nil || loc != "" {
		t.Fatalf("location of the us-east-1 bucket %q, %v", loc, err)
	}
	e.destroy()
	e.assertNothingLeft()
}

// TestNewRoleIsRetriedUntilVisible: an EC2 role created moments before the
// apply is not yet visible to KMS; key creation retries until it is.
func TestNewRoleIsRetriedUntilVisible(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1", func(o *memaws.Options) { o.IAMPropagationDelay = 20 * time.Second })
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := e.acct.IAM().CreateRole(ctx, cloud.CreateRoleInput{RoleName: "hana-new-ec2", AssumeRolePolicyDocument: trust}); err != nil {
		t.Fatal(err)
	}
	e.l.EC2RoleToRunBackup = "hana-new-ec2"
	rec := &recorder{}
	res, err := e.eng.Apply(ctx, e.l, rec)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	retries := rec.kinds(steps.EventRetrying)
	if len(retries) == 0 {
		t.Fatal("no retry reported although the role was not yet visible")
	}
	if !strings.Contains(retries[0].Reason, "not yet visible") {
		t.Fatalf("retry reason %q", retries[0].Reason)
	}
	if res.Failed != 0 {
		t.Fatalf("apply result %+v", res)
	}
}

// TestInterruptStopsBetweenCallsAndRerunContinues cancels the apply after
// a few steps: calls in flight finish and are journaled, nothing new
// starts, and a rerun converges.
func TestInterruptStopsBetweenCallsAndRerunContinues(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx, cancel := context.WithCancel(context.Background())
	done := 0
	var mu sync.Mutex
	sink := steps.SinkFunc(func(ev steps.Event) {
		mu.Lock()
		defer mu.Unlock()
		if ev.Kind == steps.EventDone {
			done++
			if done == 5 {
				cancel()
			}
		}
	})
	res, err := e.eng.Apply(ctx, e.l, sink)
	if !errors.Is(err, steps.ErrInterrupted) {
		t.Fatalf("interrupted apply returned %v", err)
	}
	if res.Skipped == 0 || res.Succeeded < 5 {
		t.Fatalf("interrupted result %+v", res)
	}
	e.apply()
	if st := e.status(); st.Overall != steps.OverallOK {
		t.Fatalf("after rerun: %s", st.Overall)
	}
}

// TestPreExistingBucketIsKeptAndRestored: a bucket the user already had is
// adopted (settings managed) and on destroy kept with its objects and
// prior settings; its region's key is kept because objects may need it.
func TestPreExistingBucketIsKeptAndRestored(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	s3 := e.acct.S3(e.l.SourceRegion)
	b := e.l.OriginalBucketName
	adoptBucket(t, e)

	plan, err := e.eng.Plan(ctx, e.l)
	if err != nil {
		t.Fatal(err)
	}
	var warned bool
	for _, w := range plan.Warnings {
		warned = warned || strings.Contains(w.Message, b) && strings.Contains(w.Message, "keep")
	}
	if !warned {
		t.Fatalf("plan does not say the existing bucket is adopted and kept: %+v", plan.Warnings)
	}
	e.apply()
	if st := e.status(); st.Overall != steps.OverallOK {
		t.Fatalf("status: %s %+v", st.Overall, notOK(st))
	}
	res := e.destroy()
	if len(res.Kept) < 2 || len(res.KeyDeletions) != 1 || res.KeyDeletions[0].Region != e.l.ReplicationRegion {
		t.Fatalf("destroy result: kept %v, key deletions %+v", res.Kept, res.KeyDeletions)
	}
	got, err := s3.GetBucketPolicy(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, `"Mine"`) || strings.Contains(got, "DenyInsecureTransport") {
		t.Fatalf("prior bucket policy not restored: %s", got)
	}
	tags, err := s3.GetBucketTagging(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) != 1 || tags[0] != (cloud.Tag{Key: "owner", Value: "basis"}) {
		t.Fatalf("prior tags not restored: %+v", tags)
	}
	if _, err := s3.HeadObject(ctx, b, "old-backup", ""); err != nil {
		t.Fatalf("the user's object was touched: %v", err)
	}
	md, err := e.acct.KMS(e.l.SourceRegion).DescribeKey(ctx, e.l.OriginalCMKAlias)
	if err != nil || md.KeyState != "Enabled" {
		t.Fatalf("source key should be kept: %+v %v", md, err)
	}
}

func TestPreflightNamesTheFieldConcerned(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	if err := e.acct.AddForeignBucket("hana-backup-taken", "eu-west-1"); err != nil {
		t.Fatal(err)
	}
	e.l.ReplicationBucketName = "hana-backup-taken"
	e.l.ReplicationLogBucketName = ""
	e.l.ApplyDefaults()
	// An alias already used by a key that is not the landscape's.
	md, err := e.acct.KMS(e.l.SourceRegion).CreateKey(ctx, cloud.CreateKeyInput{Description: "someone else's"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.acct.KMS(e.l.SourceRegion).CreateAlias(ctx, e.l.OriginalCMKAlias, md.KeyID); err != nil {
		t.Fatal(err)
	}
	e.l.KMSAdminRole = "no-such-role"
	issues, err := e.eng.Preflight(ctx, e.l)
	if err != nil {
		t.Fatal(err)
	}
	if len(issues) != 1 || issues[0].Field != "kmsAdminRole" {
		t.Fatalf("missing role: %+v", issues)
	}
	e.l.KMSAdminRole = "kms-admin"
	issues, err = e.eng.Preflight(ctx, e.l)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{}
	for _, i := range issues {
		fields[i.Field] = i.Message
	}
	if !strings.Contains(fields["replicationBucketName"], "another AWS account") {
		t.Fatalf("taken bucket not reported: %+v", issues)
	}
	if !strings.Contains(fields["originalCMKAlias"], "did not create") {
		t.Fatalf("alias in use not reported: %+v", issues)
	}
}

// TestLockRefusesSecondRun: two applies on the same landscape at once:
// one is refused with a clear message.
func TestLockRefusesSecondRun(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	block := make(chan struct{})
	started := make(chan struct{})
	var once sync.Once
	go func() {
		_, _ = e.eng.Apply(context.Background(), e.l, steps.SinkFunc(func(ev steps.Event) {
			if ev.Kind == steps.EventStarted {
				once.Do(func() { close(started); <-block })
			}
		}))
	}()
	<-started
	_, err := e.eng.Apply(context.Background(), e.l, &recorder{})
	close(block)
	if err == nil || !strings.Contains(err.Error(), "another hanavault run") {
		t.Fatalf("second concurrent apply: %v", err)
	}
}

func TestFromTagsRebuildsTheLandscape(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.l.Lifecycle.StorageClass = "DEEP_ARCHIVE"
	e.l.Lifecycle.ArchiveDays = 200
	e.l.DeleteMarkerReplication = true
	e.apply()
	// The state directory is lost: a fresh engine with an empty one.
	eng := steps.New(steps.Options{Account: e.acct, StateDir: t.TempDir(), HomeRegion: "eu-central-1", Now: e.clock.Now, Sleep: e.clock.Sleep})
	if _, err := eng.LoadLandscape(context.Background(), "PRD", false); !errors.Is(err, steps.ErrUnknownLandscape) {
		t.Fatalf("load without state: %v", err)
	}
	got, err := eng.LoadLandscape(context.Background(), "PRD", true)
	if err != nil {
		t.Fatal(err)
	}
	want := e.l.Normalized()
	want.EC2RoleToRunBackup = "arn:aws:iam::" + memaws.DefaultAccountID + ":role/" + memaws.SeedBackupRole
	want.KMSAdminRole = "arn:aws:iam::" + memaws.DefaultAccountID + ":role/kms-admin"
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Fatalf("rebuilt landscape\n got %+v\nwant %+v", got, want)
	}
	st, err := eng.Status(context.Background(), got)
	if err != nil || st.Overall != steps.OverallOK {
		t.Fatalf("status of the rebuilt landscape: %v %v", st, err)
	}
	// Tags are no proof: without the user's consent destroy deletes none
	// of the tag-found resources.
	if _, err := eng.Destroy(context.Background(), got, &recorder{}); err != nil {
		t.Fatal(err)
	}
	if st := e.status(); st.Overall != steps.OverallOK {
		t.Fatalf("destroy without consent removed tag-found resources: %s %+v", st.Overall, notOK(st))
	}
	all := steps.DestroyOptions{FromTags: steps.TagConsent{Buckets: true, Keys: true, Role: true}}
	if _, err := eng.DestroyWith(context.Background(), got, &recorder{}, all); err != nil {
		t.Fatal(err)
	}
	e.assertNothingLeft()
}

func TestRollbackLastRunRemovesWhatItCreated(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	// The first run fails half-way; roll it back.
	e.acct.FailMutatingCall(12, memaws.FailBefore)
	if _, err := e.eng.Apply(context.Background(), e.l, &recorder{}); err == nil {
		t.Fatal("apply with a failing call succeeded")
	}
	if _, err := e.eng.RollbackLastRun(context.Background(), e.l, &recorder{}); err != nil {
		t.Fatal(err)
	}
	e.assertNothingLeft()
	if st := e.status(); st.Overall != steps.OverallMissing {
		t.Fatalf("after rollback: %s", st.Overall)
	}
}

func TestKnownListsLocalLandscapesWithHealth(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	known, err := e.eng.Known(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(known) != 1 || known[0].SID != "PRD" || !known[0].Local || !known[0].Tagged || known[0].Overall != steps.OverallOK {
		t.Fatalf("known: %+v", known)
	}
}

func TestApplyEventsCoverEveryStep(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	rec := &recorder{}
	if _, err := e.eng.Apply(context.Background(), e.l, rec); err != nil {
		t.Fatal(err)
	}
	started := map[string]bool{}
	for _, ev := range rec.kinds(steps.EventStarted) {
		started[ev.StepID] = true
	}
	var done []string
	for _, ev := range rec.kinds(steps.EventDone) {
		if !started[ev.StepID] {
			t.Errorf("%s done without started", ev.StepID)
		}
		if ev.Action != steps.ActionCreate {
			t.Errorf("%s done with action %q; on a fresh landscape every step is a create, as the plan said", ev.StepID, ev.Action)
		}
		done = append(done, ev.StepID)
	}
	sort.Strings(done)
	if len(done) != len(started) || len(done) < 40 {
		t.Fatalf("%d steps done, %d started", len(done), len(started))
	}
}

func TestBackintConfigNamesBucketsAndKeyARNs(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	if _, err := e.eng.Backint(context.Background(), e.l); err == nil || !strings.Contains(err.Error(), "run apply first") {
		t.Fatalf("before apply: %v", err)
	}
	e.apply()
	b, err := e.eng.Backint(context.Background(), e.l)
	if err != nil {
		t.Fatal(err)
	}
	if b.Source.Bucket != e.l.OriginalBucketName || b.Source.Region != "eu-central-1" || b.Source.Folder != "PRD" ||
		b.Source.Account != memaws.DefaultAccountID || b.Source.KMSKeyARN != keyARN(t, e.acct, "eu-central-1", e.l.OriginalCMKAlias) {
		t.Fatalf("source %+v", b.Source)
	}
	if b.Replica.Bucket != e.l.ReplicationBucketName || b.Replica.KMSKeyARN != keyARN(t, e.acct, "eu-west-1", e.l.ReplicationCMKAlias) {
		t.Fatalf("replica %+v", b.Replica)
	}
	// What the agent sends with these settings is accepted by the bucket
	// policy as the EC2 role.
	_, err = e.acct.As(memaws.SeedBackupRole).S3(b.Source.Region).PutObject(context.Background(), cloud.PutObjectInput{
		Bucket: b.Source.Bucket, Key: b.Source.Folder + "/data/x", Body: []byte("x"), ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: b.Source.KMSKeyARN})
	if err != nil {
		t.Fatalf("upload with the Backint settings: %v", err)
	}
	// The printed identity policy grants the EC2 role every documented
	// Backint action on both buckets and keys, and nothing elsewhere.
	bucketActions, objectActions, keyActions := scenarios.BackintActions()
	role := eval.Principal{AWS: "arn:aws:iam::" + memaws.DefaultAccountID + ":role/" + memaws.SeedBackupRole}
	decide := func(action, resource string) eval.Decision {
		d, err := eval.Evaluate(string(b.IdentityPolicy), eval.Request{Principal: role, Action: action, Resource: resource}, true)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, tg := range []steps.BackintTarget{b.Source, b.Replica} {
		for _, a := range bucketActions {
			if d := decide(a, "arn:aws:s3:::"+tg.Bucket); d != eval.Allow {
				t.Errorf("identity policy: %s on %s: %s", a, tg.Bucket, d)
			}
		}
		for _, a := range objectActions {
			if d := decide(a, "arn:aws:s3:::"+tg.Bucket+"/PRD/data/x"); d != eval.Allow {
				t.Errorf("identity policy: %s on %s objects: %s", a, tg.Bucket, d)
			}
		}
		for _, a := range keyActions {
			if d := decide(a, tg.KMSKeyARN); d != eval.Allow {
				t.Errorf("identity policy: %s on %s: %s", a, tg.KMSKeyARN, d)
			}
		}
	}
	if d := decide("s3:GetObject", "arn:aws:s3:::another-bucket/x"); d != eval.ImplicitDeny {
		t.Errorf("identity policy grants another bucket: %s", d)
	}
}
