package steps_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/journal"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/steps"
)

// TestJournalCopiedFromAnotherAccountProvesNothing: a journal written by
// runs in account A, copied (or moved) into account B's place in a state
// directory, must not make B's resources of the same names look created by
// this landscape. Bucket ARNs carry no account, so the journal's records
// alone would match a bucket of the same name created in B. Every command
// refuses the journal and names both accounts.
func TestJournalCopiedFromAnotherAccountProvesNothing(t *testing.T) {
	for _, old := range []bool{false, true} {
		name := "journal with the account"
		if old {
			name = "journal from before records carried the account"
		}
		t.Run(name, func(t *testing.T) { copiedJournal(t, old) })
	}
}

// copiedJournal runs the test; old strips the run-start records' account,
// as journals written before it was recorded: the key ARNs still tell.
func copiedJournal(t *testing.T, old bool) {
	ctx := context.Background()
	const other = "210987654321"
	state := t.TempDir()
	l := benchLandscape()
	a := memaws.New(memaws.Options{HomeRegion: "eu-central-1"})
	ea := steps.New(steps.Options{Account: a, StateDir: state, HomeRegion: "eu-central-1"})
	if _, err := ea.Apply(ctx, l, steps.SinkFunc(func(steps.Event) {})); err != nil {
		t.Fatal(err)
	}
	// Account B holds a bucket of the landscape's name with its data,
	// created at the same time (names are global; in B it is B's own).
	b := memaws.New(memaws.Options{HomeRegion: "eu-central-1", AccountID: other})
	s3 := b.S3(l.SourceRegion)
	if err := s3.CreateBucket(ctx, cloud.CreateBucketInput{Bucket: l.OriginalBucketName, LocationConstraint: l.SourceRegion}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: l.OriginalBucketName, Key: "finance/ledger.csv", Body: []byte("b's data")}); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(state, other), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(journal.Dir(state, memaws.DefaultAccountID, l.SID), journal.Dir(state, other, l.SID)); err != nil {
		t.Fatal(err)
	}
	if old {
		p := filepath.Join(journal.Dir(state, other, l.SID), "journal.jsonl")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		stripped := strings.ReplaceAll(string(b), `,"account":"`+memaws.DefaultAccountID+`"`, "")
		if stripped == string(b) {
			t.Fatal("the journal's run-start records carry no account")
		}
		if err := os.WriteFile(p, []byte(stripped), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	eb := steps.New(steps.Options{Account: b, StateDir: state, HomeRegion: "eu-central-1"})
	check := func(what string, err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), memaws.DefaultAccountID) || !strings.Contains(err.Error(), other) {
			t.Errorf("%s with a journal from account %s in account %s: %v, want an error naming both accounts", what, memaws.DefaultAccountID, other, err)
		}
	}
	_, err := eb.Destroy(ctx, l, steps.SinkFunc(func(steps.Event) {}))
	check("destroy", err)
	_, err = eb.Status(ctx, l)
	check("status", err)
	_, err = eb.PreviewDestroy(ctx, l)
	check("the destroy preview", err)
	_, err = eb.Apply(ctx, l, steps.SinkFunc(func(steps.Event) {}))
	check("apply", err)
	if _, err := s3.HeadObject(ctx, l.OriginalBucketName, "finance/ledger.csv", ""); err != nil {
		t.Fatalf("account B's data is gone: %v", err)
	}
}
