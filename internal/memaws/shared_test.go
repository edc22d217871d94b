package memaws_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
)

// TestSharedSandboxLosesNothing opens the same sandbox directory twice, as
// two hanavault processes do (two SIDs applied at once), and has both
// write at the same time: every change of both must survive, in either
// instance and in a third one opened afterwards.
func TestSharedSandboxLosesNothing(t *testing.T) {
	dir := t.TempDir()
	a, err := memaws.Open(dir, memaws.Options{})
	must(t, err)
	b, err := memaws.Open(dir, memaws.Options{})
	must(t, err)
	const n = 15
	var wg sync.WaitGroup
	for i, acct := range []*memaws.Account{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range n {
				name := fmt.Sprintf("shared-%d-%02d", i, j)
				if err := acct.S3(src).CreateBucket(ctx, cloud.CreateBucketInput{Bucket: name, LocationConstraint: src}); err != nil {
					t.Errorf("create %s: %v", name, err)
					return
				}
				if err := acct.S3(src).PutBucketVersioning(ctx, name, cloud.VersioningEnabled); err != nil {
					t.Errorf("versioning of %s: %v", name, err)
				}
			}
		}()
	}
	wg.Wait()
	c, err := memaws.Open(dir, memaws.Options{})
	must(t, err)
	for _, acct := range []*memaws.Account{a, b, c} {
		for i := range 2 {
			for j := range n {
				name := fmt.Sprintf("shared-%d-%02d", i, j)
				v, err := acct.S3(src).GetBucketVersioning(ctx, name)
				if err != nil || v != cloud.VersioningEnabled {
					t.Errorf("%s: versioning %q, %v", name, v, err)
				}
			}
		}
	}
}

// TestReadsDoNotWriteTheSandbox: status, plan and the home screen only
// read; a read never rewrites account.json, even when it has side effects
// in the account (an access-log line, a replication that fell due).
func TestReadsDoNotWriteTheSandbox(t *testing.T) {
	dir := t.TempDir()
	clk := newClock(t)
	a, err := memaws.Open(dir, memaws.Options{Now: clk.Now})
	must(t, err)
	s := newReplSetupOn(t, a, clk, replOptions{bucketKeys: true})
	info := s.upload(t, "data/backup_1")
	createBucket(t, a, src, "hdb-src-logs")
	must(t, a.S3(src).PutBucketPolicy(ctx, "hdb-src-logs", logTargetPolicy("hdb-src-logs", "", replSrc)))
	must(t, a.S3(src).PutBucketLogging(ctx, replSrc, &cloud.LoggingEnabled{TargetBucket: "hdb-src-logs"}))
	path := filepath.Join(dir, "account.json")
	before, err := os.ReadFile(path)
	must(t, err)
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	must(t, os.Chtimes(path, old, old))

	r, err := memaws.Open(dir, memaws.Options{Now: clk.Now})
	must(t, err)
	clk.Advance(2 * time.Hour) // the replication falls due, logs are delivered
	for range 3 {
		_, err := r.S3(src).GetBucketVersioning(ctx, replSrc)
		must(t, err)
		_, err = r.S3(src).ListObjectVersions(ctx, cloud.ListObjectVersionsInput{Bucket: replSrc})
		must(t, err)
		_, err = r.KMS(src).DescribeKey(ctx, s.srcKey.KeyID)
		must(t, err)
		_, err = r.IAM().GetRole(ctx, replRole)
		must(t, err)
	}
	after, err := os.ReadFile(path)
	must(t, err)
	fi, err := os.Stat(path)
	must(t, err)
	if !bytes.Equal(before, after) || !fi.ModTime().Equal(old) {
		t.Fatalf("reads rewrote account.json (mtime %v, was %v; %d bytes, were %d)", fi.ModTime(), old, len(after), len(before))
	}
	// The next change saves what the reads did as well.
	createBucket(t, r, src, "after-reads")
	c, err := memaws.Open(dir, memaws.Options{Now: clk.Now})
	must(t, err)
	if st := statusOf(t, c, "data/backup_1", info.VersionID); st != "COMPLETED" {
		t.Fatalf("replication status after the next change %q, want COMPLETED", st)
	}
}
