package verify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/journal"
	"github.com/hanavault/hanavault/internal/steps"
)

// tracker journals the canaries: an intent record before the first canary
// is written, a done record once both buckets hold none. An intent left
// open (a killed run, replicas that may still arrive) tells the next
// verify, and destroy, to remove what is under the canary folder.
type tracker struct {
	jr       *journal.Journal
	recorded bool // this run journaled its intent
}

func openTracker(root, account, sid, run string, now func() time.Time) (*tracker, error) {
	jr, err := journal.Open(journal.Dir(root, account, sid), run, journal.WithClock(now))
	if err != nil {
		return nil, fmt.Errorf("open the journal of %s: %w", sid, err)
	}
	return &tracker{jr: jr}, nil
}

func (t *tracker) close() { _ = t.jr.Close() }

// open reports whether an earlier run left canaries recorded and not
// removed.
func (t *tracker) open() bool {
	return steps.VerifyCanariesPending(t.jr.Records())
}

func (t *tracker) intent(region, bucket, prefix string) error {
	_, err := t.jr.Append(journal.Record{Kind: journal.KindIntent, Step: steps.VerifyCanaryStep, Op: "s3:PutObject",
		Region: region, Resource: bucket, Detail: prefix})
	return err
}

func (t *tracker) done(prefix string) error {
	_, err := t.jr.Append(journal.Record{Kind: journal.KindDone, Step: steps.VerifyCanaryStep, Op: "s3:PutObject", Detail: prefix})
	return err
}

// record journals, once per run, that canaries are about to be written.
func (v *verifier) record() error {
	if v.track.recorded {
		return nil
	}
	if err := v.track.intent(v.in.Source.Region, v.in.Source.Bucket, v.prefix()); err != nil {
		return err
	}
	v.track.recorded = true
	return nil
}

// cleanup removes every version, delete marker and unfinished upload under
// the canary folder in both buckets. Before the checks (early) it runs only
// when the journal says an earlier run left canaries. The journal's intent
// is closed only when both buckets are clean and no canary can still be
// replicated (every canary reached a final replication status).
func (v *verifier) cleanup(ctx context.Context, early bool) error {
	if early && !v.track.open() {
		return nil
	}
	if !early && !v.track.recorded && !v.track.open() {
		return nil
	}
	title := "Remove the canaries of this run from both buckets"
	if early {
		title = "Remove canaries an earlier verify left behind"
	}
	v.start("cleanup", "", title)
	removed := 0
	for _, t := range []Target{v.in.Source, v.in.Replica} {
		n, err := removePrefix(ctx, v.o.Account.S3(t.Region), t.Bucket, v.prefix())
		removed += n
		if err != nil {
			return fmt.Errorf("remove canaries under %s in %s: %w", v.prefix(), t.Bucket, err)
		}
	}
	v.rep.CanariesRemoved += removed
	detail := fmt.Sprintf("%d canary versions removed under %s", removed, v.prefix())
	if !early && !v.settled {
		v.progress("cleanup", "", detail+"; replicas may still arrive, so the journal keeps the canaries for the next verify or destroy", 0)
		return nil
	}
	if err := v.track.done(v.prefix()); err != nil {
		return err
	}
	v.progress("cleanup", "", detail, 0)
	return nil
}

// removePrefix deletes every version and delete marker under prefix and
// aborts unfinished uploads there. Each round lists from the start again:
// the set is small, and it never depends on a marker whose version was
// just deleted.
func removePrefix(ctx context.Context, s3 cloud.S3, bucket, prefix string) (int, error) {
	removed := 0
	const maxRounds = 100
	for range maxRounds {
		page, err := s3.ListObjectVersions(ctx, cloud.ListObjectVersionsInput{Bucket: bucket, Prefix: prefix, MaxKeys: 1000})
		if err != nil {
			return removed, err
		}
		var ids []cloud.ObjectIdentifier
		for _, o := range page.Versions {
			ids = append(ids, cloud.ObjectIdentifier{Key: o.Key, VersionID: o.VersionID})
		}
		for _, m := range page.DeleteMarkers {
			ids = append(ids, cloud.ObjectIdentifier{Key: m.Key, VersionID: m.VersionID})
		}
		if len(ids) == 0 {
			return removed, abortUploads(ctx, s3, bucket, prefix)
		}
		out, err := s3.DeleteObjects(ctx, bucket, ids)
		if err != nil {
			return removed, err
		}
		removed += len(out.Deleted)
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return removed, fmt.Errorf("%d versions could not be deleted, first %s (version %s): %s %s", len(out.Errors), e.Key, e.VersionID, e.Code, e.Message)
		}
	}
	return removed, fmt.Errorf("objects under %s keep arriving", prefix)
}

func abortUploads(ctx context.Context, s3 cloud.S3, bucket, prefix string) error {
	in := cloud.ListMultipartUploadsInput{Bucket: bucket}
	for {
		page, err := s3.ListMultipartUploads(ctx, in)
		if err != nil {
			return err
		}
		for _, u := range page.Uploads {
			if !strings.HasPrefix(u.Key, prefix) {
				continue
			}
			if err := s3.AbortMultipartUpload(ctx, bucket, u.Key, u.UploadID); err != nil && !cloud.IsCode(err, cloud.CodeNoSuchUpload) {
				return err
			}
		}
		if !page.IsTruncated {
			return nil
		}
		in.KeyMarker, in.UploadIDMarker = page.NextKeyMarker, page.NextUploadIDMarker
	}
}
