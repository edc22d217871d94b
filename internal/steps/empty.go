package steps

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/journal"
)

// deleteBatch is the most identifiers DeleteObjects accepts.
const deleteBatch = 1000

// maxEmptyPasses bounds how often a bucket is emptied again because new
// objects (late access logs, pending replicas) arrived after a pass.
const maxEmptyPasses = 5

// Emptying runs in phases: up to listAhead pages are listed back to back,
// then all their DeleteObjects batches are sent at once, between 1 and
// maxDeletesInFlight at a time per bucket, starting at startDeletesInFlight.
// S3 answers a request rate above what a prefix currently sustains with 503
// SlowDown and asks clients to back off and then raise the rate gradually
// (S3 User Guide, "Best practices design patterns: optimizing Amazon S3
// performance": at least 3,500 PUT/COPY/POST/DELETE requests per second per
// partitioned prefix; "Troubleshoot HTTP 5xx errors": retry with
// exponential back-off, increase the request rate gradually).
const (
	listAhead            = 16
	startDeletesInFlight = 8
	maxDeletesInFlight   = 32
)

// emptyAndDeleteBucket removes every object version, delete marker and
// incomplete multipart upload, then deletes the bucket. Listing runs ahead
// of deleting and several DeleteObjects batches are in flight (memory stays
// bounded by a few pages). Objects that arrive after a pass (late
// access-log deliveries, replicas still pending) are removed by another
// pass, up to maxEmptyPasses.
func (r *run) emptyAndDeleteBucket(st *step, region, bucket string) error {
	s3 := r.acct.S3(region)
	var deleted int64
	for pass := 1; ; pass++ {
		if err := r.abortUploads(st, s3, bucket); err != nil {
			return err
		}
		if err := r.deleteAllVersions(st, s3, bucket, "", &deleted); err != nil {
			return err
		}
		err := r.mutate(st, mutation{op: "s3:DeleteBucket", resource: bucket}, func(ctx context.Context) (string, error) {
			return r.bucketARN(bucket), s3.DeleteBucket(ctx, bucket)
		})
		switch {
		case err == nil, cloud.IsCode(err, cloud.CodeNoSuchBucket):
			return nil
		case cloud.IsCode(err, cloud.CodeBucketNotEmpty) && pass < maxEmptyPasses:
			ev := st.event(EventRetrying)
			ev.Attempt = pass + 1
			ev.Reason = fmt.Sprintf("the bucket still holds objects after emptying pass %d (late access logs, replicas, or objects written meanwhile); emptying again", pass)
			r.emit(ev)
			continue
		case cloud.IsCode(err, cloud.CodeBucketNotEmpty):
			return fmt.Errorf("bucket %s is not empty after %d emptying passes (%d versions and delete markers deleted): objects keep being written to it (access logs, replication, or a writer still running); stop them and rerun destroy: %w",
				bucket, pass, atomic.LoadInt64(&deleted), err)
		default:
			return err
		}
	}
}

// abortUploads aborts every incomplete multipart upload in the bucket.
func (r *run) abortUploads(st *step, s3 cloud.S3, bucket string) error {
	in := cloud.ListMultipartUploadsInput{Bucket: bucket}
	for {
		page, err := read(r, st, func(ctx context.Context) (cloud.ListMultipartUploadsOutput, error) {
			return s3.ListMultipartUploads(ctx, in)
		})
		if err != nil {
			return fmt.Errorf("list multipart uploads of %s: %w", bucket, err)
		}
		for _, u := range page.Uploads {
			err := r.mutate(st, mutation{op: "s3:AbortMultipartUpload", resource: bucket}, func(ctx context.Context) (string, error) {
				return "", s3.AbortMultipartUpload(ctx, bucket, u.Key, u.UploadID)
			})
			if err != nil && !cloud.IsCode(err, cloud.CodeNoSuchUpload) {
				return fmt.Errorf("abort upload of %s in %s: %w", u.Key, bucket, err)
			}
		}
		if !page.IsTruncated {
			return nil
		}
		in.KeyMarker, in.UploadIDMarker = page.NextKeyMarker, page.NextUploadIDMarker
	}
}

