package steps_test

// Ownership, second read: ways to make destroy delete (or apply change) a
// resource that only shares a name with one this landscape created, or to
// make destroy orphan something it did create.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/steps"
	"github.com/hanavault/hanavault/internal/testutil/race"
)

const trustS3 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// putBackup stores a backup in a bucket of the source region, encrypted
// as the bucket's default says.
func putBackup(t *testing.T, e *env, bucket, key string) {
	t.Helper()
	if _, err := e.acct.S3(e.l.SourceRegion).PutObject(context.Background(), cloud.PutObjectInput{Bucket: bucket, Key: key, Body: []byte("backup")}); err != nil {
		t.Fatal(err)
	}
}

// deleteBucketOutside deletes an (empty) bucket as someone would in the
// console, replication first.
func deleteBucketOutside(t *testing.T, e *env, name string) {
	t.Helper()
	ctx := context.Background()
	s3 := e.acct.S3(e.l.SourceRegion)
	if err := s3.DeleteBucketReplication(ctx, name); err != nil && !cloud.IsCode(err, cloud.CodeNoSuchReplication) {
		t.Fatal(err)
	}
	if err := s3.DeleteBucket(ctx, name); err != nil {
		t.Fatal(err)
	}
}

// deleteRoleOutside deletes a role and its inline policies as someone
// would in the console; it returns the names of those policies.
func deleteRoleOutside(t *testing.T, e *env, name string) []string {
	t.Helper()
	ctx := context.Background()
	iam := e.acct.IAM()
	out, err := iam.ListRolePolicies(ctx, name, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range out.PolicyNames {
		if err := iam.DeleteRolePolicy(ctx, name, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := iam.DeleteRole(ctx, name); err != nil {
		t.Fatal(err)
	}
	return out.PolicyNames
}

// TestBucketRecreatedBySomeoneElseIsNotOurs: the landscape created its
// source bucket; someone deletes it outside hanavault, and later someone
// else creates a bucket of the same name in the account with their own
// data. The journal's create record is about the old bucket, not this
// one: destroy keeps it with its objects.
func TestBucketRecreatedBySomeoneElseIsNotOurs(t *testing.T) {
	for _, applyBetween := range []bool{false, true} {
		e := newEnv(t, "eu-central-1", "eu-west-1")
		ctx := context.Background()
		e.apply()
		b := e.l.OriginalBucketName
		s3 := e.acct.S3(e.l.SourceRegion)
		deleteBucketOutside(t, e, b)
		e.clock.Advance(48 * time.Hour)
		userBucket(t, e.acct, e.l.SourceRegion, b, "finance/ledger.csv")
		theirs := `{"Version":"2012-10-17","Statement":[{"Sid":"Theirs","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::` + b + `"}]}`
		if err := s3.PutBucketPolicy(ctx, b, theirs); err != nil {
			t.Fatal(err)
		}

		p, err := e.eng.Plan(ctx, e.l)
		if err != nil {
			t.Fatal(err)
		}
		if c := changeOf(p, "source/bucket"); c.Owner != "pre-existing, kept" {
			t.Errorf("apply between %t: plan says the recreated bucket is %q, want pre-existing", applyBetween, c.Owner)
		}
		if applyBetween {
			e.clock.Advance(time.Hour)
			e.apply() // adopts it, as the plan said
		}
		if _, err := e.eng.Destroy(ctx, e.l, &recorder{}); err != nil {
			t.Fatalf("apply between %t: destroy: %v", applyBetween, err)
		}
		mustHaveObject(t, e.acct, e.l.SourceRegion, b, "finance/ledger.csv")
		if got, err := s3.GetBucketPolicy(ctx, b); err != nil || got != theirs {
			t.Errorf("apply between %t: the policy of the recreated bucket is %s (%v), want theirs", applyBetween, got, err)
		}
	}
}

// TestRoleRecreatedBySomeoneElseIsNotOurs: the landscape created its
// replication role; someone deletes it and someone else creates a role of
// the same name for another purpose. Destroy must not delete it.
func TestRoleRecreatedBySomeoneElseIsNotOurs(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	e.apply()
	iam := e.acct.IAM()
	name := e.l.ReplicationRoleName
	policies := deleteRoleOutside(t, e, name)
	e.clock.Advance(48 * time.Hour)
	if _, err := iam.CreateRole(ctx, cloud.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: trustS3, Description: "ci-deploy"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range policies {
		if err := iam.PutRolePolicy(ctx, name, p, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.eng.Destroy(ctx, e.l, &recorder{}); err != nil {
		t.Logf("destroy: %v", err)
	}
	if _, err := iam.GetRole(ctx, name); err != nil {
		t.Fatalf("destroy deleted the role %s someone else created after ours was deleted: %v", name, err)
	}
	if got, err := iam.ListRolePolicies(ctx, name, ""); err != nil || len(got.PolicyNames) != len(policies) {
		t.Errorf("destroy removed the inline policies of someone else's role: %v (%v)", got.PolicyNames, err)
	}
}

// TestRenamedAliasRepointedToAForeignKeyIsKept: the landscape created
// alias A, then was renamed to alias B; someone repoints A to a key of
// their own. destroy --remove-renamed deletes an alias only while it
// points to this landscape's key (README, Who owns what).
func TestRenamedAliasRepointedToAForeignKeyIsKept(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	e.apply()
	oldAlias := e.l.OriginalCMKAlias
	e.l.OriginalCMKAlias = oldAlias + "-b"
	e.apply()
	kms := e.acct.KMS(e.l.SourceRegion)
	foreign, err := kms.CreateKey(ctx, cloud.CreateKeyInput{Description: "someone else's"})
	if err != nil {
		t.Fatal(err)
	}
	if err := kms.UpdateAlias(ctx, oldAlias, foreign.KeyID); err != nil {
		t.Fatal(err)
	}
	prev, err := e.eng.PreviewDestroyWith(ctx, e.l, steps.DestroyOptions{RemoveRenamed: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, rr := range prev.Renamed {
		if rr.Name == oldAlias && rr.Action != steps.ActionKeep {
			t.Errorf("the destroy preview says %s for the alias %s of someone else's key", rr.Action, oldAlias)
		}
	}
	if _, err := e.eng.DestroyWith(ctx, e.l, &recorder{}, steps.DestroyOptions{RemoveRenamed: true}); err != nil {
		t.Fatal(err)
	}
	md, err := kms.DescribeKey(ctx, oldAlias)
	if err != nil || md.KeyID != foreign.KeyID {
		t.Fatalf("the alias %s of someone else's key was deleted or moved: %+v %v", oldAlias, md, err)
	}
}

// renameAwayFromAdopted adopts the user's bucket X as the source bucket,
// stores a backup in it, then renames originalBucketName to a new bucket
// N that the landscape creates; it returns X and N.
func renameAwayFromAdopted(t *testing.T, e *env) (string, string) {
	t.Helper()
	adoptBucket(t, e)
	x := e.l.OriginalBucketName
	e.apply()
	putBackup(t, e, x, "data/backup_1")
	n := x + "-new"
	e.l.OriginalBucketName = n
	e.apply()
	return x, n
}

// TestBucketCreatedAfterAnAdoptedOneIsDeleted: the landscape adopted the
// user's bucket X, then originalBucketName was changed to a new bucket N
// that it created. Ownership and prior settings are per bucket, not per
// step: destroy deletes N, instead of keeping it as pre-existing and
// putting X's prior settings (its policy) on it.
func TestBucketCreatedAfterAnAdoptedOneIsDeleted(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	x, n := renameAwayFromAdopted(t, e)
	prev, err := e.eng.PreviewDestroy(ctx, e.l)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range prev.Buckets {
		if b.Bucket == n && b.PreExisting {
			t.Errorf("the destroy preview says bucket %s, which this landscape created, is pre-existing", n)
		}
	}
	if _, err := e.eng.Destroy(ctx, e.l, &recorder{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.acct.S3(e.l.SourceRegion).HeadBucket(ctx, n); !cloud.IsCode(err, cloud.CodeNotFound, cloud.CodeNoSuchBucket) {
		t.Errorf("bucket %s, which this landscape created, is still there (%v)", n, err)
	}
	mustHaveObject(t, e.acct, e.l.SourceRegion, x, "old-backup")
	mustHaveObject(t, e.acct, e.l.SourceRegion, x, "data/backup_1")
}

// TestRenamedAwayAdoptedBucketIsRestored: after renameAwayFromAdopted,
// destroy gives X back as it was: its prior policy, no replication through
// the role destroy deletes, and the key its backups were encrypted with
// kept with its alias.
func TestRenamedAwayAdoptedBucketIsRestored(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	s3 := e.acct.S3(e.l.SourceRegion)
	x, _ := renameAwayFromAdopted(t, e)
	res, err := e.eng.Destroy(ctx, e.l, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("kept: %q", res.Kept)
	mustHaveObject(t, e.acct, e.l.SourceRegion, x, "data/backup_1")
	if got, err := s3.GetBucketPolicy(ctx, x); err != nil || !strings.Contains(got, `"Mine"`) {
		t.Errorf("the policy of the adopted bucket %s was not restored: %s (%v)", x, got, err)
	}
	if rc, err := s3.GetBucketReplication(ctx, x); !cloud.IsCode(err, cloud.CodeNoSuchReplication) {
		t.Errorf("the adopted bucket %s still replicates (role %s, which destroy deleted?): %v", x, rc.Role, err)
	}
	if tags, err := s3.GetBucketTagging(ctx, x); err != nil || len(tags) != 1 || !hasTag(tags, "owner", "basis") {
		t.Errorf("the tags of the adopted bucket %s were not restored: %v (%v)", x, tags, err)
	}
	if lc, err := s3.GetBucketLifecycleConfiguration(ctx, x); !cloud.IsCode(err, cloud.CodeNoSuchLifecycle) {
		t.Errorf("hanavault's lifecycle is still on the adopted bucket %s: %+v (%v)", x, lc, err)
	}
	if _, err := e.acct.KMS(e.l.SourceRegion).DescribeKey(ctx, e.l.OriginalCMKAlias); err != nil {
		t.Errorf("the alias of the key the adopted bucket's backups need is gone: %v", err)
	}
}

// TestTagConsentDoesNotOverrideTheJournal: consent to delete tag-found
// resources is for a landscape whose local state is lost (--from-tags).
// With a journal, it proves what the landscape created, and a bucket of
// the user's that someone tagged for PRD (and that originalBucketName was
// renamed onto) stays pre-existing: destroy keeps it even with consent.
func TestTagConsentDoesNotOverrideTheJournal(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	e.apply()
	other := e.l.OriginalBucketName + "-other"
	userBucket(t, e.acct, e.l.SourceRegion, other, "theirs.csv")
	if err := e.acct.S3(e.l.SourceRegion).PutBucketTagging(ctx, other, []cloud.Tag{
		{Key: steps.TagLandscape, Value: "PRD"}, {Key: steps.TagComponent, Value: steps.CompBucket}, {Key: steps.TagSide, Value: steps.SideSource}}); err != nil {
		t.Fatal(err)
	}
	e.l.OriginalBucketName = other
	all := steps.TagConsent{Buckets: true, Keys: true, Role: true}
	prev, err := e.eng.PreviewDestroyWith(ctx, e.l, steps.DestroyOptions{FromTags: all})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range prev.Buckets {
		if b.Bucket == other && !b.PreExisting {
			t.Errorf("the destroy preview offers to delete %s, which only its tags say is PRD's", other)
		}
	}
	if _, err := e.eng.DestroyWith(ctx, e.l, &recorder{}, steps.DestroyOptions{FromTags: all}); err != nil {
		t.Logf("destroy: %v", err)
	}
	mustHaveObject(t, e.acct, e.l.SourceRegion, other, "theirs.csv")
}

// TestOwnKeyIsFoundWhenItsAliasNamesAnotherKey: the landscape's alias is
// repointed to someone else's key (or the landscape's alias field renamed
// onto an alias of another key). Destroy keeps that key and alias, and
// still schedules the deletion of the key this landscape created, which
// the journal names, once its buckets are gone: not left behind unnamed.
func TestOwnKeyIsFoundWhenItsAliasNamesAnotherKey(t *testing.T) {
	for _, rename := range []bool{false, true} {
		e := newEnv(t, "eu-central-1", "eu-west-1")
		ctx := context.Background()
		e.apply()
		kms := e.acct.KMS(e.l.SourceRegion)
		ours := keyARN(t, e.acct, e.l.SourceRegion, e.l.OriginalCMKAlias)
		foreign, err := kms.CreateKey(ctx, cloud.CreateKeyInput{Description: "someone else's"})
		if err != nil {
			t.Fatal(err)
		}
		alias := e.l.OriginalCMKAlias
		if rename {
			alias = "alias/someone-elses"
			if err := kms.CreateAlias(ctx, alias, foreign.KeyID); err != nil {
				t.Fatal(err)
			}
			e.l.OriginalCMKAlias = alias
		} else if err := kms.UpdateAlias(ctx, alias, foreign.KeyID); err != nil {
			t.Fatal(err)
		}
		res, err := e.eng.Destroy(ctx, e.l, &recorder{})
		if err != nil {
			t.Fatalf("rename %t: destroy: %v", rename, err)
		}
		if md, err := kms.DescribeKey(ctx, alias); err != nil || md.KeyID != foreign.KeyID || md.KeyState != "Enabled" {
			t.Errorf("rename %t: someone else's key or alias was touched: %+v %v", rename, md, err)
		}
		if md, err := kms.DescribeKey(ctx, ours); err != nil || md.KeyState != "PendingDeletion" {
			t.Errorf("rename %t: the key this landscape created is %s (%v); kept: %q", rename, md.KeyState, err, res.Kept)
		}
	}
}

// renameAfterBackup applies, puts a backup in the backup bucket, renames
// it to <name>-b an hour later and applies again; it returns the earlier
// name.
func renameAfterBackup(t *testing.T, e *env) string {
	t.Helper()
	e.apply()
	old := e.l.OriginalBucketName
	putBackup(t, e, old, "data/backup_1")
	e.clock.Advance(time.Hour)
	e.l.OriginalBucketName = old + "-b"
	e.apply()
	return old
}

// TestRollbackDeletesOnlyWhatTheRolledBackRunCreated: run 1 created bucket
// A (which now holds backups), run 2 created B after a rename; the file is
// then renamed back to A. Rolling back run 2 must not empty and delete A,
// which an earlier run created: only what run 2 created goes.
func TestRollbackDeletesOnlyWhatTheRolledBackRunCreated(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	a := renameAfterBackup(t, e)
	e.l.OriginalBucketName = a
	if _, err := e.eng.RollbackLastRun(ctx, e.l, &recorder{}); err != nil {
		t.Logf("rollback: %v", err)
	}
	mustHaveObject(t, e.acct, e.l.SourceRegion, a, "data/backup_1")
}

// lostDeleteAccount deletes a bucket on DeleteBucket and then loses the
// answer (the connection drops), once.
type lostDeleteAccount struct {
	cloud.Account
	bucket string
	lost   bool
}

type lostDeleteS3 struct {
	cloud.S3
	a *lostDeleteAccount
}

func (a *lostDeleteAccount) S3(region string) cloud.S3 { return lostDeleteS3{a.Account.S3(region), a} }

func (s lostDeleteS3) DeleteBucket(ctx context.Context, b string) error {
	err := s.S3.DeleteBucket(ctx, b)
	if err == nil && b == s.a.bucket && !s.a.lost {
		s.a.lost = true
		return errors.New("read tcp: connection reset by peer")
	}
	return err
}

// TestLostDeleteBucketAnswerThenRecreatedIsKept: destroy's DeleteBucket
// deleted the bucket but its answer was lost, so the journal still says
// the landscape created it. Someone else then creates a bucket of that
// name; the rerun of destroy keeps it with their data.
func TestLostDeleteBucketAnswerThenRecreatedIsKept(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	e.apply()
	b := e.l.OriginalBucketName
	lossy := &lostDeleteAccount{Account: e.acct, bucket: b}
	eng := steps.New(steps.Options{Account: lossy, StateDir: e.dir, HomeRegion: e.l.SourceRegion, Now: e.clock.Now, Sleep: e.clock.Sleep})
	if _, err := eng.Destroy(ctx, e.l, &recorder{}); err == nil {
		t.Fatal("destroy with a lost DeleteBucket answer succeeded")
	}
	e.clock.Advance(time.Hour)
	userBucket(t, e.acct, e.l.SourceRegion, b, "finance/ledger.csv")
	if _, err := e.eng.Destroy(ctx, e.l, &recorder{}); err != nil {
		t.Logf("rerun of destroy: %v", err)
	}
	mustHaveObject(t, e.acct, e.l.SourceRegion, b, "finance/ledger.csv")
}

// TestSIDChangedWithTheSameNamesDeletesNothing: the SID in the file is
// changed while the bucket and alias names stay: the new SID has no
// journal, the buckets are tagged for the old one. Destroy of the new SID
// deletes no bucket and schedules no key.
func TestSIDChangedWithTheSameNamesDeletesNothing(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	e.apply()
	b := e.l.OriginalBucketName
	putBackup(t, e, b, "data/backup_1")
	key := keyARN(t, e.acct, e.l.SourceRegion, e.l.OriginalCMKAlias)
	e.l.SID = "QAS"
	_, err := e.eng.Destroy(ctx, e.l, &recorder{})
	t.Logf("destroy of QAS: %v", err)
	mustHaveObject(t, e.acct, e.l.SourceRegion, b, "data/backup_1")
	if md, err := e.acct.KMS(e.l.SourceRegion).DescribeKey(ctx, key); err != nil || md.KeyState != "Enabled" {
		t.Errorf("PRD's key is %s (%v)", md.KeyState, err)
	}
	if _, err := e.acct.IAM().GetRole(ctx, e.l.ReplicationRoleName); err != nil {
		t.Errorf("PRD's replication role: %v", err)
	}
}

// TestRenameBackAndForthKeepsWhatTheCurrentNamesDoNotUse: A → B → A.
// Destroy deletes A (current, created by this landscape), keeps B with
// its backups (renamed away), and keeps the key B encrypts with, with its
// alias. The same for a renamed log bucket.
func TestRenameBackAndForthKeepsWhatTheCurrentNamesDoNotUse(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	e.apply()
	a, logA := e.l.OriginalBucketName, e.l.OriginalLogBucketName
	e.l.OriginalBucketName, e.l.OriginalLogBucketName = a+"-b", logA+"-b"
	e.apply()
	s3 := e.acct.S3(e.l.SourceRegion)
	putBackup(t, e, a+"-b", "data/backup_b")
	e.l.OriginalBucketName, e.l.OriginalLogBucketName = a, logA
	e.apply()
	key := keyARN(t, e.acct, e.l.SourceRegion, e.l.OriginalCMKAlias)
	if _, err := e.eng.Destroy(ctx, e.l, &recorder{}); err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{a, logA} {
		if _, err := s3.HeadBucket(ctx, gone); !cloud.IsCode(err, cloud.CodeNotFound, cloud.CodeNoSuchBucket) {
			t.Errorf("bucket %s (current, created by this landscape) is still there: %v", gone, err)
		}
	}
	mustHaveObject(t, e.acct, e.l.SourceRegion, a+"-b", "data/backup_b")
	if _, err := s3.HeadBucket(ctx, logA+"-b"); err != nil {
		t.Errorf("the renamed-away log bucket was deleted without --remove-renamed: %v", err)
	}
	if md, err := e.acct.KMS(e.l.SourceRegion).DescribeKey(ctx, e.l.OriginalCMKAlias); err != nil || md.Arn != key || md.KeyState != "Enabled" {
		t.Errorf("the key of the kept bucket %s-b, or its alias: %+v (%v)", a, md, err)
	}
}

// TestKeptRenamedBucketKeepsItsKeyWhateverItsDefaultEncryption: bucket A,
// created by the landscape, holds a backup encrypted with the landscape
// key; A is renamed away, and someone switches its default encryption to
// SSE-S3. The backup is still encrypted with the key: destroy, which keeps
// A, must keep the key too.
func TestKeptRenamedBucketKeepsItsKeyWhateverItsDefaultEncryption(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	e.apply()
	a := e.l.OriginalBucketName
	s3 := e.acct.S3(e.l.SourceRegion)
	putBackup(t, e, a, "data/backup_1")
	key := keyARN(t, e.acct, e.l.SourceRegion, e.l.OriginalCMKAlias)
	e.l.OriginalBucketName = a + "-b"
	e.apply()
	if err := s3.PutBucketEncryption(ctx, a, cloud.ServerSideEncryptionByDefault{SSEAlgorithm: "AES256"}); err != nil {
		t.Fatal(err)
	}
	res, err := e.eng.Destroy(ctx, e.l, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	if md, err := e.acct.KMS(e.l.SourceRegion).DescribeKey(ctx, key); err != nil || md.KeyState != "Enabled" {
		t.Fatalf("the key of the backup in the kept bucket %s is %s (%v); kept: %q", a, md.KeyState, err, res.Kept)
	}
	mustHaveObject(t, e.acct, e.l.SourceRegion, a, "data/backup_1")
}

// TestRecreatedRenamedAwayBucketIsNotChanged: bucket A, created by the
// landscape, is renamed away, then deleted outside hanavault and made
// again by someone else, who replicates it with a role of the landscape's
// name. Destroy does not touch it: not its objects, not its replication.
func TestRecreatedRenamedAwayBucketIsNotChanged(t *testing.T) {
	for _, remove := range []bool{false, true} {
		e := newEnv(t, "eu-central-1", "eu-west-1")
		ctx := context.Background()
		e.apply()
		a := e.l.OriginalBucketName
		s3 := e.acct.S3(e.l.SourceRegion)
		e.l.OriginalBucketName = a + "-b"
		e.apply()
		deleteBucketOutside(t, e, a)
		e.clock.Advance(time.Hour)
		userBucket(t, e.acct, e.l.SourceRegion, a, "finance/ledger.csv")
		if err := s3.PutBucketVersioning(ctx, a, "Enabled"); err != nil {
			t.Fatal(err)
		}
		role, err := e.acct.IAM().GetRole(ctx, e.l.ReplicationRoleName)
		if err != nil {
			t.Fatal(err)
		}
		rc := cloud.ReplicationConfiguration{Role: role.Arn, Rules: []cloud.ReplicationRule{{ID: "theirs", Priority: 1, Status: "Enabled",
			DestinationBucket: "arn:aws:s3:::" + e.l.ReplicationBucketName}}}
		if err := s3.PutBucketReplication(ctx, a, rc); err != nil {
			t.Fatal(err)
		}
		prev, err := e.eng.PreviewDestroyWith(ctx, e.l, steps.DestroyOptions{RemoveRenamed: remove})
		if err != nil {
			t.Fatal(err)
		}
		for _, rr := range prev.Renamed {
			if rr.Name == a {
				t.Errorf("remove %t: the destroy preview lists someone else's bucket %s as created by this landscape: %+v", remove, a, rr)
			}
		}
		if _, err := e.eng.DestroyWith(ctx, e.l, &recorder{}, steps.DestroyOptions{RemoveRenamed: remove}); err != nil {
			t.Logf("remove %t: destroy: %v", remove, err)
		}
		mustHaveObject(t, e.acct, e.l.SourceRegion, a, "finance/ledger.csv")
		if got, err := s3.GetBucketReplication(ctx, a); err != nil || len(got.Rules) != 1 || got.Rules[0].ID != "theirs" {
			t.Fatalf("remove %t: the replication of someone else's bucket %s was changed: %+v (%v)", remove, a, got, err)
		}
	}
}

// TestRecreatedRenamedAwayRoleIsNotListed: the landscape's role R1 is
// renamed away to R2, then R1 is deleted outside hanavault and someone
// else creates a role named R1. The destroy preview does not list it as
// the landscape's, and destroy --remove-renamed keeps it.
func TestRecreatedRenamedAwayRoleIsNotListed(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	e.apply()
	r1 := e.l.ReplicationRoleName
	e.l.ReplicationRoleName = r1 + "-2"
	e.apply()
	iam := e.acct.IAM()
	deleteRoleOutside(t, e, r1)
	e.clock.Advance(time.Hour)
	if _, err := iam.CreateRole(ctx, cloud.CreateRoleInput{RoleName: r1, AssumeRolePolicyDocument: trustS3}); err != nil {
		t.Fatal(err)
	}
	o := steps.DestroyOptions{RemoveRenamed: true}
	prev, err := e.eng.PreviewDestroyWith(ctx, e.l, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, rr := range prev.Renamed {
		if rr.Name == r1 {
			t.Errorf("the destroy preview lists someone else's role %s as created by this landscape: %+v", r1, rr)
		}
	}
	if _, err := e.eng.DestroyWith(ctx, e.l, &recorder{}, o); err != nil {
		t.Fatal(err)
	}
	if _, err := iam.GetRole(ctx, r1); err != nil {
		t.Fatalf("destroy --remove-renamed deleted someone else's role %s: %v", r1, err)
	}
}

// failScheduleAccount fails the first ScheduleKeyDeletion in one region.
type failScheduleAccount struct {
	cloud.Account
	region string
	failed bool
}

type failScheduleKMS struct {
	cloud.KMS
	a *failScheduleAccount
}

func (a *failScheduleAccount) KMS(region string) cloud.KMS {
	if region != a.region {
		return a.Account.KMS(region)
	}
	return failScheduleKMS{a.Account.KMS(region), a}
}

func (k failScheduleKMS) ScheduleKeyDeletion(ctx context.Context, keyID string, days int32) (time.Time, error) {
	if !k.a.failed {
		k.a.failed = true
		return time.Time{}, &cloud.Error{Service: "kms", Op: "ScheduleKeyDeletion", Code: cloud.CodeAccessDenied, HTTPStatus: 400, Message: "denied"}
	}
	return k.KMS.ScheduleKeyDeletion(ctx, keyID, days)
}

// TestRestoringARecreatedBucketDoesNotMakeItOurs: the landscape's bucket
// was deleted outside hanavault and made again by someone else, and apply
// adopted it (as the plan said). A destroy that puts back its settings and
// then stops (another step failed) must not have made it the landscape's:
// the rerun keeps it with its objects.
func TestRestoringARecreatedBucketDoesNotMakeItOurs(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	e.apply()
	b := e.l.OriginalBucketName
	deleteBucketOutside(t, e, b)
	e.clock.Advance(time.Hour)
	userBucket(t, e.acct, e.l.SourceRegion, b, "finance/ledger.csv")
	e.clock.Advance(time.Hour)
	e.apply()
	e.clock.Advance(time.Hour)
	failing := &failScheduleAccount{Account: e.acct, region: e.l.ReplicationRegion}
	eng := steps.New(steps.Options{Account: failing, StateDir: e.dir, HomeRegion: e.l.SourceRegion, Now: e.clock.Now, Sleep: e.clock.Sleep})
	if _, err := eng.Destroy(ctx, e.l, &recorder{}); err == nil {
		t.Fatal("destroy with a failing ScheduleKeyDeletion succeeded")
	}
	e.clock.Advance(time.Hour)
	if _, err := e.eng.Destroy(ctx, e.l, &recorder{}); err != nil {
		t.Logf("rerun of destroy: %v", err)
	}
	mustHaveObject(t, e.acct, e.l.SourceRegion, b, "finance/ledger.csv")
}

// TestOwnBucketAndRoleWithAClockBehindAWSAreDeleted: the clock of the
// machine running hanavault is two minutes behind AWS's, so the journal's
// times are earlier than the CreationDate and CreateDate AWS reports.
// What the landscape created is still its own: destroy deletes it.
func TestOwnBucketAndRoleWithAClockBehindAWSAreDeleted(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	behind := func() time.Time { return e.clock.Now().Add(-2 * time.Minute) }
	e.eng = steps.New(steps.Options{Account: e.acct, StateDir: e.dir, HomeRegion: e.l.SourceRegion, Now: behind, Sleep: e.clock.Sleep})
	e.apply()
	e.destroy()
	e.assertNothingLeft()
}

// TestKeyOfARegionLeftStaysForAnAdoptedBucketThere: the landscape adopted
// the user's bucket X in eu-central-1 and stored backups in it, encrypted
// with its key there; then the source region moved to eu-north-1. Destroy,
// even with --remove-renamed, keeps X (pre-existing) and so must keep the
// eu-central-1 key its backups need.
func TestKeyOfARegionLeftStaysForAnAdoptedBucketThere(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	adoptBucket(t, e)
	x := e.l.OriginalBucketName
	e.apply()
	putBackup(t, e, x, "data/backup_1")
	key := keyARN(t, e.acct, e.l.SourceRegion, e.l.OriginalCMKAlias)
	e.l.SourceRegion = "eu-north-1"
	e.l.OriginalBucketName, e.l.OriginalLogBucketName = x+"-north", x+"-north-logs"
	e.apply()
	prev, err := e.eng.PreviewDestroyWith(ctx, e.l, steps.DestroyOptions{RemoveRenamed: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, rr := range prev.Renamed {
		if rr.Kind == "key" && rr.Action != steps.ActionKeep {
			t.Errorf("the destroy preview says %s for the key %s the adopted bucket's backups need", rr.Action, rr.Name)
		}
	}
	res, err := e.eng.DestroyWith(ctx, e.l, &recorder{}, steps.DestroyOptions{RemoveRenamed: true})
	if err != nil {
		t.Fatal(err)
	}
	if md, err := e.acct.KMS("eu-central-1").DescribeKey(ctx, key); err != nil || md.KeyState != "Enabled" {
		t.Fatalf("the key of the backups in the kept bucket %s is %s (%v); kept: %q", x, md.KeyState, err, res.Kept)
	}
	mustHaveObject(t, e.acct, "eu-central-1", x, "data/backup_1")
}

// TestRenamedAwayAdoptedBucketIsListed: plan and the destroy preview list
// the pre-existing bucket the landscape used under an earlier name, as
// pre-existing and kept (destroy gives its settings back), even with
// --remove-renamed.
func TestRenamedAwayAdoptedBucketIsListed(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	x, _ := renameAwayFromAdopted(t, e)
	find := func(what string, rs []steps.RenamedResource) {
		t.Helper()
		for _, rr := range rs {
			if rr.Name == x {
				if !rr.PreExisting || rr.Action != steps.ActionKeep || rr.Contents == nil || rr.Contents.Versions == 0 {
					t.Errorf("%s lists the adopted bucket %s as %+v", what, x, rr)
				}
				return
			}
		}
		t.Errorf("%s does not list the bucket %s adopted under an earlier name: %+v", what, x, rs)
	}
	p, err := e.eng.Plan(ctx, e.l)
	if err != nil {
		t.Fatal(err)
	}
	find("plan", p.Renamed)
	for _, rm := range []bool{false, true} {
		pv, err := e.eng.PreviewDestroyWith(ctx, e.l, steps.DestroyOptions{RemoveRenamed: rm})
		if err != nil {
			t.Fatal(err)
		}
		find(fmt.Sprintf("the destroy preview (--remove-renamed %t)", rm), pv.Renamed)
	}
}

// TestUSEast1ApplyWithAClockOffAWSs: in us-east-1 CreateBucket answers 200
// for a bucket the account owns, so apply compares the bucket's
// CreationDate (AWS's clock) with the window of its request. A local clock
// off AWS's (2 s, 10 min, either way) must not make the landscape's own new
// bucket look created by someone else; a bucket someone else created just
// before the request is still refused.
func TestUSEast1ApplyWithAClockOffAWSs(t *testing.T) {
	for _, off := range []time.Duration{2 * time.Second, -2 * time.Second, 10 * time.Minute, -10 * time.Minute} {
		t.Run(off.String(), func(t *testing.T) {
			e := newEnv(t, "us-east-1", "us-west-2")
			e.acct.SetClockOffset(off)
			if _, err := e.eng.Apply(context.Background(), e.l, &recorder{}); err != nil {
				t.Fatalf("apply with AWS's clock %s off the local one: %v", off, err)
			}
		})
		t.Run(off.String()+"/race", func(t *testing.T) {
			e := newEnv(t, "us-east-1", "us-west-2")
			e.acct.SetClockOffset(off)
			ctx := context.Background()
			racing := &race.BucketName{Account: e.acct, Bucket: e.l.OriginalBucketName, Other: func() {
				if err := e.acct.S3("us-east-1").CreateBucket(ctx, cloud.CreateBucketInput{Bucket: e.l.OriginalBucketName}); err != nil {
					t.Error(err)
				}
				e.clock.Advance(3 * time.Second) // PRD's CreateBucket is sent later
			}}
			eng := steps.New(steps.Options{Account: racing, StateDir: e.dir, HomeRegion: "us-east-1", Now: e.clock.Now, Sleep: e.clock.Sleep})
			if _, err := eng.Apply(ctx, e.l, &recorder{}); err == nil || !strings.Contains(err.Error(), "someone else") {
				t.Fatalf("apply after someone else created the bucket: %v, want the bucket refused", err)
			}
		})
	}
}

// TestLostCreateAnswersWithAClockOffAWSs: a create call whose answer was
// lost is the landscape's when the resource's creation date (AWS's clock)
// falls in the call's window (local journal times). With the local clock
// off AWS's (2 s, 10 min, either way), the rerun still finds what the lost
// calls created, and destroy leaves nothing behind.
func TestLostCreateAnswersWithAClockOffAWSs(t *testing.T) {
	probe := newEnv(t, "eu-central-1", "eu-west-1")
	probe.apply()
	var creates []int // the create calls among the mutating ones
	k := 0
	for _, c := range probe.acct.Calls() {
		if c.Mutating {
			k++
			if strings.HasPrefix(c.Op, "Create") {
				creates = append(creates, k)
			}
		}
	}
	if len(creates) < 5 {
		t.Fatalf("a fresh apply made only %d create calls", len(creates))
	}
	for _, off := range []time.Duration{2 * time.Second, -2 * time.Second, 10 * time.Minute, -10 * time.Minute} {
		for _, k := range creates {
			t.Run(fmt.Sprintf("%s/call-%02d", off, k), func(t *testing.T) {
				e := newEnv(t, "eu-central-1", "eu-west-1")
				e.acct.SetClockOffset(off)
				e.acct.FailMutatingCall(k, memaws.FailAfter)
				if _, err := e.eng.Apply(context.Background(), e.l, &recorder{}); err == nil {
					t.Fatalf("apply with call %d failing succeeded", k)
				}
				e.apply()
				e.destroy()
				e.assertNothingLeft()
			})
		}
	}
}

// refuseDeleteAccount refuses DeleteBucket of the named buckets once each
// (the bucket stays), as a destroy stopped half-way sees it.
type refuseDeleteAccount struct {
	cloud.Account
	mu      sync.Mutex
	refused map[string]bool // bucket → refused already
}

type refuseDeleteS3 struct {
	cloud.S3
	a *refuseDeleteAccount
}

func (a *refuseDeleteAccount) S3(region string) cloud.S3 {
	return refuseDeleteS3{a.Account.S3(region), a}
}

func (s refuseDeleteS3) DeleteBucket(ctx context.Context, b string) error {
	s.a.mu.Lock()
	done, named := s.a.refused[b]
	if named && !done {
		s.a.refused[b] = true
		s.a.mu.Unlock()
		return errors.New("InternalError: We encountered an internal error. Please try again.")
	}
	s.a.mu.Unlock()
	return s.S3.DeleteBucket(ctx, b)
}

// TestRerunOfAFromTagsDestroyFinishesIt: a --from-tags destroy with
// consent stops half-way (the backup bucket and a bucket of an earlier
// name, both found by tags, are left). Its rerun, which finds the journal
// the first run wrote (no apply in it), still lists the earlier-name
// bucket and deletes it with consent.
func TestRerunOfAFromTagsDestroyFinishesIt(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	old := renameAfterBackup(t, e)
	state := t.TempDir() // the local state is lost
	all := steps.DestroyOptions{FromTags: steps.TagConsent{Buckets: true, Keys: true, Role: true}}

	refusing := &refuseDeleteAccount{Account: e.acct, refused: map[string]bool{old: false, e.l.OriginalBucketName: false, e.l.ReplicationBucketName: false}}
	eng := steps.New(steps.Options{Account: refusing, StateDir: state, HomeRegion: e.l.SourceRegion, Now: e.clock.Now, Sleep: e.clock.Sleep})
	got, err := eng.LoadLandscape(ctx, "PRD", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.DestroyWith(ctx, got, &recorder{}, all); err == nil {
		t.Fatal("the first destroy did not stop")
	}
	if _, err := e.acct.S3(e.l.SourceRegion).HeadBucket(ctx, old); err != nil {
		t.Fatalf("the first destroy deleted %s: %v", old, err)
	}

	eng = steps.New(steps.Options{Account: e.acct, StateDir: state, HomeRegion: e.l.SourceRegion, Now: e.clock.Now, Sleep: e.clock.Sleep})
	got, err = eng.LoadLandscape(ctx, "PRD", true)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := eng.PreviewDestroyWith(ctx, got, all)
	if err != nil {
		t.Fatal(err)
	}
	listed := false
	for _, rr := range prev.Renamed {
		listed = listed || rr.Name == old && rr.FoundByTags && rr.Action == steps.ActionDelete
	}
	if !listed {
		t.Errorf("the rerun's preview does not offer to delete the tag-found bucket %s: %+v", old, prev.Renamed)
	}
	if _, err := eng.DestroyWith(ctx, got, &recorder{}, all); err != nil {
		t.Fatalf("rerun of the destroy: %v", err)
	}
	e.assertNothingLeft()
}
