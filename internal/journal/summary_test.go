package journal

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// seqd numbers records in order, as the journal would.
func seqd(recs ...Record) []Record {
	for i := range recs {
		recs[i].Seq = int64(i + 1)
	}
	return recs
}

func TestSummarizeFirstPriorWins(t *testing.T) {
	const step, op = "source/bucket/policy", "s3:PutBucketPolicy"
	pol := func(run string, kind Kind, prior string) Record {
		r := Record{Run: run, Kind: kind, Step: step, Region: "eu-central-1", Op: op, Resource: "b", PreExisting: true}
		if prior != "" {
			r.Prior = json.RawMessage(prior)
		}
		return r
	}
	recs := seqd(
		Record{Run: "r1", Kind: KindRunStart},
		pol("r1", KindIntent, `"customer policy"`),
		pol("r1", KindDone, ""),
		// A later run journals the value hanavault wrote as "prior".
		pol("r2", KindIntent, `"hanavault policy v1"`),
		pol("r2", KindFailed, ""),
		pol("r3", KindIntent, `"hanavault policy v1"`),
		pol("r3", KindDone, ""),
	)
	recs[4].Error = "AccessDenied"

	got := Summarize(recs)
	if len(got) != 1 {
		t.Fatalf("Summarize returned %d steps, want 1 (run records have no step): %v", len(got), got)
	}
	s := got[step]
	o := s.Ops[op]
	if o == nil {
		t.Fatalf("no op info for %s", op)
	}
	if !o.HasPrior || string(o.Prior) != `"customer policy"` || o.PriorAbsent {
		t.Errorf("prior = %s (has %v, absent %v), want the first: customer policy", o.Prior, o.HasPrior, o.PriorAbsent)
	}
	if o.LastIntent == nil || o.LastIntent.Seq != 6 {
		t.Errorf("LastIntent = %+v, want seq 6", o.LastIntent)
	}
	if o.LastDone == nil || o.LastDone.Seq != 7 || o.LastFailed == nil || o.LastFailed.Seq != 5 {
		t.Errorf("LastDone = %+v, LastFailed = %+v; want seq 7 and 5", o.LastDone, o.LastFailed)
	}
	if o.Pending {
		t.Errorf("op marked pending although its last intent is answered")
	}
	if !s.PreExisting {
		t.Errorf("PreExisting not set")
	}
	if diff := cmp.Diff([]string{"r1", "r2", "r3"}, s.Runs); diff != "" {
		t.Errorf("Runs (-want +got):\n%s", diff)
	}
}

func TestSummarizePriorAbsentAndIDs(t *testing.T) {
	recs := seqd(
		Record{Run: "r1", Kind: KindIntent, Step: "k", Op: "kms:CreateKey", Region: "eu-west-1"},
		Record{Run: "r1", Kind: KindDone, Step: "k", Op: "kms:CreateKey", Region: "eu-west-1", ID: "key-1"},
		Record{Run: "r1", Kind: KindIntent, Step: "k", Op: "kms:TagResource", Region: "eu-west-1", Resource: "key-1", PreExisting: true, PriorAbsent: true},
		Record{Run: "r1", Kind: KindDone, Step: "k", Op: "kms:TagResource", Region: "eu-west-1", Resource: "key-1", ID: "key-1"},
		Record{Run: "r2", Kind: KindIntent, Step: "k", Op: "kms:TagResource", Region: "eu-west-1", Resource: "key-1", PreExisting: true, Prior: json.RawMessage(`[{"Key":"a"}]`)},
		Record{Run: "r2", Kind: KindIntent, Step: "k", Op: "kms:CreateKey", Region: "eu-west-1"},
		Record{Run: "r2", Kind: KindDone, Step: "k", Op: "kms:CreateKey", Region: "eu-west-1", ID: "key-2"},
	)
	s := Summarize(recs)["k"]
	if diff := cmp.Diff([]string{"key-1", "key-2"}, s.IDs); diff != "" {
		t.Errorf("IDs (-want +got):\n%s", diff)
	}
	tag := s.Ops["kms:TagResource"]
	if !tag.HasPrior || !tag.PriorAbsent || tag.Prior != nil {
		t.Errorf("TagResource prior: has=%v absent=%v prior=%s; want the first (absent)", tag.HasPrior, tag.PriorAbsent, tag.Prior)
	}
	if !tag.Pending {
		t.Errorf("TagResource: last intent (r2) has no outcome but Pending is false")
	}
	if s.Ops["kms:CreateKey"].HasPrior {
		t.Errorf("CreateKey has a prior although none was journaled")
	}
	if s.Region != "eu-west-1" || s.Resource != "key-1" {
		t.Errorf("Region/Resource = %q/%q", s.Region, s.Resource)
	}
}

func TestPendingIntents(t *testing.T) {
	in := func(run, op string) Record {
		return Record{Run: run, Kind: KindIntent, Step: "replica/bucket", Region: "eu-west-1", Op: op, Resource: "b"}
	}
	out := func(run, op string, k Kind) Record {
		r := in(run, op)
		r.Kind = k
		return r
	}
	recs := seqd(
		Record{Run: "A", Kind: KindRunStart},
		in("A", "s3:CreateBucket"),
		out("A", "s3:CreateBucket", KindDone),
		in("A", "s3:PutBucketVersioning"), // crash in flight
		Record{Run: "B", Kind: KindRunStart},
		in("B", "s3:PutBucketVersioning"),
		out("B", "s3:PutBucketVersioning", KindDone),
		in("B", "s3:PutBucketPolicy"),
		out("B", "s3:PutBucketPolicy", KindFailed),
		in("B", "s3:PutBucketPolicy"), // retry, then crash
		out("B", "s3:PutBucketTagging", KindDone),
	)
	got := PendingIntents(recs)
	var seqs []int64
	for _, r := range got {
		seqs = append(seqs, r.Seq)
	}
	// Run B's outcome of PutBucketVersioning does not answer run A's intent:
	// whatever A's call did is unknown. The failed policy call answers the
	// first policy intent, not the retry.
	if diff := cmp.Diff([]int64{4, 10}, seqs); diff != "" {
		t.Errorf("pending intent seqs (-want +got):\n%s", diff)
	}
	if len(PendingIntents(recs[:3])) != 0 {
		t.Errorf("answered intents reported pending")
	}
}
