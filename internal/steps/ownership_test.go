package steps_test

// Ownership: destroy deletes only what this landscape's journal proves it
// created. Each test reproduces one way an earlier version deleted (or
// took over) a resource hanavault never created.

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
	"github.com/hanavault/hanavault/internal/testutil/race"
)

// userBucket creates a bucket of the user's with one object in it.
func userBucket(t *testing.T, acct cloud.Account, region, name, key string) {
	t.Helper()
	ctx := context.Background()
	s3 := acct.S3(region)
	in := cloud.CreateBucketInput{Bucket: name}
	if region != "us-east-1" {
		in.LocationConstraint = region
	}
	if err := s3.CreateBucket(ctx, in); err != nil {
		t.Fatal(err)
	}
	if _, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: name, Key: key, Body: []byte("user data")}); err != nil {
		t.Fatal(err)
	}
}

// mustHaveObject fails unless the object exists and can be read (its key,
// if any, is usable).
func mustHaveObject(t *testing.T, acct cloud.Account, region, bucket, key string) {
	t.Helper()
	if _, err := acct.S3(region).GetObject(context.Background(), bucket, key, ""); err != nil {
		t.Fatalf("%s/%s is gone or unreadable: %v", bucket, key, err)
	}
}

func changeOf(p *steps.Plan, id string) steps.Change {
	for _, c := range p.Changes {
		if c.ID == id {
			return c
		}
	}
	return steps.Change{}
}

// TestRenameOntoAnExistingBucketDoesNotTakeItOver reproduces issue 6.1:
// after the landscape created its buckets, originalBucketName is changed to
// a bucket of the user's. The history of the step source/bucket must not
// make that bucket hanavault's: the plan says it is pre-existing, and
// destroy keeps it with its objects. The same for a log bucket.
func TestRenameOntoAnExistingBucketDoesNotTakeItOver(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	e.apply()
	userBucket(t, e.acct, e.l.SourceRegion, "my-precious-data", "finance/ledger.csv")
	userBucket(t, e.acct, e.l.SourceRegion, "my-precious-logs", "old/log.txt")
	e.l.OriginalBucketName = "my-precious-data"
	e.l.OriginalLogBucketName = "my-precious-logs"

	p, err := e.eng.Plan(ctx, e.l)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"source/bucket", "source/log-bucket"} {
		if c := changeOf(p, id); !strings.Contains(c.Owner, "pre-existing") {
			t.Errorf("plan says %s %q is %q, want pre-existing", id, c.Resource, c.Owner)
		}
	}
	warned := false
	for _, w := range p.Warnings {
		warned = warned || strings.Contains(w.Message, "my-precious-data")
	}
	if !warned {
		t.Errorf("the plan does not warn that my-precious-data is adopted: %+v", p.Warnings)
	}
	e.apply()
	prev, err := e.eng.PreviewDestroy(ctx, e.l)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range prev.Buckets {
		if strings.HasPrefix(b.Bucket, "my-precious") && !b.PreExisting {
			t.Errorf("destroy preview would empty and delete %s", b.Bucket)
		}
	}
	e.destroy()
	mustHaveObject(t, e.acct, e.l.SourceRegion, "my-precious-data", "finance/ledger.csv")
	mustHaveObject(t, e.acct, e.l.SourceRegion, "my-precious-logs", "old/log.txt")
}

// TestRenameOntoAnExistingRoleIsRefused reproduces issue 6.1 for the
// replication role: renaming replicationRoleName to the user's ci-deploy
// role after the landscape created its own role must not make destroy
// delete ci-deploy.
func TestRenameOntoAnExistingRoleIsRefused(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	e.apply()
	if _, err := e.acct.IAM().GetRole(ctx, "ci-deploy"); err != nil { // a seeded role of the user's
		t.Fatal(err)
	}
	e.l.ReplicationRoleName = "ci-deploy"
	var fe *steps.FieldError
	if _, err := e.eng.Plan(ctx, e.l); !errors.As(err, &fe) || fe.Field != "replicationRoleName" {
		t.Fatalf("plan with replicationRoleName renamed to the user's role: %v, want a replicationRoleName error", err)
	}
	_, _ = e.eng.Destroy(ctx, e.l, &recorder{})
	if _, err := e.acct.IAM().GetRole(ctx, "ci-deploy"); err != nil {
		t.Fatalf("destroy deleted the user's role ci-deploy: %v", err)
	}
}

