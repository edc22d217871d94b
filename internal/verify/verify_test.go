package verify_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/journal"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/policy"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
	"github.com/hanavault/hanavault/internal/verify"
)

const (
	src = "eu-central-1"
	dst = "eu-west-1"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return nil
}

type env struct {
	t    *testing.T
	clk  *clock
	acct *memaws.Account
	eng  *steps.Engine
	dir  string
	l    spec.Landscape
	in   verify.Input
}

// applied returns an account with the PRD landscape applied.
func applied(t *testing.T, opts ...func(*memaws.Options)) *env {
	t.Helper()
	clk := &clock{t: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)}
	o := memaws.Options{Now: clk.Now, Sleep: clk.Sleep, ReplicationDelay: 12 * time.Second, HomeRegion: src}
	for _, f := range opts {
		f(&o)
	}
	acct := memaws.New(o)
	dir := t.TempDir()
	l := spec.Defaults("PRD", memaws.DefaultAccountID, src, dst)
	l.EC2RoleToRunBackup = memaws.SeedBackupRole
	l.KMSAdminRole = "kms-admin"
	eng := steps.New(steps.Options{Account: acct, StateDir: dir, HomeRegion: src, Now: clk.Now, Sleep: clk.Sleep})
	if _, err := eng.Apply(context.Background(), l, nil); err != nil {
		t.Fatalf("apply: %v", err)
	}
	b, err := eng.Backint(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	in := verify.Input{Landscape: l, Folder: b.Source.Folder,
		Source:  verify.Target{Region: b.Source.Region, Bucket: b.Source.Bucket, KeyARN: b.Source.KMSKeyARN},
		Replica: verify.Target{Region: b.Replica.Region, Bucket: b.Replica.Bucket, KeyARN: b.Replica.KMSKeyARN}}
	return &env{t: t, clk: clk, acct: acct, eng: eng, dir: dir, l: l, in: in}
}

// replicationPolicy returns the name and document of the role's only
// inline policy.
func replicationPolicy(t *testing.T, acct cloud.Account, role string) (string, policy.Document) {
	t.Helper()
	ctx := context.Background()
	names, err := acct.IAM().ListRolePolicies(ctx, role, "")
	if err != nil || len(names.PolicyNames) != 1 {
		t.Fatalf("inline policies of %s: %v %v", role, names, err)
	}
	enc, err := acct.IAM().GetRolePolicy(ctx, role, names.PolicyNames[0])
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := cloud.DecodePolicyDocument(enc)
	d, err := policy.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	return names.PolicyNames[0], d
}

func (e *env) opts() verify.Options {
	return verify.Options{Account: e.acct, JournalRoot: e.dir, Now: e.clk.Now, Sleep: e.clk.Sleep, PollInterval: 5 * time.Second}
}

type recorder struct {
	mu     sync.Mutex
	events []steps.Event
	onEmit func(steps.Event)
}

func (r *recorder) Emit(ev steps.Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	f := r.onEmit
	r.mu.Unlock()
	if f != nil {
		f(ev)
	}
}

func check(t *testing.T, rep *verify.Report, id string) verify.Check {
	t.Helper()
	for _, c := range rep.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %s in %+v", id, rep.Checks)
	return verify.Check{}
}

// leftovers counts the versions under the canary folder in both buckets.
func (e *env) leftovers() int {
	e.t.Helper()
	n := 0
	for _, tg := range []verify.Target{e.in.Source, e.in.Replica} {
		page, err := e.acct.S3(tg.Region).ListObjectVersions(context.Background(), cloud.ListObjectVersionsInput{Bucket: tg.Bucket, Prefix: "PRD/" + verify.CanaryFolder})
		if err != nil {
			e.t.Fatal(err)
		}
		n += len(page.Versions) + len(page.DeleteMarkers)
	}
	return n
}

func (e *env) journalPending() bool {
	recs, _, err := journal.Read(journal.Dir(e.dir, memaws.DefaultAccountID, "PRD"))
	if err != nil {
		e.t.Fatal(err)
	}
	return steps.VerifyCanariesPending(recs)
}

