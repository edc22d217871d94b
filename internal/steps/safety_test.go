package steps_test

// Safety tests from an independent review: destroy, rollback and apply must
// never lose data or touch what hanavault does not own, also when AWS
// answers a read with a transient error.

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// throttlingAccount answers the first n HeadBucket calls on one bucket with
// SlowDown (HTTP 503), as S3 does under load; every other call goes to the
// wrapped account.
type throttlingAccount struct {
	cloud.Account
	bucket string
	mu     sync.Mutex
	n      int
}

type throttlingS3 struct {
	cloud.S3
	a *throttlingAccount
}

func (a *throttlingAccount) S3(region string) cloud.S3 { return throttlingS3{a.Account.S3(region), a} }

func (s throttlingS3) HeadBucket(ctx context.Context, b string) (cloud.HeadBucketOutput, error) {
	s.a.mu.Lock()
	throttle := b == s.a.bucket && s.a.n > 0
	if throttle {
		s.a.n--
	}
	s.a.mu.Unlock()
	if throttle {
		return cloud.HeadBucketOutput{}, &cloud.Error{Service: "s3", Op: "HeadBucket", Code: cloud.CodeSlowDown, HTTPStatus: 503,
			Message: "Please reduce your request rate.", Resource: b}
	}
	return s.S3.HeadBucket(ctx, b)
}

// adoptBucket creates the landscape's source bucket before hanavault runs,
// with a policy, a tag and an object of the user's.
func adoptBucket(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	s3 := e.acct.S3(e.l.SourceRegion)
	b := e.l.OriginalBucketName
	if err := s3.CreateBucket(ctx, cloud.CreateBucketInput{Bucket: b, LocationConstraint: e.l.SourceRegion}); err != nil {
		t.Fatal(err)
	}
	prior := `{"Version":"2012-10-17","Statement":[{"Sid":"Mine","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::` + b + `"}]}`
	if err := s3.PutBucketPolicy(ctx, b, prior); err != nil {
		t.Fatal(err)
	}
	if err := s3.PutBucketTagging(ctx, b, []cloud.Tag{{Key: "owner", Value: "basis"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: b, Key: "old-backup", Body: []byte("keep me")}); err != nil {
		t.Fatal(err)
	}
}

// TestDestroyKeepsTheKeyOfAKeptBucketDespiteAThrottledLookup: destroy
// decides up front which keys must survive (those of pre-existing buckets,
// whose objects were encrypted with them while hanavault managed the
// bucket). One throttled HeadBucket during that decision must not make it
// schedule the key for deletion: the backups in the kept bucket would become
// unreadable when the window ends.
func TestDestroyKeepsTheKeyOfAKeptBucketDespiteAThrottledLookup(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	adoptBucket(t, e)
	e.apply()
	// A backup written while hanavault manages the bucket: encrypted with
	// the landscape key by the bucket default.
	put, err := e.acct.S3(e.l.SourceRegion).PutObject(ctx, cloud.PutObjectInput{Bucket: e.l.OriginalBucketName, Key: "data/backup_1", Body: []byte("backup")})
	if err != nil {
		t.Fatal(err)
	}
	srcKey := keyARN(t, e.acct, e.l.SourceRegion, e.l.OriginalCMKAlias)
	if put.SSEKMSKeyID != srcKey {
		t.Fatalf("backup stored with key %q, want the landscape key %q", put.SSEKMSKeyID, srcKey)
	}

	flaky := &throttlingAccount{Account: e.acct, bucket: e.l.OriginalBucketName, n: 1}
	eng := steps.New(steps.Options{Account: flaky, StateDir: e.dir, HomeRegion: e.l.SourceRegion, Now: e.clock.Now, Sleep: e.clock.Sleep})
	_, _ = eng.Destroy(ctx, e.l, &recorder{})
	if _, err := eng.Destroy(ctx, e.l, &recorder{}); err != nil { // a rerun
		t.Fatalf("rerun of destroy: %v", err)
	}

	md, err := e.acct.KMS(e.l.SourceRegion).DescribeKey(ctx, srcKey)
	if err != nil || md.KeyState != "Enabled" {
		t.Fatalf("the key of the kept bucket %s is %q (%v); its backups need it", e.l.OriginalBucketName, md.KeyState, err)
	}
	if _, err := e.acct.S3(e.l.SourceRegion).HeadObject(ctx, e.l.OriginalBucketName, "data/backup_1", ""); err != nil {
		t.Fatalf("the backup in the kept bucket: %v", err)
	}
	if _, err := e.acct.KMS(e.l.SourceRegion).DescribeKey(ctx, e.l.OriginalCMKAlias); err != nil {
		t.Fatalf("the alias of the kept key was deleted: %v", err)
	}
}

// TestKeyScheduledForDeletionOutsideHanavaultIsReportedAndRestored: someone
// schedules the deletion of the landscape key in the console (the alias
// stays). Status must say so, not report the key missing, and apply must
// cancel the deletion and re-enable the key (CancelKeyDeletion leaves it
// Disabled) instead of creating a new key and leaving the old one, which
// encrypts every backup so far, to be deleted.
func TestKeyScheduledForDeletionOutsideHanavaultIsReportedAndRestored(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	e.apply()
	s3 := e.acct.S3(e.l.SourceRegion)
	if _, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: e.l.OriginalBucketName, Key: "data/backup_1", Body: []byte("backup")}); err != nil {
		t.Fatal(err)
	}
	kms := e.acct.KMS(e.l.SourceRegion)
	key := keyARN(t, e.acct, e.l.SourceRegion, e.l.OriginalCMKAlias)
	if _, err := kms.ScheduleKeyDeletion(ctx, key, 7); err != nil {
		t.Fatal(err)
	}

	prev, err := e.eng.PreviewDestroy(ctx, e.l)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range prev.Keys {
		if k.Arn == key {
			t.Fatalf("destroy preview offers to schedule the deletion of %s again: %+v", key, prev.Keys)
		}
	}

	st := e.status()
	var keyStatus steps.ResourceStatus
	for _, rs := range st.Resources {
		if rs.ID == "source/key" {
			keyStatus = rs
		}
	}
	if keyStatus.State != steps.StateDrift || len(keyStatus.Fields) == 0 || keyStatus.Fields[0].Actual != "PendingDeletion" {
		t.Fatalf("status of a key pending deletion: %+v", keyStatus)
	}

	e.apply()
	md, err := kms.DescribeKey(ctx, key)
	if err != nil || md.KeyState != "Enabled" {
		t.Fatalf("after apply the landscape key is %q (%v), want Enabled again", md.KeyState, err)
	}
	if got := keyARN(t, e.acct, e.l.SourceRegion, e.l.OriginalCMKAlias); got != key {
		t.Fatalf("the alias now points to %s, not to the key of the existing backups %s", got, key)
	}
	enc, err := s3.GetBucketEncryption(ctx, e.l.OriginalBucketName)
	if err != nil || enc.KMSMasterKeyID != key {
		t.Fatalf("bucket default encryption %+v (%v), want key %s", enc, err, key)
	}
	if got, err := s3.GetObject(ctx, e.l.OriginalBucketName, "data/backup_1", ""); err != nil || string(got.Body) != "backup" {
		t.Fatalf("the backup is not readable: %v", err)
	}
	if st := e.status(); st.Overall != steps.OverallOK {
		t.Fatalf("status after apply: %s %+v", st.Overall, notOK(st))
	}
}

