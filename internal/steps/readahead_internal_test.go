package steps

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/spec"
)

// appliedRun applies a landscape to a new account and opens an apply's
// run on it (reading ahead); the caller closes the run.
func appliedRun(t *testing.T) (*memaws.Account, *run) {
	t.Helper()
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
	return acct, r
}

// TestTheSnapshotEndsAtTheFirstChange: a run's reads answer from the
// snapshot read ahead (the same call twice is sent once) until the run's
// first mutating call; after it, reads go to AWS, so a run never reads a
// value from before its own change.
func TestTheSnapshotEndsAtTheFirstChange(t *testing.T) {
	ctx := context.Background()
	acct, r := appliedRun(t)
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
// the resource (throttling, a conflict, a 5xx, a network error) is not
// kept: the next read of the same call, a retry, goes to AWS again. What
// AWS said about the resource (no such tag set, access denied) is kept.
func TestTheSnapshotKeepsNoPassingError(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		err  error
		kept bool
	}{
		{&cloud.Error{Code: cloud.CodeSlowDown, HTTPStatus: 503}, false},
		{&cloud.Error{Code: cloud.CodeThrottlingException, HTTPStatus: 400}, false},
		{&cloud.Error{Code: cloud.CodeOperationAborted, HTTPStatus: 409}, false},
		{&cloud.Error{Code: cloud.CodeInternalError, HTTPStatus: 500}, false},
		{errors.New("dial tcp: connection reset by peer"), false},
		{context.DeadlineExceeded, false},
		{&cloud.Error{Code: cloud.CodeNoSuchTagSet, HTTPStatus: 404}, true},
		{&cloud.Error{Code: cloud.CodeAccessDenied, HTTPStatus: 403}, true},
	} {
		ra := newReadAhead(4)
		calls := 0
		fn := func(context.Context) (string, error) {
			calls++
			if calls == 1 {
				return "", tc.err
			}
			return "answer", nil
		}
		_, err1 := aheadCall(ra, ctx, "k", fn)
		v, err2 := aheadCall(ra, ctx, "k", fn)
		switch {
		case !errors.Is(err1, tc.err):
			t.Fatalf("%v: first answer %v", tc.err, err1)
		case tc.kept && (calls != 1 || !errors.Is(err2, tc.err)):
			t.Errorf("%v is what AWS said about the resource: kept, got %q, %v after %d calls", tc.err, v, err2, calls)
		case !tc.kept && (calls != 2 || err2 != nil || v != "answer"):
			t.Errorf("%v passes: the retry must ask again, got %q, %v after %d calls", tc.err, v, err2, calls)
		}
	}
}

// TestDeletingObjectsEndsTheSnapshot: DeleteObjects is the one change a
// run makes outside mutate (deletePhase journals its batches itself); it
// ends the snapshot like every other change, or the listing that follows
// (emptying lists the bucket from its start again) would answer the
// versions just deleted.
func TestDeletingObjectsEndsTheSnapshot(t *testing.T) {
	ctx := context.Background()
	acct, r := appliedRun(t)
	defer r.close()
	bucket, region := r.l.OriginalBucketName, r.l.SourceRegion
	prefix := r.l.SID + "/" + VerifyCanaryFolder
	if _, err := acct.S3(region).PutObject(ctx, cloud.PutObjectInput{Bucket: bucket, Key: prefix + "canary", Body: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	s3 := r.acct.S3(region)
	in := cloud.ListObjectVersionsInput{Bucket: bucket, Prefix: prefix, MaxKeys: deleteBatch}
	if page, err := s3.ListObjectVersions(ctx, in); err != nil || len(page.Versions) != 1 {
		t.Fatalf("listing before the delete: %+v, %v", page, err)
	}
	var n int64
	st := &step{id: stepID(SideSource, string(backupBucket)), region: region}
	if err := r.deleteAllVersions(st, s3, bucket, prefix, &n); err != nil || n != 1 {
		t.Fatalf("deleted %d versions: %v", n, err)
	}
	page, err := s3.ListObjectVersions(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Versions)+len(page.DeleteMarkers) != 0 {
		t.Fatalf("after deleting it the run still lists %+v", page.Versions)
	}
}

// TestTheSnapshotKeepsNoListingPastItsFirstPage: a listing's later pages
// are read once, page by page, to count or empty a bucket; kept in the
// snapshot they would hold a whole bucket's versions in memory until the
// run ends (a destroy preview with --full-count of a bucket with millions
// of versions). Only a listing's first page, which two reads may share,
// is kept.
func TestTheSnapshotKeepsNoListingPastItsFirstPage(t *testing.T) {
	ctx := context.Background()
	acct, r0 := appliedRun(t)
	r0.close()
	l := r0.l
	for i := 0; i < 2*deleteBatch+1; i++ {
		if _, err := acct.S3(l.SourceRegion).PutObject(ctx, cloud.PutObjectInput{
			Bucket: l.OriginalBucketName, Key: fmt.Sprintf("%s/data_%05d", l.SID, i), Body: []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}
	r, _, _, _, err := r0.e.readLandscape(ctx, l, undo, DestroyOptions{FullCount: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	counts, err := r.countBuckets(true)
	if err != nil {
		t.Fatal(err)
	}
	if counts[0].Bucket != l.OriginalBucketName || counts[0].Versions != 2*deleteBatch+1 {
		t.Fatalf("counted %+v", counts[0])
	}
	r.ra.mu.Lock()
	defer r.ra.mu.Unlock()
	var kept []string
	for k := range r.ra.entries {
		if strings.Contains(k, "ListObjectVersions") && strings.Contains(k, fmt.Sprintf("Bucket:%q", l.OriginalBucketName)) {
			kept = append(kept, k)
		}
	}
	if len(kept) > 1 {
		t.Fatalf("the snapshot keeps %d pages of %s's versions:\n%s", len(kept), l.OriginalBucketName, strings.Join(kept, "\n"))
	}
}