func TestVerifyPassesOnAnAppliedLandscape(t *testing.T) {
	e := applied(t)
	rec := &recorder{}
	rep, err := verify.Run(context.Background(), e.opts(), e.in, rec)
	if err != nil {
		for _, c := range rep.Failed() {
			t.Logf("%s: %s (%s)", c.ID, c.Detail, c.Cause)
		}
		t.Fatalf("verify: %v", err)
	}
	if !rep.Passed || rep.ReplicationLatency < 12*time.Second || rep.ReplicationLatency > 20*time.Second {
		t.Fatalf("passed %v latency %v", rep.Passed, rep.ReplicationLatency)
	}
	for _, id := range []string{"upload/single", "upload/multipart", "guard/no-header", "guard/aes256", "guard/sse-c",
		"guard/kms-without-key", "guard/other-key", "replication", "replica/single", "replica/multipart",
		"backup-role/s3/" + src, "backup-role/s3/" + dst, "backup-role/kms/" + src, "backup-role/kms/" + dst, "replication-role/kms"} {
		if c := check(t, rep, id); c.Result != verify.Pass {
			t.Errorf("%s: %s", id, c.Result)
		}
	}
	if rep.BackupRole == "" || rep.ReplicationRole == "" || rep.CallerIsBackupRole {
		t.Fatalf("roles %+v", rep)
	}
	if n := e.leftovers(); n != 0 || rep.CanariesRemoved < 6 || e.journalPending() {
		t.Fatalf("%d canary versions left, %d removed, journal pending %v", n, rep.CanariesRemoved, e.journalPending())
	}
	var progress bool
	for _, ev := range rec.events {
		if ev.Kind == steps.EventProgress && ev.StepID == "verify/replication" && strings.Contains(ev.Detail, "PENDING") && ev.Elapsed > 0 {
			progress = true
		}
	}
	if !progress {
		t.Fatal("no live progress while waiting for replication")
	}
}

func TestVerifyFailsWhenTheBucketPolicyLetsAES256Through(t *testing.T) {
	e := applied(t)
	ctx := context.Background()
	s3 := e.acct.S3(src)
	doc, err := s3.GetBucketPolicy(ctx, e.in.Source.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	d, err := policy.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	var kept []policy.Statement
	for _, st := range d.Statement {
		if st.Sid != policy.SidDenyNonKMSEncryptionHeader {
			kept = append(kept, st)
		}
	}
	d.Statement = kept
	if err := s3.PutBucketPolicy(ctx, e.in.Source.Bucket, d.Compact()); err != nil {
		t.Fatal(err)
	}
	rep, err := verify.Run(ctx, e.opts(), e.in, nil)
	var fe *verify.FailedError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want FailedError", err)
	}
	c := check(t, rep, "guard/aes256")
	if c.Result != verify.Fail || !strings.Contains(c.Cause, policy.SidDenyNonKMSEncryptionHeader) || !strings.Contains(c.Detail, "AES256") {
		t.Fatalf("aes256 check %+v", c)
	}
	if len(fe.Failed) != 1 {
		t.Fatalf("failed checks %+v", fe.Failed)
	}
	if n := e.leftovers(); n != 0 {
		t.Fatalf("%d versions left (the accepted AES256 upload too must go)", n)
	}
}

// dropReplicaKeyAction rewrites the replication role's inline policy without
// the KMS action on the replica key (a role hanavault did not write).
func dropReplicaKeyAction(t *testing.T, e *env, action string) {
	t.Helper()
	role := e.l.Normalized().ReplicationRoleName
	name, d := replicationPolicy(t, e.acct, role)
	found := false
	for i, st := range d.Statement {
		var acts policy.Values
		for _, a := range st.Action {
			if a == action && len(st.Resource) == 1 && st.Resource[0] == e.in.Replica.KeyARN {
				found = true
				continue
			}
			acts = append(acts, a)
		}
		d.Statement[i].Action = acts
	}
	if !found {
		t.Fatalf("the replication role's policy has no %s on the replica key: %s", action, d.Compact())
	}
	var kept []policy.Statement
	for _, st := range d.Statement {
		if len(st.Action) > 0 {
			kept = append(kept, st)
		}
	}
	d.Statement = kept
	if err := e.acct.IAM().PutRolePolicy(context.Background(), role, name, d.Compact()); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyNamesTheReplicaKeyPermissionTheReplicationRoleLacks(t *testing.T) {
	// kms:Encrypt makes the replica; kms:Decrypt on the replica key lets S3
	// verify the replica's bucket key (aws-facts §7). Without either,
	// replication FAILS and verify names the permission.
	for _, action := range []string{"kms:Encrypt", "kms:Decrypt"} {
		t.Run(action, func(t *testing.T) {
			e := applied(t)
			dropReplicaKeyAction(t, e, action)
			rep, err := verify.Run(context.Background(), e.opts(), e.in, nil)
			var fe *verify.FailedError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v", err)
			}
			c := check(t, rep, "replication-role/kms")
			if c.Result != verify.Fail || !strings.Contains(c.Detail, action+" on the "+dst+" key "+e.in.Replica.KeyARN) {
				t.Fatalf("replication role check %+v", c)
			}
			if r := check(t, rep, "replication"); r.Result != verify.Fail || !strings.Contains(r.Detail, "FAILED") {
				t.Fatalf("replication %+v", r)
			}
			if n := e.leftovers(); n != 0 || e.journalPending() {
				t.Fatalf("%d left, pending %v", n, e.journalPending())
			}
		})
	}
}