// TestRenameOntoAnotherLandscapesBucketIsRefused reproduces issue 6.1 for
// another landscape's bucket: PRD, which created buckets of its own,
// renames its backup bucket to QAS's; plan refuses, and QAS's backups stay.
func TestRenameOntoAnotherLandscapesBucketIsRefused(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	e.apply()
	qas := spec.Defaults("QAS", memaws.DefaultAccountID, e.l.SourceRegion, e.l.ReplicationRegion)
	qas.EC2RoleToRunBackup, qas.KMSAdminRole = e.l.EC2RoleToRunBackup, e.l.KMSAdminRole
	if _, err := e.eng.Apply(ctx, qas, &recorder{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.acct.S3(qas.SourceRegion).PutObject(ctx, cloud.PutObjectInput{Bucket: qas.OriginalBucketName, Key: "data/qas_backup", Body: []byte("qas")}); err != nil {
		t.Fatal(err)
	}
	e.l.OriginalBucketName = qas.OriginalBucketName
	var fe *steps.FieldError
	if _, err := e.eng.Plan(ctx, e.l); !errors.As(err, &fe) || fe.Field != "originalBucketName" || !strings.Contains(fe.Message, "QAS") {
		t.Fatalf("plan of PRD renamed onto QAS's bucket: %v, want an originalBucketName error naming QAS", err)
	}
	_, _ = e.eng.Destroy(ctx, e.l, &recorder{})
	mustHaveObject(t, e.acct, qas.SourceRegion, qas.OriginalBucketName, "data/qas_backup")
}

// TestRenamedAwayBucketKeepsItsKey reproduces issue 6.2: apply with bucket
// A, store a backup, rename to B, apply, destroy. A is kept by default, so
// its key must stay alive (the backup stays readable) and the plan must
// show A and what it holds. With RemoveRenamed, destroy removes A and then
// the key, and no alias is left on the key.
func TestRenamedAwayBucketKeepsItsKey(t *testing.T) {
	for _, remove := range []bool{false, true} {
		e := newEnv(t, "eu-central-1", "eu-west-1")
		ctx := context.Background()
		e.apply()
		a := e.l.OriginalBucketName
		if _, err := e.acct.S3(e.l.SourceRegion).PutObject(ctx, cloud.PutObjectInput{Bucket: a, Key: "data/backup_1", Body: []byte("backup")}); err != nil {
			t.Fatal(err)
		}
		key := keyARN(t, e.acct, e.l.SourceRegion, e.l.OriginalCMKAlias)
		oldAlias := e.l.OriginalCMKAlias
		e.l.OriginalBucketName = a + "-b"
		e.l.OriginalCMKAlias = oldAlias + "-b"

		p, err := e.eng.Plan(ctx, e.l)
		if err != nil {
			t.Fatal(err)
		}
		var found *steps.RenamedResource
		for i, rr := range p.Renamed {
			if rr.Name == a {
				found = &p.Renamed[i]
			}
		}
		if found == nil || found.Contents == nil || found.Contents.Versions != 1 || found.CreatedAt.IsZero() {
			t.Fatalf("plan does not show the renamed-away bucket %s with its backup: %+v", a, p.Renamed)
		}
		e.apply()
		prev, err := e.eng.PreviewDestroyWith(ctx, e.l, steps.DestroyOptions{RemoveRenamed: remove})
		if err != nil {
			t.Fatal(err)
		}
		offered := false
		for _, k := range prev.Keys {
			offered = offered || k.Arn == key
		}
		if offered == !remove {
			t.Errorf("remove=%t: the destroy preview offers to schedule the key %s: %t", remove, key, offered)
		}
		res, err := e.eng.DestroyWith(ctx, e.l, &recorder{}, steps.DestroyOptions{RemoveRenamed: remove})
		if err != nil {
			t.Fatal(err)
		}
		md, err := e.acct.KMS(e.l.SourceRegion).DescribeKey(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if _, aerr := e.acct.KMS(e.l.SourceRegion).DescribeKey(ctx, oldAlias); !remove && aerr != nil {
			t.Errorf("the old alias of the kept key was deleted: %v", aerr)
		}
		if !remove {
			mustHaveObject(t, e.acct, e.l.SourceRegion, a, "data/backup_1")
			if rc, err := e.acct.S3(e.l.SourceRegion).GetBucketReplication(ctx, a); !cloud.IsCode(err, cloud.CodeNoSuchReplication) {
				t.Errorf("the kept bucket %s still replicates with the deleted role: %+v (%v)", a, rc, err)
			}
			if md.KeyState != "Enabled" {
				t.Fatalf("the key of the kept bucket %s is %s: %+v", a, md.KeyState, res)
			}
			continue
		}
		if _, err := e.acct.S3(e.l.SourceRegion).HeadBucket(ctx, a); !cloud.IsCode(err, cloud.CodeNotFound, cloud.CodeNoSuchBucket) {
			t.Errorf("with RemoveRenamed, bucket %s is still there (%v)", a, err)
		}
		if md.KeyState != "PendingDeletion" {
			t.Errorf("with RemoveRenamed, the key is %s", md.KeyState)
		}
		if _, err := e.acct.KMS(e.l.SourceRegion).DescribeKey(ctx, oldAlias); !cloud.IsCode(err, cloud.CodeNotFoundException) {
			t.Errorf("the renamed-away alias %s is still on the key (%v)", oldAlias, err)
		}
	}
}

// TestConcurrentCreateOfTheSameBucketIsNotTakenForOurs reproduces issue
// 6.3: QAS creates the bucket name PRD is about to create. PRD's
// CreateBucket answers BucketAlreadyOwnedByYou (or, in us-east-1, 200);
// neither is proof that PRD created it, so PRD's apply stops with a clear
// error and PRD's destroy leaves QAS's bucket and backups alone.
func TestConcurrentCreateOfTheSameBucketIsNotTakenForOurs(t *testing.T) {
	for _, src := range []string{"eu-central-1", "us-east-1"} {
		t.Run(src, func(t *testing.T) {
			e := newEnv(t, src, "eu-west-1")
			ctx := context.Background()
			qas := spec.Defaults("QAS", memaws.DefaultAccountID, e.l.SourceRegion, e.l.ReplicationRegion)
			qas.EC2RoleToRunBackup, qas.KMSAdminRole = e.l.EC2RoleToRunBackup, e.l.KMSAdminRole
			qas.OriginalBucketName = e.l.OriginalBucketName
			qasEng := steps.New(steps.Options{Account: e.acct, StateDir: t.TempDir(), HomeRegion: src, Now: e.clock.Now, Sleep: e.clock.Sleep})
			racing := &race.BucketName{Account: e.acct, Bucket: e.l.OriginalBucketName, Other: func() {
				if _, err := qasEng.Apply(ctx, qas, &recorder{}); err != nil {
					t.Errorf("QAS apply: %v", err)
				}
				if _, err := e.acct.S3(src).PutObject(ctx, cloud.PutObjectInput{Bucket: qas.OriginalBucketName, Key: "data/qas_backup", Body: []byte("qas")}); err != nil {
					t.Error(err)
				}
				e.clock.Advance(2 * time.Second) // PRD's CreateBucket is sent later
			}}
			eng := steps.New(steps.Options{Account: racing, StateDir: e.dir, HomeRegion: src, Now: e.clock.Now, Sleep: e.clock.Sleep})
			_, err := eng.Apply(ctx, e.l, &recorder{})
			if err == nil || !strings.Contains(err.Error(), e.l.OriginalBucketName) {
				t.Fatalf("PRD's apply after QAS took its bucket name: %v, want an error naming the bucket", err)
			}
			_, _ = eng.Destroy(ctx, e.l, &recorder{})
			mustHaveObject(t, e.acct, src, qas.OriginalBucketName, "data/qas_backup")
			if tags, _ := e.acct.S3(src).GetBucketTagging(ctx, qas.OriginalBucketName); !hasTag(tags, steps.TagLandscape, "QAS") {
				t.Errorf("QAS's bucket was retagged: %+v", tags)
			}
		})
	}
}

// TestConcurrentCreateOfTheSameRoleIsNotTakenForOurs (issue 6.3): QAS
// creates the replication role name PRD is about to create; PRD's
// CreateRole answers EntityAlreadyExists, which is no proof of a create of
// PRD's whose answer was lost. PRD's apply stops naming the field, and
// PRD's destroy leaves QAS's role.
func TestConcurrentCreateOfTheSameRoleIsNotTakenForOurs(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	qas := spec.Defaults("QAS", memaws.DefaultAccountID, e.l.SourceRegion, e.l.ReplicationRegion)
	qas.EC2RoleToRunBackup, qas.KMSAdminRole = e.l.EC2RoleToRunBackup, e.l.KMSAdminRole
	qas.ReplicationRoleName = e.l.ReplicationRoleName
	qasEng := steps.New(steps.Options{Account: e.acct, StateDir: t.TempDir(), HomeRegion: e.l.SourceRegion, Now: e.clock.Now, Sleep: e.clock.Sleep})
	racing := &race.RoleName{Account: e.acct, Role: e.l.ReplicationRoleName, Other: func() {
		if _, err := qasEng.Apply(ctx, qas, &recorder{}); err != nil {
			t.Errorf("QAS apply: %v", err)
		}
		e.clock.Advance(2 * time.Second)
	}}
	eng := steps.New(steps.Options{Account: racing, StateDir: e.dir, HomeRegion: e.l.SourceRegion, Now: e.clock.Now, Sleep: e.clock.Sleep})
	_, err := eng.Apply(ctx, e.l, &recorder{})
	if err == nil || !strings.Contains(err.Error(), "replicationRoleName") {
		t.Fatalf("PRD's apply after QAS took its role name: %v, want an error naming replicationRoleName", err)
	}
	_, _ = eng.Destroy(ctx, e.l, &recorder{})
	role, err := e.acct.IAM().GetRole(ctx, e.l.ReplicationRoleName)
	if err != nil || !hasTag(role.Tags, steps.TagLandscape, "QAS") {
		t.Fatalf("QAS's role after PRD's destroy: %+v (%v)", role, err)
	}
}

func hasTag(tags []cloud.Tag, k, v string) bool {
	got, ok := cloud.TagValue(tags, k)
	return ok && got == v
}

// TestTagsAloneDoNotProveOwnership reproduces issue 6.4: someone else
// creates a bucket and a key and tags them hanavault:landscape=PRD; with no
// journal (and no --from-tags consent) they are not hanavault's: the key is
// refused, and destroy deletes neither the bucket nor its object, nor
// schedules the key or replaces its policy.
func TestTagsAloneDoNotProveOwnership(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	userBucket(t, e.acct, e.l.SourceRegion, e.l.OriginalBucketName, "theirs.csv")
	s3 := e.acct.S3(e.l.SourceRegion)
	if err := s3.PutBucketTagging(ctx, e.l.OriginalBucketName, []cloud.Tag{
		{Key: steps.TagLandscape, Value: "PRD"}, {Key: steps.TagComponent, Value: steps.CompBucket}, {Key: steps.TagSide, Value: steps.SideSource}}); err != nil {
		t.Fatal(err)
	}
	kms := e.acct.KMS(e.l.SourceRegion)
	pol := `{"Version":"2012-10-17","Statement":[{"Sid":"Theirs","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + memaws.DefaultAccountID + `:root"},"Action":"kms:*","Resource":"*"}]}`
	md, err := kms.CreateKey(ctx, cloud.CreateKeyInput{Policy: pol, Tags: []cloud.Tag{
		{Key: steps.TagLandscape, Value: "PRD"}, {Key: steps.TagComponent, Value: steps.CompKey}, {Key: steps.TagSide, Value: steps.SideSource}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := kms.CreateAlias(ctx, e.l.OriginalCMKAlias, md.KeyID); err != nil {
		t.Fatal(err)
	}

	var fe *steps.FieldError
	if _, err := e.eng.Plan(ctx, e.l); !errors.As(err, &fe) || fe.Field != "originalCMKAlias" {
		t.Fatalf("plan with someone else's tagged key under the alias: %v, want an originalCMKAlias error", err)
	}
	_, _ = e.eng.Apply(ctx, e.l, &recorder{})
	_, _ = e.eng.Destroy(ctx, e.l, &recorder{})
	mustHaveObject(t, e.acct, e.l.SourceRegion, e.l.OriginalBucketName, "theirs.csv")
	got, err := kms.DescribeKey(ctx, md.KeyID)
	if err != nil || got.KeyState != "Enabled" {
		t.Fatalf("their key is %q (%v)", got.KeyState, err)
	}
	if doc, err := kms.GetKeyPolicy(ctx, md.KeyID); err != nil || !strings.Contains(doc, "Theirs") {
		t.Fatalf("their key policy was replaced: %s (%v)", doc, err)
	}
}

// TestTaggedBucketWithoutJournalIsAdoptedNotOwned: the bucket alone,
// tagged for PRD by someone else, is planned as pre-existing and kept.
func TestTaggedBucketWithoutJournalIsAdoptedNotOwned(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	userBucket(t, e.acct, e.l.SourceRegion, e.l.OriginalBucketName, "theirs.csv")
	if err := e.acct.S3(e.l.SourceRegion).PutBucketTagging(ctx, e.l.OriginalBucketName, []cloud.Tag{{Key: steps.TagLandscape, Value: "PRD"}}); err != nil {
		t.Fatal(err)
	}
	p, err := e.eng.Plan(ctx, e.l)
	if err != nil {
		t.Fatal(err)
	}
	if c := changeOf(p, "source/bucket"); !strings.Contains(c.Owner, "pre-existing") {
		t.Fatalf("plan: source/bucket is %q, want pre-existing", c.Owner)
	}
	e.apply()
	e.destroy()
	mustHaveObject(t, e.acct, e.l.SourceRegion, e.l.OriginalBucketName, "theirs.csv")
}

// TestPlanAndPreviewSayWhoCreatedEachResource: after an apply, plan and the
// destroy preview say "created by this landscape on <date>" for what the
// journal proves it created.
func TestPlanAndPreviewSayWhoCreatedEachResource(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	adoptBucket(t, e)
	e.apply()
	p, err := e.eng.Plan(ctx, e.l)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"source/bucket":           "pre-existing",
		"replica/bucket":          "created by this landscape on 2026-11-26",
		"source/key":              "created by this landscape on 2026-11-26",
		"source/key/alias":        "created by this landscape on 2026-11-26",
		"global/replication-role": "created by this landscape on 2026-11-26",
	}
	for id, w := range want {
		if c := changeOf(p, id); !strings.Contains(c.Owner, w) {
			t.Errorf("plan: %s owner %q, want %q", id, c.Owner, w)
		}
	}
	d, err := e.eng.PreviewDestroy(ctx, e.l)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range d.Changes {
		if w, ok := want[c.ID]; ok && !strings.Contains(c.Owner, w) {
			t.Errorf("destroy preview: %s owner %q, want %q", c.ID, c.Owner, w)
		}
	}
}

// TestPlanWarnsWhenTheAdminRoleIsTheBackupRole (issue 6.9): one role that
// administers the keys and uses them leaves no admin/user split.
func TestPlanWarnsWhenTheAdminRoleIsTheBackupRole(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.l.KMSAdminRole = "arn:aws:iam::" + memaws.DefaultAccountID + ":role/" + memaws.SeedBackupRole
	p, err := e.eng.Plan(context.Background(), e.l)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range p.Warnings {
		if w.Field == "kmsAdminRole" && strings.Contains(w.Message, "same role") {
			return
		}
	}
	t.Fatalf("no kmsAdminRole warning: %+v", p.Warnings)
}

// TestAdoptedBucketObjectsAreNamedInTheLifecycleWarning (issue 6.9): the
// lifecycle hanavault sets on an adopted bucket archives and expires the
// objects already in it; the plan names them.
func TestAdoptedBucketObjectsAreNamedInTheLifecycleWarning(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	adoptBucket(t, e)
	p, err := e.eng.Plan(context.Background(), e.l)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range p.Warnings {
		if w.Field == "lifecycle" && strings.Contains(w.Message, "old-backup") && strings.Contains(w.Message, e.l.OriginalBucketName) {
			return
		}
	}
	t.Fatalf("no lifecycle warning naming the adopted bucket's object old-backup: %+v", p.Warnings)
}

// TestRenamedAliasGoesWithItsKey (issue 6.2): after the alias is renamed,
// destroy schedules the key (no kept bucket uses it) and removes both the
// new and the old alias: no renamed alias stays on a key pending deletion.
func TestRenamedAliasGoesWithItsKey(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	e.apply()
	old := e.l.OriginalCMKAlias
	key := keyARN(t, e.acct, e.l.SourceRegion, old)
	e.l.OriginalCMKAlias = old + "-new"
	e.apply()
	e.destroy()
	kms := e.acct.KMS(e.l.SourceRegion)
	if md, err := kms.DescribeKey(ctx, key); err != nil || md.KeyState != "PendingDeletion" {
		t.Fatalf("key after destroy: %q (%v)", md.KeyState, err)
	}
	for _, a := range []string{old, e.l.OriginalCMKAlias} {
		if _, err := kms.DescribeKey(ctx, a); !cloud.IsCode(err, cloud.CodeNotFoundException) {
			t.Errorf("alias %s left on the key pending deletion (%v)", a, err)
		}
	}
}

// TestFromTagsListsEveryTaggedBucketAndAsksBeforeDeleting (issue 6.4):
// with the local state lost, the landscape rebuilt from its tags is the
// newest bucket per component; a bucket of an earlier name, tagged the same,
// is listed by the destroy preview with its contents, kept without consent
// and deleted with consent to deleting tag-found buckets.
func TestFromTagsListsEveryTaggedBucketAndAsksBeforeDeleting(t *testing.T) {
	for _, consent := range []bool{false, true} {
		e := newEnv(t, "eu-central-1", "eu-west-1")
		ctx := context.Background()
		e.apply()
		old := e.l.OriginalBucketName
		if _, err := e.acct.S3(e.l.SourceRegion).PutObject(ctx, cloud.PutObjectInput{Bucket: old, Key: "data/backup_1", Body: []byte("backup")}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		e.l.OriginalBucketName = old + "-b"
		e.apply()

		eng := steps.New(steps.Options{Account: e.acct, StateDir: t.TempDir(), HomeRegion: e.l.SourceRegion, Now: e.clock.Now, Sleep: e.clock.Sleep})
		got, err := eng.LoadLandscape(ctx, "PRD", true)
		if err != nil {
			t.Fatal(err)
		}
		if got.OriginalBucketName != e.l.OriginalBucketName {
			t.Fatalf("rebuilt landscape uses bucket %s, want the newest, %s", got.OriginalBucketName, e.l.OriginalBucketName)
		}
		prev, err := eng.PreviewDestroy(ctx, got)
		if err != nil {
			t.Fatal(err)
		}
		listed := false
		for _, rr := range prev.Renamed {
			listed = listed || rr.Name == old && rr.FoundByTags && rr.Contents != nil && rr.Contents.Versions == 1
		}
		if !listed {
			t.Fatalf("the destroy preview does not list the tag-found bucket %s with its backup: %+v", old, prev.Renamed)
		}
		all := steps.TagConsent{Buckets: consent, Keys: consent, Role: consent}
		if _, err := eng.DestroyWith(ctx, got, &recorder{}, steps.DestroyOptions{FromTags: all}); err != nil {
			t.Fatal(err)
		}
		_, herr := e.acct.S3(e.l.SourceRegion).HeadBucket(ctx, old)
		if gone := cloud.IsCode(herr, cloud.CodeNotFound); gone != consent {
			t.Errorf("consent %t: tag-found bucket %s gone: %t (%v)", consent, old, gone, herr)
		}
		if consent {
			e.assertNothingLeft()
		}
	}
}
