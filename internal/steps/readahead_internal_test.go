package steps

import (
	"context"
	"reflect"
	"testing"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/spec"
)

// TestTheSnapshotEndsAtTheFirstChange: a run's reads answer from the
// snapshot read ahead (the same call twice is sent once) until the run's
// first mutating call; after it, reads go to AWS, so a run never reads a
// value from before its own change.
func TestTheSnapshotEndsAtTheFirstChange(t *testing.T) {
	ctx := context.Background()
	acct := memaws.New(memaws.Options{HomeRegion: "eu-central-1"})
	e := New(Options{Account: acct, StateDir: t.TempDir(), HomeRegion: "eu-central-1"})
	l := spec.Defaults("PRD", memaws.DefaultAccountID, "eu-central-1", "eu-west-1")
	l.EC2RoleToRunBackup, l.KMSAdminRole = memaws.SeedBackupRole, "kms-admin"
	if _, err := e.Apply(ctx, l, SinkFunc(func(Event) {})); err != nil {
		t.Fatal(err)
	}
	r, err := e.newRun(ctx, l, writable, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	bucket, region := r.l.OriginalBucketName, r.l.SourceRegion
	s3 := r.acct.S3(region)
	before, err := s3.GetBucketTagging(ctx, bucket)
	if err != nil {
		t.Fatal(err)
	}
	// Someone else changes the tags: the run's snapshot still answers.
	theirs := append(append([]cloud.Tag(nil), before...), cloud.Tag{Key: "cost-center", Value: "4711"})
	if err := acct.S3(region).PutBucketTagging(ctx, bucket, theirs); err != nil {
		t.Fatal(err)
	}
	acct.ResetCounters()
	if got, _ := s3.GetBucketTagging(ctx, bucket); !reflect.DeepEqual(got, before) {
		t.Fatalf("before any change the run reads its snapshot %v, got %v", before, got)
	}
	if n := len(acct.Calls()); n != 0 {
		t.Fatalf("a read the snapshot holds made %d calls", n)
	}
	// The run changes them: from now on it reads AWS.
	ours := append(append([]cloud.Tag(nil), theirs...), cloud.Tag{Key: "owner", Value: "basis"})
	st := &step{id: stepID(SideSource, string(backupBucket), "tags"), region: region}
	if err := r.mutate(st, mutation{op: "s3:PutBucketTagging", resource: bucket}, func(ctx context.Context) (string, error) {
		return r.bucketARN(bucket), s3.PutBucketTagging(ctx, bucket, ours)
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s3.GetBucketTagging(ctx, bucket)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ours) {
		t.Fatalf("after its change the run read %v, want %v", got, ours)
	}
}

// TestTheSnapshotKeepsNoPassingError: an answer that says nothing about
// the resource (throttling, a 5xx) is not kept: the next read of the same
// call, a retry, goes to AWS again. What AWS said about the resource
// (no such tag set) is kept.
func TestTheSnapshotKeepsNoPassingError(t *testing.T) {
	ctx := context.Background()
	acct := memaws.New(memaws.Options{HomeRegion: "eu-central-1"})
	e := New(Options{Account: acct, StateDir: t.TempDir(), HomeRegion: "eu-central-1"})
	l := spec.Defaults("PRD", memaws.DefaultAccountID, "eu-central-1", "eu-west-1")
	l.EC2RoleToRunBackup, l.KMSAdminRole = memaws.SeedBackupRole, "kms-admin"
	if _, err := e.Apply(ctx, l, SinkFunc(func(Event) {})); err != nil {
		t.Fatal(err)
	}
	l = l.Normalized()
	if err := acct.S3(l.SourceRegion).DeleteBucketTagging(ctx, l.OriginalLogBucketName); err != nil {
		t.Fatal(err)
	}
	acct.SlowDown("GetBucketPolicy", 1)
	r, err := e.newRun(ctx, l, readOnly, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	s3 := r.acct.S3(r.l.SourceRegion)
	r.ra.wait() // the reads sent ahead have been answered (one was slowed down)
	// The read sent ahead was slowed down: the run's own read asks again.
	if _, err := s3.GetBucketPolicy(ctx, r.l.OriginalBucketName); err != nil {
		t.Fatalf("the run's read was answered with the slowed-down answer sent ahead: %v", err)
	}
	name := r.l.OriginalLogBucketName
	_, err1 := s3.GetBucketTagging(ctx, name)
	acct.ResetCounters()
	_, err2 := s3.GetBucketTagging(ctx, name)
	if !cloud.IsCode(err1, cloud.CodeNoSuchTagSet) || !cloud.IsCode(err2, cloud.CodeNoSuchTagSet) || len(acct.Calls()) != 0 {
		t.Fatalf("NoSuchTagSet is the snapshot's answer: %v, then %v with %d calls", err1, err2, len(acct.Calls()))
	}
}