// TestDestroyWithAKeyAlreadyPendingDeletion: destroy of a landscape whose
// key someone already scheduled for deletion completes without scheduling
// it again (KMS refuses that) and leaves nothing behind.
func TestDestroyWithAKeyAlreadyPendingDeletion(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	e.apply()
	key := keyARN(t, e.acct, e.l.ReplicationRegion, e.l.ReplicationCMKAlias)
	if _, err := e.acct.KMS(e.l.ReplicationRegion).ScheduleKeyDeletion(ctx, key, 7); err != nil {
		t.Fatal(err)
	}
	res := e.destroy()
	if res.Failed != 0 || len(res.KeyDeletions) != 1 || res.KeyDeletions[0].Region != e.l.SourceRegion {
		t.Fatalf("destroy result %+v", res)
	}
	e.assertNothingLeft()
}

// rollBackFailedApply runs an apply whose last mutating call fails (so
// every resource but one exists) and rolls it back: the created resources
// are gone, the journal stays.
func rollBackFailedApply(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	probe := newEnv(t, e.l.SourceRegion, e.l.ReplicationRegion)
	n := probe.apply().MutatingCalls
	e.acct.FailMutatingCall(n, memaws.FailBefore)
	if _, err := e.eng.Apply(ctx, e.l, &recorder{}); err == nil {
		t.Fatal("apply with its last call failing succeeded")
	}
	if _, err := e.eng.RollbackLastRun(ctx, e.l, &recorder{}); err != nil {
		t.Fatal(err)
	}
}