// deleteAllVersions deletes every version and delete marker of the bucket
// (under prefix; "" for the whole bucket); total counts what was deleted. Each phase lists up to listAhead pages,
// continuing from the previous page's markers (versions not deleted yet),
// and then deletes them all concurrently. The next phase lists from the
// start of the bucket again: a listing never continues from a marker whose
// version was just deleted, which is not reliable (moto answers an empty,
// untruncated page, and skips a version after a bare key marker; see
// moto-notes), and listing and deleting never overlap on one bucket.
// Memory stays bounded by listAhead pages.
func (r *run) deleteAllVersions(st *step, s3 cloud.S3, bucket, prefix string, total *int64) error {
	win := newDeleteWindow()
	for {
		var ids []cloud.ObjectIdentifier
		in := cloud.ListObjectVersionsInput{Bucket: bucket, Prefix: prefix, MaxKeys: deleteBatch}
		more := true
		for pages := 0; pages < listAhead; pages++ {
			page, err := read(r, st, func(ctx context.Context) (cloud.ListObjectVersionsOutput, error) {
				return s3.ListObjectVersions(ctx, in)
			})
			if err != nil {
				return fmt.Errorf("list object versions of %s: %w", bucket, err)
			}
			for _, v := range page.Versions {
				ids = append(ids, cloud.ObjectIdentifier{Key: v.Key, VersionID: v.VersionID})
			}
			for _, m := range page.DeleteMarkers {
				ids = append(ids, cloud.ObjectIdentifier{Key: m.Key, VersionID: m.VersionID})
			}
			if !page.IsTruncated {
				more = false
				break
			}
			in.KeyMarker, in.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
		}
		batches := splitBatches(ids)
		if err := r.deletePhase(st, s3, bucket, batches, win, total); err != nil {
			return err
		}
		if !more {
			return nil
		}
	}
}

// splitBatches cuts ids into DeleteObjects batches of at most deleteBatch,
// keeping each key's versions in one batch where they fit.
func splitBatches(ids []cloud.ObjectIdentifier) [][]cloud.ObjectIdentifier {
	sort.SliceStable(ids, func(i, j int) bool { return ids[i].Key < ids[j].Key })
	var out [][]cloud.ObjectIdentifier
	for len(ids) > 0 {
		n := min(len(ids), deleteBatch)
		if n < len(ids) {
			cut := n
			for cut > 0 && ids[cut-1].Key == ids[cut].Key {
				cut--
			}
			if cut > 0 {
				n = cut
			}
		}
		out = append(out, ids[:n:n])
		ids = ids[n:]
	}
	return out
}

// deletePhase sends the DeleteObjects calls of one phase concurrently
// (within the window). The intents of all of them go to the journal with
// one group commit before the first call is sent, and their outcomes with
// another once all have answered.
func (r *run) deletePhase(st *step, s3 cloud.S3, bucket string, batches [][]cloud.ObjectIdentifier, win *deleteWindow, total *int64) error {
	if len(batches) == 0 {
		return nil
	}
	if err := r.stop.Err(); err != nil {
		return errInterrupted
	}
	if r.jr == nil {
		return fmt.Errorf("internal error: %s attempted s3:DeleteObjects in a read-only operation", st.id)
	}
	// The one change not made through mutate: it too ends the snapshot
	// read ahead (the next phase lists the bucket again).
	r.ra.stop()
	rec := journal.Record{Step: st.id, Region: st.region, Op: "s3:DeleteObjects", Resource: bucket}
	intents := make([]journal.Record, len(batches))
	for i := range intents {
		intents[i] = rec
		intents[i].Kind = journal.KindIntent
	}
	if _, err := r.jr.AppendAll(intents); err != nil {
		return fmt.Errorf("write journal intent for %s: %w", st.id, err)
	}
	outcomes := make([]journal.Record, len(batches))
	errs := make([]error, len(batches))
	// A key whose versions span two batches is deleted by one call after
	// the other: concurrent deletes of one key's versions race in moto's
	// version list (real S3 takes them in any order).
	finished := make([]chan struct{}, len(batches))
	var wg sync.WaitGroup
	for i, ids := range batches {
		finished[i] = make(chan struct{})
		var after chan struct{}
		if i > 0 && batches[i-1][len(batches[i-1])-1].Key == ids[0].Key {
			after = finished[i-1]
		}
		win.acquire()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(finished[i])
			defer win.release()
			if after != nil {
				<-after
			}
			errs[i] = r.deleteBatch(st, s3, bucket, ids, win)
			outcomes[i] = rec
			outcomes[i].Kind = journal.KindDone
			if errs[i] != nil {
				outcomes[i].Kind, outcomes[i].Error = journal.KindFailed, errs[i].Error()
				return
			}
			n := atomic.AddInt64(total, int64(len(ids)))
			ev := st.event(EventProgress)
			ev.Done, ev.Detail = n, fmt.Sprintf("%d object versions and delete markers deleted", n)
			r.emit(ev)
		}()
	}
	wg.Wait()
	if _, err := r.jr.AppendAll(outcomes); err != nil {
		return fmt.Errorf("write journal record for %s: %w", st.id, err)
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// deleteBatch sends one DeleteObjects call (its intent is journaled),
// backing off and sending it again while S3 asks to slow down (each retry
// journaled first), and checks every per-key error.
func (r *run) deleteBatch(st *step, s3 cloud.S3, bucket string, ids []cloud.ObjectIdentifier, win *deleteWindow) error {
	delay := 200 * time.Millisecond
	for attempt := 1; ; attempt++ {
		if r.stop.Err() != nil {
			return errInterrupted
		}
		ctx, cancel := r.callCtx()
		r.countWrite(st.id)
		out, err := s3.DeleteObjects(ctx, bucket, ids)
		cancel()
		if isSlowDown(err) && attempt < 10 {
			win.shrink()
			ev := st.event(EventRetrying)
			ev.Attempt, ev.Reason, ev.Error = attempt+1, "S3 asks to slow down: fewer deletes in flight, then more again", err.Error()
			r.emit(ev)
			// Wait without holding a place in the window, with jitter so
			// the batches refused together do not return together.
			win.release()
			serr := r.e.opts.Sleep(r.stop, delay/2+rand.N(delay/2+1))
			win.acquire()
			if serr != nil {
				return errInterrupted
			}
			delay = min(2*delay, 10*time.Second)
			rec := journal.Record{Step: st.id, Region: st.region, Op: "s3:DeleteObjects", Resource: bucket}
			failed, intent := rec, rec
			failed.Kind, failed.Error, intent.Kind = journal.KindFailed, err.Error(), journal.KindIntent
			if _, jerr := r.jr.AppendAll([]journal.Record{failed, intent}); jerr != nil {
				return fmt.Errorf("write journal intent for %s: %w", st.id, jerr)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("delete objects in %s: %w", bucket, err)
		}
		if len(out.Errors) > 0 {
			return deleteErrors(bucket, out.Errors)
		}
		win.grow()
		return nil
	}
}

func isSlowDown(err error) bool {
	var e *cloud.Error
	return cloud.IsCode(err, cloud.CodeSlowDown, cloud.CodeServiceUnavailable) ||
		(errors.As(err, &e) && e.HTTPStatus == 503)
}

// deleteWindow bounds the DeleteObjects calls in flight for one bucket:
// halved on SlowDown, grown by one after a run of successes (additive
// increase, multiplicative decrease).
type deleteWindow struct {
	mu       sync.Mutex
	cond     *sync.Cond
	limit    int
	inFlight int
	streak   int
}

func newDeleteWindow() *deleteWindow {
	w := &deleteWindow{limit: startDeletesInFlight}
	w.cond = sync.NewCond(&w.mu)
	return w
}

func (w *deleteWindow) acquire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.inFlight >= w.limit {
		w.cond.Wait()
	}
	w.inFlight++
}

func (w *deleteWindow) release() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inFlight--
	w.cond.Broadcast()
}

