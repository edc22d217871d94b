package steps

import (
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/journal"
)

// TestOwnershipOfFoldsCreateRecordsPerResource: ownership follows the
// resource named by each create call's records, not the step.
func TestOwnershipOfFoldsCreateRecordsPerResource(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	rec := func(s int, run string, k journal.Kind, step, region, op, res, id, errText string) journal.Record {
		return journal.Record{Time: at(s), Run: run, Kind: k, Step: step, Region: region, Op: op, Resource: res, ID: id, Error: errText}
	}
	const eu = "eu-central-1"
	recs := []journal.Record{
		// bucket A created, then the step renamed to B, which is created too
		rec(1, "r1", journal.KindIntent, "source/bucket", eu, "s3:CreateBucket", "a", "", ""),
		rec(2, "r1", journal.KindDone, "source/bucket", eu, "s3:CreateBucket", "a", "arn:aws:s3:::a", ""),
		rec(3, "r2", journal.KindIntent, "source/bucket", eu, "s3:CreateBucket", "b", "", ""),
		rec(4, "r2", journal.KindDone, "source/bucket", eu, "s3:CreateBucket", "b", "arn:aws:s3:::b", ""),
		// bucket C created and deleted
		rec(5, "r2", journal.KindIntent, "source/log-bucket", eu, "s3:CreateBucket", "c", "", ""),
		rec(6, "r2", journal.KindDone, "source/log-bucket", eu, "s3:CreateBucket", "c", "", ""),
		rec(7, "r3", journal.KindIntent, "source/log-bucket", eu, "s3:DeleteBucket", "c", "", ""),
		rec(8, "r3", journal.KindDone, "source/log-bucket", eu, "s3:DeleteBucket", "c", "", ""),
		// D: answer lost (timeout); E: refused, someone else's; F: crash in flight
		rec(9, "r4", journal.KindIntent, "replica/bucket", "eu-west-1", "s3:CreateBucket", "d", "", ""),
		rec(10, "r4", journal.KindFailed, "replica/bucket", "eu-west-1", "s3:CreateBucket", "d", "", "RequestTimeout"),
		rec(11, "r4", journal.KindIntent, "replica/log-bucket", "eu-west-1", "s3:CreateBucket", "e", "", ""),
		rec(12, "r4", journal.KindFailed, "replica/log-bucket", "eu-west-1", "s3:CreateBucket", "e", "", "s3:CreateBucket e: BucketAlreadyOwnedByYou: …"),
		rec(13, "r4", journal.KindIntent, "global/replication-role", GlobalScope, "iam:CreateRole", "f", "", ""),
		// a key, named by the ID its done record returns
		rec(14, "r4", journal.KindIntent, "source/key", eu, "kms:CreateKey", "alias/x", "", ""),
		rec(15, "r4", journal.KindDone, "source/key", eu, "kms:CreateKey", "alias/x", "arn:aws:kms:eu-central-1:1:key/k-1", ""),
	}
	l := ownershipOf(recs)
	for _, tt := range []struct {
		id      resID
		created bool
		deleted bool
		lost    int
	}{
		{resID{resBucket, eu, "a"}, true, false, 0},
		{resID{resBucket, eu, "b"}, true, false, 0},
		{resID{resBucket, eu, "c"}, false, true, 0},
		{resID{resBucket, "eu-west-1", "d"}, false, false, 1},
		{resID{resBucket, "eu-west-1", "e"}, false, false, 0},
		{resID{resRole, GlobalScope, "f"}, false, false, 1},
		{resID{resKey, eu, "k-1"}, true, false, 0},
		{resID{resBucket, eu, "never"}, false, false, 0},
	} {
		o := l.get(tt.id)
		if o.created != tt.created || o.deleted != tt.deleted || len(o.lost) != tt.lost {
			t.Errorf("%+v: created %t deleted %t lost %d, want %t %t %d", tt.id, o.created, o.deleted, len(o.lost), tt.created, tt.deleted, tt.lost)
		}
	}
	if w := l.get(resID{resBucket, "eu-west-1", "d"}).lost[0]; !w.contains(at(9)) || !w.contains(at(10).Add(900*time.Millisecond)) || w.contains(at(7)) || w.contains(at(12)) {
		t.Errorf("window of the lost create %+v", w)
	}
	if w := l.get(resID{resRole, GlobalScope, "f"}).lost[0]; !w.to.Equal(at(13).Add(lostAnswerLimit)) {
		t.Errorf("window of the create in flight ends %v, want %v", w.to, at(13).Add(lostAnswerLimit))
	}
	if got := l.get(resID{resBucket, eu, "a"}).at; !got.Equal(at(2)) {
		t.Errorf("bucket a created at %v, want the done record's time", got)
	}
	names := l.ownedNames(resBucket)
	if len(names) != 2 || names[0].name != "a" || names[1].name != "b" {
		t.Errorf("owned buckets %+v, want a and b", names)
	}
}

// TestOwnershipLastChangeOfABucket: the ledger keeps the time of the last
// change this landscape made to a bucket it created, as its own: S3 may
// move the bucket's CreationDate to then. Changes made to the bucket as a
// pre-existing one (after it was recreated by someone else and adopted, or
// putting its settings back) do not count, nor do object calls, nor changes
// before the create.
func TestOwnershipLastChangeOfABucket(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	rec := func(s int, k journal.Kind, op string, pre bool) journal.Record {
		return journal.Record{Time: at(s), Run: "r1", Kind: k, Step: "source/bucket", Region: "eu-central-1", Op: op, Resource: "a", PreExisting: pre}
	}
	recs := []journal.Record{
		rec(1, journal.KindIntent, "s3:PutBucketPolicy", true), // adopted once, before
		rec(2, journal.KindDone, "s3:PutBucketPolicy", false),
		rec(3, journal.KindIntent, "s3:CreateBucket", false),
		rec(4, journal.KindDone, "s3:CreateBucket", false),
		rec(10, journal.KindIntent, "s3:PutBucketPolicy", false),
		rec(11, journal.KindDone, "s3:PutBucketPolicy", false),
		rec(20, journal.KindIntent, "s3:PutBucketLifecycleConfiguration", true),
		rec(21, journal.KindDone, "s3:PutBucketLifecycleConfiguration", true),
		rec(30, journal.KindIntent, "s3:DeleteObjects", false), // emptying, canaries: objects
		rec(31, journal.KindDone, "s3:DeleteObjects", false),
	}
	o := ownershipOf(recs).get(resID{resBucket, "eu-central-1", "a"})
	if !o.created || !o.at.Equal(at(4)) || !o.last.Equal(at(11)) {
		t.Errorf("created %t at %v, last change %v; want true, %v, %v", o.created, o.at, o.last, at(4), at(11))
	}
}