// TestBucketNameReusedAfterRollbackIsAdopted: after a rolled-back apply the
// user creates a bucket with the landscape's bucket name. The journal still
// says hanavault once created a bucket of that name; that must not make the
// user's bucket hanavault's: it is adopted (and said so), and destroy keeps
// it with its objects instead of emptying and deleting it.
func TestBucketNameReusedAfterRollbackIsAdopted(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	rollBackFailedApply(t, e)

	s3 := e.acct.S3(e.l.SourceRegion)
	b := e.l.OriginalBucketName
	if err := s3.CreateBucket(ctx, cloud.CreateBucketInput{Bucket: b, LocationConstraint: e.l.SourceRegion}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: b, Key: "mine", Body: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	plan, err := e.eng.Plan(ctx, e.l)
	if err != nil {
		t.Fatal(err)
	}
	adopted := false
	for _, w := range plan.Warnings {
		adopted = adopted || strings.Contains(w.Message, b) && strings.Contains(w.Message, "keep")
	}
	if !adopted {
		t.Fatalf("the plan does not say the user's bucket %s is adopted and kept: %+v", b, plan.Warnings)
	}
	e.apply()
	e.destroy()
	if _, err := s3.HeadObject(ctx, b, "mine", ""); err != nil {
		t.Fatalf("destroy removed the user's bucket or object: %v", err)
	}
}

// TestRoleNameReusedAfterRollbackIsNotHanavaults: the same for the
// replication role: a role the user creates with its name after a rollback
// is refused by preflight, and destroy leaves it alone.
func TestRoleNameReusedAfterRollbackIsNotHanavaults(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	rollBackFailedApply(t, e)

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := e.acct.IAM().CreateRole(ctx, cloud.CreateRoleInput{RoleName: e.l.ReplicationRoleName, Path: "/", AssumeRolePolicyDocument: trust}); err != nil {
		t.Fatal(err)
	}
	issues, err := e.eng.Preflight(ctx, e.l)
	if err != nil {
		t.Fatal(err)
	}
	if len(issues) != 1 || issues[0].Field != "replicationRoleName" {
		t.Fatalf("preflight with the user's role named like the replication role: %+v", issues)
	}
	if _, err := e.eng.Destroy(ctx, e.l, &recorder{}); err != nil {
		t.Fatalf("destroy of a rolled-back landscape: %v", err)
	}
	if _, err := e.acct.IAM().GetRole(ctx, e.l.ReplicationRoleName); err != nil {
		t.Fatalf("destroy deleted the user's role %s: %v", e.l.ReplicationRoleName, err)
	}
}

// TestBucketOfAnotherLandscapeIsRefused: a second landscape (QAS) whose
// backup bucket name is, by mistake, the bucket of landscape PRD. As with
// an alias or a role of another landscape, preflight names the field and
// apply changes nothing: adopting the bucket would point its default
// encryption, policy and replication at QAS's key, role and replica, so
// PRD's Backint uploads (which name PRD's key) would be denied.
func TestBucketOfAnotherLandscapeIsRefused(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	e.apply()
	qas := spec.Defaults("QAS", memaws.DefaultAccountID, e.l.SourceRegion, e.l.ReplicationRegion)
	qas.EC2RoleToRunBackup, qas.KMSAdminRole = e.l.EC2RoleToRunBackup, e.l.KMSAdminRole
	qas.OriginalBucketName = e.l.OriginalBucketName
	qas.OriginalLogBucketName = ""
	qas.ApplyDefaults()

	issues, err := e.eng.Preflight(ctx, qas)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{}
	for _, is := range issues {
		fields[is.Field] = is.Message
	}
	for _, f := range []string{"originalBucketName", "originalLogBucketName"} {
		if !strings.Contains(fields[f], "PRD") {
			t.Errorf("preflight does not say %s belongs to landscape PRD: %+v", f, issues)
		}
	}
	var fe *steps.FieldError
	if _, err := e.eng.Plan(ctx, qas); !errors.As(err, &fe) {
		t.Fatalf("plan of QAS on PRD's bucket: %v, want a field error", err)
	}
	_, _ = e.eng.Apply(ctx, qas, &recorder{})
	if st := e.status(); st.Overall != steps.OverallOK {
		t.Fatalf("PRD after an apply of QAS on its bucket: %s %+v", st.Overall, notOK(st))
	}
}

// TestDestroyKeepsTheReplicationOfAnAdoptedBucketItNeverChanged: the user's
// pre-existing source bucket replicates to a bucket of their own. The apply
// stops before it reaches the replication step, so hanavault never touched
// that configuration; destroy must leave it as it is.
func TestDestroyKeepsTheReplicationOfAnAdoptedBucketItNeverChanged(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	adoptBucket(t, e)
	s3 := e.acct.S3(e.l.SourceRegion)
	b := e.l.OriginalBucketName
	if err := s3.PutBucketVersioning(ctx, b, cloud.VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	dr := e.acct.S3("eu-north-1")
	if err := dr.CreateBucket(ctx, cloud.CreateBucketInput{Bucket: "basis-dr-copy", LocationConstraint: "eu-north-1"}); err != nil {
		t.Fatal(err)
	}
	if err := dr.PutBucketVersioning(ctx, "basis-dr-copy", cloud.VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := e.acct.IAM().CreateRole(ctx, cloud.CreateRoleInput{RoleName: "basis-replication", Path: "/", AssumeRolePolicyDocument: trust})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute) // the role propagates
	mine := cloud.ReplicationConfiguration{Role: role.Arn, Rules: []cloud.ReplicationRule{{
		ID: "basis-dr", Priority: 1, Status: "Enabled", DestinationBucket: "arn:aws:s3:::basis-dr-copy"}}}
	if err := s3.PutBucketReplication(ctx, b, mine); err != nil {
		t.Fatal(err)
	}

	// The apply is interrupted as soon as it starts.
	stop, cancel := context.WithCancel(ctx)
	var once sync.Once
	_, err = e.eng.Apply(stop, e.l, steps.SinkFunc(func(ev steps.Event) {
		if ev.Kind == steps.EventStarted {
			once.Do(cancel)
		}
	}))
	if !errors.Is(err, steps.ErrInterrupted) {
		t.Fatalf("interrupted apply: %v", err)
	}
	prev, err := e.eng.PreviewDestroy(ctx, e.l)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range prev.Changes {
		if c.ID == "source/bucket/replication" && c.Action != steps.ActionKeep {
			t.Errorf("destroy preview: %s %s, want keep", c.ID, c.Action)
		}
	}
	if _, err := e.eng.Destroy(ctx, e.l, &recorder{}); err != nil {
		t.Fatal(err)
	}
	got, err := s3.GetBucketReplication(ctx, b)
	if err != nil || len(got.Rules) != 1 || got.Rules[0].ID != "basis-dr" || got.Role != role.Arn {
		t.Fatalf("the replication the user configured on %s: %+v (%v)", b, got, err)
	}
}

// TestRollbackRestoresTheAdoptedBucketItChanged: an apply on a
// pre-existing bucket stops before its last step and is rolled back. The run
// changed the bucket's settings (policy, lifecycle that expires objects,
// encryption, logging to a log bucket the rollback deletes, tags); the
// rollback must put back what the user had, as destroy would. The same
// again: the journal of the first attempt must not get in the way.
func TestRollbackRestoresTheAdoptedBucketItChanged(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	adoptBucket(t, e)
	for attempt := 1; attempt <= 2; attempt++ {
		// The apply stops when it reaches replication, its last step.
		stop, cancel := context.WithCancel(ctx)
		_, err := e.eng.Apply(stop, e.l, steps.SinkFunc(func(ev steps.Event) {
			if ev.Kind == steps.EventStarted && ev.StepID == "source/bucket/replication" {
				cancel()
			}
		}))
		cancel()
		if !errors.Is(err, steps.ErrInterrupted) {
			t.Fatalf("attempt %d: interrupted apply: %v", attempt, err)
		}
		if _, err := e.eng.RollbackLastRun(ctx, e.l, &recorder{}); err != nil {
			t.Fatal(err)
		}

		s3 := e.acct.S3(e.l.SourceRegion)
		b := e.l.OriginalBucketName
		if got, err := s3.GetBucketPolicy(ctx, b); err != nil || !strings.Contains(got, `"Mine"`) || strings.Contains(got, "DenyInsecureTransport") {
			t.Errorf("attempt %d: bucket policy after rollback: %s (%v)", attempt, got, err)
		}
		if tags, err := s3.GetBucketTagging(ctx, b); err != nil || len(tags) != 1 || tags[0] != (cloud.Tag{Key: "owner", Value: "basis"}) {
			t.Errorf("attempt %d: tags after rollback: %+v (%v)", attempt, tags, err)
		}
		if lc, err := s3.GetBucketLifecycleConfiguration(ctx, b); !cloud.IsCode(err, cloud.CodeNoSuchLifecycle) {
			t.Errorf("attempt %d: lifecycle left after rollback (it expires the user's objects): %+v (%v)", attempt, lc, err)
		}
		if enc, err := s3.GetBucketEncryption(ctx, b); err != nil || enc.SSEAlgorithm != cloud.SSEAES256 {
			t.Errorf("attempt %d: default encryption after rollback: %+v (%v)", attempt, enc, err)
		}
		if lg, err := s3.GetBucketLogging(ctx, b); err != nil || lg != nil {
			t.Errorf("attempt %d: access logging after rollback: %+v (%v)", attempt, lg, err)
		}
		if _, err := s3.HeadObject(ctx, b, "old-backup", ""); err != nil {
			t.Errorf("attempt %d: the user's object: %v", attempt, err)
		}
	}
}

// TestKeyTagDriftIsRepairedNotTakenForAForeignKey: someone changes the
// landscape tag on the key hanavault created (here to lower case). The
// journal says the key is the landscape's, so that is tag drift, which
// status reports and apply repairs, and destroy still removes the key: it
// must not turn into "the alias points to a key hanavault did not create",
// which stops status, apply and destroy.
func TestKeyTagDriftIsRepairedNotTakenForAForeignKey(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	e.apply()
	key := keyARN(t, e.acct, e.l.SourceRegion, e.l.OriginalCMKAlias)
	if err := e.acct.KMS(e.l.SourceRegion).TagResource(ctx, key, []cloud.Tag{{Key: steps.TagLandscape, Value: "prd"}}); err != nil {
		t.Fatal(err)
	}
	st, err := e.eng.Status(ctx, e.l)
	if err != nil {
		t.Fatalf("status with the key's tag changed: %v", err)
	}
	drift := notOK(st)
	if len(drift) != 1 || drift[0].ID != "source/key" || drift[0].Fields[0].Name != "tags" {
		t.Fatalf("status with the key's tag changed: %s %+v", st.Overall, drift)
	}
	e.apply()
	if st := e.status(); st.Overall != steps.OverallOK {
		t.Fatalf("after repair: %s %+v", st.Overall, notOK(st))
	}
	if got := keyARN(t, e.acct, e.l.SourceRegion, e.l.OriginalCMKAlias); got != key {
		t.Fatalf("apply replaced the key %s by %s", key, got)
	}
	if err := e.acct.KMS(e.l.SourceRegion).TagResource(ctx, key, []cloud.Tag{{Key: steps.TagLandscape, Value: "prd"}}); err != nil {
		t.Fatal(err)
	}
	e.destroy()
	md, err := e.acct.KMS(e.l.SourceRegion).DescribeKey(ctx, key)
	if err != nil || md.KeyState != "PendingDeletion" {
		t.Fatalf("the landscape key after destroy: %q (%v)", md.KeyState, err)
	}
	if _, err := e.acct.KMS(e.l.SourceRegion).DescribeKey(ctx, e.l.OriginalCMKAlias); !cloud.IsCode(err, cloud.CodeNotFoundException) {
		t.Fatalf("alias left after destroy: %v", err)
	}
}

// TestBucketTagDriftIsRepairedNotTakenForAnotherLandscape: the same for a
// bucket hanavault created whose landscape tag someone changed: the journal
// says it is this landscape's, so it is tag drift, not another landscape's
// bucket.
func TestBucketTagDriftIsRepairedNotTakenForAnotherLandscape(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	e.apply()
	s3 := e.acct.S3(e.l.SourceRegion)
	tags, err := s3.GetBucketTagging(ctx, e.l.OriginalBucketName)
	if err != nil {
		t.Fatal(err)
	}
	for i := range tags {
		if tags[i].Key == steps.TagLandscape {
			tags[i].Value = "prd"
		}
	}
	if err := s3.PutBucketTagging(ctx, e.l.OriginalBucketName, tags); err != nil {
		t.Fatal(err)
	}
	st, err := e.eng.Status(ctx, e.l)
	if err != nil {
		t.Fatalf("status with the bucket's tag changed: %v", err)
	}
	drift := notOK(st)
	if len(drift) != 1 || drift[0].ID != "source/bucket/tags" {
		t.Fatalf("status with the bucket's tag changed: %s %+v", st.Overall, drift)
	}
	e.apply()
	if st := e.status(); st.Overall != steps.OverallOK {
		t.Fatalf("after repair: %s %+v", st.Overall, notOK(st))
	}
}