func TestVerifyReplicationTimeoutReportsTheLastStatus(t *testing.T) {
	e := applied(t, func(o *memaws.Options) { o.ReplicationDelay = time.Hour })
	o := e.opts()
	o.Timeout = 2 * time.Minute
	rep, err := verify.Run(context.Background(), o, e.in, nil)
	var fe *verify.FailedError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v", err)
	}
	c := check(t, rep, "replication")
	if c.Result != verify.Fail || !strings.Contains(c.Detail, "not replicated within 2m0s") || !strings.Contains(c.Detail, "single PENDING") {
		t.Fatalf("timeout check %+v", c)
	}
	if check(t, rep, "replication-role/kms").Result != verify.Pass {
		t.Fatal("the role checks still run after a timeout")
	}
	// The replicas may still arrive: the journal keeps the canaries.
	if !e.journalPending() {
		t.Fatal("journal closed although replicas can still arrive")
	}
	if e.leftovers() != 0 {
		t.Fatal("source canaries left")
	}
}

func TestVerifyRemovesCanariesWhenInterrupted(t *testing.T) {
	e := applied(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &recorder{onEmit: func(ev steps.Event) {
		if ev.Kind == steps.EventProgress && ev.StepID == "verify/replication" {
			cancel() // Ctrl+C while waiting for replication
		}
	}}
	rep, err := verify.Run(ctx, e.opts(), e.in, rec)
	if !errors.Is(err, context.Canceled) || !rep.Interrupted {
		t.Fatalf("err = %v interrupted %v", err, rep.Interrupted)
	}
	if n := e.leftovers(); n != 0 {
		t.Fatalf("%d canary versions left after the interrupt", n)
	}
	if rep.CanariesRemoved < 3 {
		t.Fatalf("removed %d", rep.CanariesRemoved)
	}
	if !e.journalPending() {
		t.Fatal("replicas may still arrive after an interrupt: the journal must keep the canaries")
	}
}

func TestNextVerifyRemovesLeftoversOfAKilledRun(t *testing.T) {
	e := applied(t)
	ctx := context.Background()
	// A killed verify: the journal has the intent, the bucket a canary.
	jr, err := journal.Open(journal.Dir(e.dir, memaws.DefaultAccountID, "PRD"), "verify-killed")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jr.Append(journal.Record{Kind: journal.KindIntent, Step: steps.VerifyCanaryStep, Op: "s3:PutObject", Resource: e.in.Source.Bucket}); err != nil {
		t.Fatal(err)
	}
	_ = jr.Close()
	key := "PRD/" + verify.CanaryFolder + "verify-killed/single"
	if _, err := e.acct.S3(src).PutObject(ctx, cloud.PutObjectInput{Bucket: e.in.Source.Bucket, Key: key, Body: []byte("old")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.acct.S3(dst).PutObject(ctx, cloud.PutObjectInput{Bucket: e.in.Replica.Bucket, Key: key, Body: []byte("old replica")}); err != nil {
		t.Fatal(err)
	}
	o := e.opts()
	o.KeepCanary = true
	rep, err := verify.Run(ctx, o, e.in, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The leftovers went first; this run's canaries are kept as asked.
	if rep.CanariesRemoved < 2 || !rep.CanariesKept {
		t.Fatalf("removed %d kept %v", rep.CanariesRemoved, rep.CanariesKept)
	}
	for _, tg := range []verify.Target{e.in.Source, e.in.Replica} {
		if _, err := e.acct.S3(tg.Region).HeadObject(ctx, tg.Bucket, key, ""); !cloud.IsCode(err, cloud.CodeNotFound) {
			t.Fatalf("leftover in %s: %v", tg.Bucket, err)
		}
	}
	if e.leftovers() == 0 || !e.journalPending() {
		t.Fatal("--keep-canary: canaries should stay, recorded")
	}
	// Destroy removes the kept canaries with the buckets.
	if _, err := e.eng.Destroy(ctx, e.l, nil); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyWithTheBackupRolesCredentialsSaysSo(t *testing.T) {
	e := applied(t)
	o := e.opts()
	o.Account = e.acct.As("arn:aws:sts::" + memaws.DefaultAccountID + ":assumed-role/" + memaws.SeedBackupRole + "/i-0abc")
	rep, _ := verify.Run(context.Background(), o, e.in, nil)
	if !rep.CallerIsBackupRole {
		t.Fatalf("caller %s not recognised as the backup role", rep.Caller)
	}
	if c := check(t, rep, "upload/single"); c.Result != verify.Pass {
		t.Fatalf("the backup role's own upload: %+v", c)
	}
}

func TestVerifyShowsAnExplicitDenyInTheBackupRolesBoundary(t *testing.T) {
	e := applied(t)
	arn, err := e.acct.AddManagedPolicy("no-kms", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.acct.SetPermissionsBoundary(memaws.SeedBackupRole, arn); err != nil {
		t.Fatal(err)
	}
	rep, _ := verify.Run(context.Background(), e.opts(), e.in, nil)
	c := check(t, rep, "backup-role/kms/"+src)
	if c.Result != verify.Fail || !strings.Contains(c.Detail, "kms:Decrypt") || !strings.Contains(c.Detail, "permissions boundary") {
		t.Fatalf("boundary check %+v", c)
	}
	if s := check(t, rep, "backup-role/s3/"+src); s.Result != verify.Pass {
		t.Fatalf("s3 check %+v", s)
	}
}
