package steps

import (
	"github.com/hanavault/hanavault/internal/journal"
)

// VerifyCanaryStep is the journal step under which `hanavault verify`
// records the canary objects it writes: an intent before the first
// canary, a done record once none is left in either bucket.
const VerifyCanaryStep = "verify/canary"

// VerifyCanaryFolder is the folder under the landscape's Backint folder
// (the SID) that holds verify's canaries, and nothing else.
const VerifyCanaryFolder = "hanavault-verify/"

// VerifyCanariesPending reports whether the journal records canaries that
// were written and not yet removed (an intent without a later done).
func VerifyCanariesPending(recs []journal.Record) bool {
	open := false
	for _, r := range recs {
		if r.Step != VerifyCanaryStep {
			continue
		}
		switch r.Kind {
		case journal.KindIntent:
			open = true
		case journal.KindDone:
			open = false
		}
	}
	return open
}

// removeVerifyCanaries deletes what verify left under the canary folder of
// a bucket destroy keeps (a pre-existing bucket keeps its objects, but not
// hanavault's canaries). Buckets destroy deletes are emptied whole anyway.
func (r *run) removeVerifyCanaries(st *step, region, bucket string) error {
	if !VerifyCanariesPending(r.jr.Records()) {
		return nil
	}
	var n int64
	return r.deleteAllVersions(st, r.acct.S3(region), bucket, r.l.SID+"/"+VerifyCanaryFolder, &n)
}
