// Package recall restores archived backups (S3 Glacier Flexible Retrieval
// and Deep Archive) so that the AWS Backint Agent can read them for a
// recovery: it lists the archived objects of a selection page by page,
// summarises them per storage class with the tier's typical completion
// time and an estimated cost, sends RestoreObject for each with bounded
// concurrency and backoff on throttling, and journals its progress so an
// interrupted recall resumes where it stopped. Objects already restored
// or being restored are counted, never requested again.
//
// It knows nothing about terminals: progress goes to a steps.Sink.
package recall

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/journal"
	"github.com/hanavault/hanavault/internal/steps"
)

// Defaults for Options fields left zero.
const (
	DefaultConcurrency = 32
	DefaultMaxAttempts = 8
	DefaultBackoff     = 200 * time.Millisecond
	maxBackoff         = 10 * time.Second
	// DefaultDays is how long restored copies stay readable.
	DefaultDays = 7
	pageSize    = 1000
	// JournalStep is the journal step of recall records.
	JournalStep = "recall"
)

// Options configure a recall.
type Options struct {
	Account     cloud.Account
	JournalRoot string
	// Concurrency bounds RestoreObject calls in flight (default 32; S3
	// accepts up to 1,000 restore requests per second per account and
	// region, S3 user guide, archival-storage).
	Concurrency int
	// MaxAttempts bounds the tries of one request on SlowDown, 503 and
	// other throttling answers (default 8); Backoff is the first wait,
	// doubled each time with jitter, at most 10s.
	MaxAttempts int
	Backoff     time.Duration
	Now         func() time.Time
	Sleep       func(ctx context.Context, d time.Duration) error
}

func (o *Options) defaults() {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = steps.Sleep
	}
}

// Selection names the objects to recall: the current versions under
// Prefix in one bucket, last modified in [Since, Until] (zero: open).
type Selection struct {
	SID    string    `json:"sid"`
	Side   string    `json:"side"` // source | replica
	Region string    `json:"region"`
	Bucket string    `json:"bucket"`
	Prefix string    `json:"prefix"`
	Since  time.Time `json:"since,omitzero"`
	Until  time.Time `json:"until,omitzero"`
	Tier   string    `json:"tier"`
	Days   int32     `json:"days"`
}

func (s Selection) id() string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (s Selection) matches(v cloud.ObjectVersion) bool {
	return v.IsLatest && (s.Since.IsZero() || !v.LastModified.Before(s.Since)) && (s.Until.IsZero() || !v.LastModified.After(s.Until))
}

// ClassCount is how many selected objects a storage class holds.
type ClassCount struct {
	StorageClass string `json:"storageClass"`
	Objects      int64  `json:"objects"`
	Bytes        int64  `json:"bytes"`
}

// Summary is what a selection holds and what restoring it takes.
type Summary struct {
	Selection
	// Archived counts the selected objects in archive classes per class.
	Archived []ClassCount `json:"archived"`
	// Readable have a restored copy now; InProgress are being restored;
	// NotRequested have no restore yet. Unrestorable are archived objects
	// the tier cannot restore (Expedited for DEEP_ARCHIVE).
	Readable     int64 `json:"readable"`
	InProgress   int64 `json:"inProgress"`
	NotRequested int64 `json:"notRequested"`
	Unrestorable int64 `json:"unrestorable,omitempty"`
	// NotArchived counts selected objects that are readable without a
	// restore (STANDARD, GLACIER_IR, ...).
	NotArchived int64 `json:"notArchived"`
	// Typical is the tier's typical completion time per class.
	Typical string `json:"typical"`
	// Estimate prices restoring the objects not yet requested.
	Estimate Estimate `json:"estimate"`
}

// Result is what a recall did.
type Result struct {
	Summary
	// Requested restores were accepted (HTTP 202); AlreadyRestored
	// answered 200 (a copy exists); AlreadyInProgress were skipped because
	// the listing or S3 (409) said a restore runs; Failed were refused.
	Requested         int64    `json:"requested"`
	AlreadyRestored   int64    `json:"alreadyRestored"`
	AlreadyInProgress int64    `json:"alreadyInProgress"`
	Failed            int64    `json:"failed"`
	Errors            []string `json:"errors,omitempty"` // the first few failures
	Calls             int64    `json:"calls"`            // RestoreObject calls, retries included
	Retries           int64    `json:"retries"`
	// Resumed is set when the run continued an interrupted recall of the
	// same selection, after the journaled position.
	Resumed bool `json:"resumed,omitempty"`
	// HandledBefore counts the objects the interrupted run had handled.
	HandledBefore int64         `json:"handledBefore,omitempty"`
	Elapsed       time.Duration `json:"elapsedNs"`
}