func (w *deleteWindow) shrink() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.limit = max(1, w.limit/2)
	w.streak = 0
}

func (w *deleteWindow) grow() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.streak++
	if w.streak >= w.limit && w.limit < maxDeletesInFlight {
		w.limit++
		w.streak = 0
		w.cond.Broadcast()
	}
}

func deleteErrors(bucket string, errs []cloud.DeleteError) error {
	var parts []string
	for i, e := range errs {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(errs)-3))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (version %s): %s %s", e.Key, e.VersionID, e.Code, e.Message))
	}
	return fmt.Errorf("%d objects in %s could not be deleted: %s", len(errs), bucket, strings.Join(parts, "; "))
}

// countContents counts versions, delete markers, bytes and incomplete
// uploads of a bucket, page by page.
func (r *run) countContents(st *step, region, bucket string) (BucketContents, error) {
	return r.countContentsUpTo(st, region, bucket, 0)
}

// countContentsUpTo is countContents that, with pageLimit > 0, stops after
// that many pages of versions and marks the count partial.
func (r *run) countContentsUpTo(st *step, region, bucket string, pageLimit int) (BucketContents, error) {
	s3 := r.acct.S3(region)
	c := BucketContents{Bucket: bucket, Region: region, Exists: true}
	in := cloud.ListObjectVersionsInput{Bucket: bucket, MaxKeys: deleteBatch}
	for pages := 1; ; pages++ {
		page, err := read(r, st, func(ctx context.Context) (cloud.ListObjectVersionsOutput, error) {
			return s3.ListObjectVersions(ctx, in)
		})
		if err != nil {
			return c, fmt.Errorf("list object versions of %s: %w", bucket, err)
		}
		for _, v := range page.Versions {
			c.Versions++
			c.Bytes += v.Size
		}
		c.DeleteMarkers += int64(len(page.DeleteMarkers))
		if !page.IsTruncated {
			break
		}
		if pageLimit > 0 && pages >= pageLimit {
			c.Partial = true
			break
		}
		in.KeyMarker, in.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
	}
	up := cloud.ListMultipartUploadsInput{Bucket: bucket}
	for {
		page, err := read(r, st, func(ctx context.Context) (cloud.ListMultipartUploadsOutput, error) {
			return s3.ListMultipartUploads(ctx, up)
		})
		if err != nil {
			return c, fmt.Errorf("list multipart uploads of %s: %w", bucket, err)
		}
		c.MultipartUploads += int64(len(page.Uploads))
		if !page.IsTruncated {
			break
		}
		up.KeyMarker, up.UploadIDMarker = page.NextKeyMarker, page.NextUploadIDMarker
	}
	return c, nil
}