// pageMark is the journaled position after a completed page.
type pageMark struct {
	ID        string `json:"id"`
	KeyMarker string `json:"keyMarker"`
	VersionID string `json:"versionIdMarker"`
	Done      int64  `json:"done"`
}

// Survey lists the selection (page by page, with each object's restore
// status) and summarises it; it changes nothing. It is the preview before
// a recall and the answer of --check.
func Survey(ctx context.Context, o Options, sel Selection) (*Summary, error) {
	o.defaults()
	sum := &Summary{Selection: sel}
	classes := map[string]*ClassCount{}
	err := list(ctx, o, sel, cloud.ListObjectVersionsInput{}, func(page []cloud.ObjectVersion, _ cloud.ListObjectVersionsOutput) error {
		for _, v := range page {
			classify(sum, classes, v, sel.Tier)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	finish(sum, classes)
	return sum, nil
}

// classify counts one selected version.
func classify(sum *Summary, classes map[string]*ClassCount, v cloud.ObjectVersion, tier string) {
	if !cloud.IsArchived(v.StorageClass) {
		sum.NotArchived++
		return
	}
	c := classes[v.StorageClass]
	if c == nil {
		c = &ClassCount{StorageClass: v.StorageClass}
		classes[v.StorageClass] = c
	}
	c.Objects++
	c.Bytes += v.Size
	switch {
	case v.Restore.InProgress:
		sum.InProgress++
	case !v.Restore.Expiry.IsZero():
		sum.Readable++
	case !Offered(v.StorageClass, tier):
		sum.Unrestorable++
	default:
		sum.NotRequested++
	}
}

func finish(sum *Summary, classes map[string]*ClassCount) {
	for _, c := range classes {
		sum.Archived = append(sum.Archived, *c)
	}
	sort.Slice(sum.Archived, func(i, j int) bool { return sum.Archived[i].StorageClass < sum.Archived[j].StorageClass })
	sum.Typical = typicalFor(sum.Archived, sum.Tier)
	// Only the objects still to request cost anything; scale the bytes per
	// class by the share not yet requested.
	total := sum.Readable + sum.InProgress + sum.NotRequested + sum.Unrestorable
	pending := make([]ClassCount, len(sum.Archived))
	for i, c := range sum.Archived {
		pending[i] = c
		if total > 0 {
			pending[i].Objects = c.Objects * sum.NotRequested / total
			pending[i].Bytes = int64(float64(c.Bytes) * float64(sum.NotRequested) / float64(total))
		}
	}
	sum.Estimate = estimate(pending, sum.Tier, sum.Days)
}

// list streams the selected current versions page by page from start.
func list(ctx context.Context, o Options, sel Selection, start cloud.ListObjectVersionsInput,
	fn func(page []cloud.ObjectVersion, out cloud.ListObjectVersionsOutput) error) error {
	s3 := o.Account.S3(sel.Region)
	in := cloud.ListObjectVersionsInput{Bucket: sel.Bucket, Prefix: sel.Prefix, MaxKeys: pageSize, RestoreStatus: true,
		KeyMarker: start.KeyMarker, VersionIDMarker: start.VersionIDMarker}
	page := make([]cloud.ObjectVersion, 0, pageSize)
	for {
		out, err := s3.ListObjectVersions(ctx, in)
		if err != nil {
			return fmt.Errorf("list %s/%s: %w", sel.Bucket, sel.Prefix, err)
		}
		page = page[:0]
		for _, v := range out.Versions {
			if sel.matches(v) {
				page = append(page, v)
			}
		}
		if err := fn(page, out); err != nil {
			return err
		}
		if !out.IsTruncated {
			return nil
		}
		in.KeyMarker, in.VersionIDMarker = out.NextKeyMarker, out.NextVersionIDMarker
	}
}

// Run restores the selection: every archived object without a restore
// gets RestoreObject with the tier and days. total (from a Survey, 0 when
// unknown) sizes the progress events. The landscape journal records the
// position after each page, so a recall of the same selection that was
// interrupted continues after it.
func Run(ctx context.Context, o Options, sel Selection, total int64, sink steps.Sink) (*Result, error) {
	o.defaults()
	if sink == nil {
		sink = steps.SinkFunc(func(steps.Event) {})
	}
	id, err := o.Account.STS().GetCallerIdentity(ctx)
	if err != nil {
		return nil, fmt.Errorf("who is calling: %w", err)
	}
	jr, err := journal.Open(journal.Dir(o.JournalRoot, id.Account, sel.SID), "recall-"+o.Now().UTC().Format("20060102T150405.000000000Z"), journal.WithClock(o.Now))
	if err != nil {
		return nil, fmt.Errorf("open the journal of %s: %w", sel.SID, err)
	}
	defer jr.Close()
	t0 := o.Now()
	res := &Result{Summary: Summary{Selection: sel}}
	start, resumed := resumePoint(jr.Records(), sel.id())
	if resumed {
		res.Resumed = true
		res.HandledBefore = start.Done
		sink.Emit(steps.Event{Time: o.Now(), Kind: steps.EventNote,
			Detail: fmt.Sprintf("resuming the interrupted recall after %s (%d objects already handled)", start.KeyMarker, start.Done)})
	} else if _, err := jr.Append(journal.Record{Kind: journal.KindIntent, Step: JournalStep, Op: "s3:RestoreObject",
		Region: sel.Region, Resource: sel.Bucket, Detail: sel.id()}); err != nil {
		return nil, err
	}
	r := &runner{o: o, sel: sel, sink: sink, res: res, s3: o.Account.S3(sel.Region)}
	stepID := "recall/" + sel.Side
	sink.Emit(steps.Event{Time: o.Now(), Kind: steps.EventStarted, StepID: stepID, Region: sel.Region,
		Title: "Restore archived backups in " + sel.Bucket, Resource: sel.Bucket})
	classes := map[string]*ClassCount{}
	handled := start.Done
	err = list(ctx, o, sel, cloud.ListObjectVersionsInput{KeyMarker: start.KeyMarker, VersionIDMarker: start.VersionID},
		func(page []cloud.ObjectVersion, out cloud.ListObjectVersionsOutput) error {
			r.page(ctx, page, classes)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			handled += int64(len(page))
			if out.IsTruncated {
				mark, _ := json.Marshal(pageMark{ID: sel.id(), KeyMarker: out.NextKeyMarker, VersionID: out.NextVersionIDMarker, Done: handled})
				if _, err := jr.Append(journal.Record{Kind: journal.KindDone, Step: JournalStep, Op: "s3:RestoreObject",
					Region: sel.Region, Resource: sel.Bucket, Detail: string(mark)}); err != nil {
					return err
				}
			}
			sink.Emit(steps.Event{Time: o.Now(), Kind: steps.EventProgress, StepID: stepID, Region: sel.Region,
				Detail: fmt.Sprintf("objects handled: %d restore requests sent, %d already restored or in progress",
					res.Requested, res.AlreadyRestored+res.AlreadyInProgress),
				Done: handled, Total: total, Elapsed: o.Now().Sub(t0)})
			return nil
		})
	finish(&res.Summary, classes)
	res.Elapsed = o.Now().Sub(t0)
	if err != nil {
		if ctx.Err() != nil {
			sink.Emit(steps.Event{Time: o.Now(), Kind: steps.EventSkipped, StepID: stepID, Region: sel.Region, Reason: "interrupted; run the same recall again to continue"})
			return res, ctx.Err()
		}
		sink.Emit(steps.Event{Time: o.Now(), Kind: steps.EventFailed, StepID: stepID, Region: sel.Region, Error: err.Error()})
		return res, err
	}
	if _, err := jr.Append(journal.Record{Kind: journal.KindDone, Step: JournalStep, Op: "s3:RestoreObject",
		Region: sel.Region, Resource: sel.Bucket, Detail: "complete " + sel.id()}); err != nil {
		return res, err
	}
	ev := steps.Event{Time: o.Now(), Kind: steps.EventDone, StepID: stepID, Region: sel.Region, Elapsed: res.Elapsed,
		Detail: fmt.Sprintf("%d restore requests sent, %d already restored, %d already in progress, %d failed",
			res.Requested, res.AlreadyRestored, res.AlreadyInProgress, res.Failed)}
	if res.Failed > 0 {
		ev.Kind, ev.Error = steps.EventFailed, ev.Detail
		sink.Emit(ev)
		return res, fmt.Errorf("%d restore requests failed, first: %s", res.Failed, res.Errors[0])
	}
	sink.Emit(ev)
	return res, nil
}

// resumePoint finds where an interrupted recall of the same selection
// stopped: the last page mark after its start, unless it completed.
func resumePoint(recs []journal.Record, id string) (pageMark, bool) {
	var mark pageMark
	open := false
	for _, r := range recs {
		if r.Step != JournalStep {
			continue
		}
		switch {
		case r.Kind == journal.KindIntent && r.Detail == id:
			open, mark = true, pageMark{}
		case r.Kind == journal.KindDone && r.Detail == "complete "+id:
			open = false
		case r.Kind == journal.KindDone && open:
			var m pageMark
			if json.Unmarshal([]byte(r.Detail), &m) == nil && m.ID == id {
				mark = m
			}
		}
	}
	if !open {
		return pageMark{}, false
	}
	return mark, true
}

// runner sends the restores of one run.
type runner struct {
	o    Options
	sel  Selection
	sink steps.Sink
	s3   cloud.S3
	mu   sync.Mutex
	res  *Result
}

// page restores the archived objects of one page with bounded concurrency.
func (r *runner) page(ctx context.Context, page []cloud.ObjectVersion, classes map[string]*ClassCount) {
	sem := make(chan struct{}, r.o.Concurrency)
	var wg sync.WaitGroup
	var calls, retries atomic.Int64
	for _, v := range page {
		r.mu.Lock()
		classify(&r.res.Summary, classes, v, r.sel.Tier)
		r.mu.Unlock()
		if !cloud.IsArchived(v.StorageClass) || !Offered(v.StorageClass, r.sel.Tier) {
			continue
		}
		if v.Restore.Requested() {
			r.mu.Lock()
			if v.Restore.InProgress {
				r.res.AlreadyInProgress++
			} else {
				r.res.AlreadyRestored++
			}
			r.mu.Unlock()
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Add(1)
		go func(v cloud.ObjectVersion) {
			defer wg.Done()
			defer func() { <-sem }()
			out, n, err := r.restore(ctx, v)
			calls.Add(int64(n))
			retries.Add(int64(max(n-1, 0)))
			r.mu.Lock()
			defer r.mu.Unlock()
			switch {
			case err == nil && out.AlreadyRestored:
				r.res.AlreadyRestored++
			case err == nil:
				r.res.Requested++
			case cloud.IsCode(err, cloud.CodeRestoreAlreadyInProgress):
				r.res.AlreadyInProgress++
			case ctx.Err() != nil:
			default:
				r.res.Failed++
				if len(r.res.Errors) < 5 {
					r.res.Errors = append(r.res.Errors, fmt.Sprintf("%s: %v", v.Key, err))
				}
			}
		}(v)
	}
	wg.Wait()
	r.mu.Lock()
	r.res.Calls += calls.Load()
	r.res.Retries += retries.Load()
	r.mu.Unlock()
}

// restore sends one RestoreObject, retrying throttling answers with
// exponential backoff and full jitter. It returns the calls made.
func (r *runner) restore(ctx context.Context, v cloud.ObjectVersion) (cloud.RestoreObjectOutput, int, error) {
	in := cloud.RestoreObjectInput{Bucket: r.sel.Bucket, Key: v.Key, VersionID: v.VersionID, Days: r.sel.Days, Tier: r.sel.Tier}
	wait := r.o.Backoff
	for attempt := 1; ; attempt++ {
		out, err := r.s3.RestoreObject(ctx, in)
		if err == nil || !throttled(err) || attempt == r.o.MaxAttempts {
			return out, attempt, err
		}
		d := time.Duration(rand.Int64N(int64(wait)) + 1)
		if err := r.o.Sleep(ctx, d); err != nil {
			return out, attempt, err
		}
		wait = min(2*wait, maxBackoff)
	}
}

// throttled reports whether S3 asked to slow down or was briefly
// unavailable (SlowDown, HTTP 503, throttling codes, 500 InternalError).
func throttled(err error) bool {
	if cloud.IsThrottling(err) || cloud.IsCode(err, cloud.CodeServiceUnavailable, cloud.CodeInternalError, cloud.CodeRequestTimeout) {
		return true
	}
	var e *cloud.Error
	return errors.As(err, &e) && e.HTTPStatus == 503
}
