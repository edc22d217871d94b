// Package recovery measures a landscape's recovery point: per region the
// newest backup object and its age, how the newest backups replicate
// (COMPLETED, PENDING, FAILED) and the effective DR lag, with a bounded
// number of AWS calls whatever the bucket holds.
package recovery

import (
	"container/heap"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
)

// Defaults.
const (
	// DefaultSample is how many of the newest backups are checked for
	// their replication status (one HeadObject each).
	DefaultSample = 100
	// DefaultMaxPages bounds the listing per region (1,000 versions a
	// page): the newest backups are found among the first MaxPages*1000
	// versions under the backup folder.
	DefaultMaxPages = 3
	headConcurrency = 8
)

// Target is one region's backup bucket and the folder Backint writes to.
type Target struct {
	Region string
	Bucket string
	Prefix string // e.g. "PRD/"
	// Exclude is a key prefix that holds no backups (verify's canaries).
	Exclude string
}

// Options bound the work.
type Options struct {
	Sample   int // default DefaultSample
	MaxPages int // default DefaultMaxPages
	// Concurrency bounds the HeadObject calls in flight (default
	// headConcurrency).
	Concurrency int
	// MaxLagMinutes is the threshold; 0 = not checked.
	MaxLagMinutes int
}

// Newest is the newest backup object in a bucket.
type Newest struct {
	Key          string        `json:"key"`
	LastModified time.Time     `json:"lastModified"`
	Age          time.Duration `json:"ageNs"`
}

// Region is what one region's bucket shows.
type Region struct {
	Region string  `json:"region"`
	Bucket string  `json:"bucket"`
	Newest *Newest `json:"newest,omitempty"` // nil: no backups yet
	// Scanned counts the versions listed; Partial is set when the folder
	// holds more than the listing bound, so Newest is the newest of the
	// part listed.
	Scanned int64 `json:"scanned"`
	Partial bool  `json:"partial,omitempty"`
}

// Point is the recovery point of a landscape.
type Point struct {
	Source  Region `json:"source"`
	Replica Region `json:"replica"`
	// Sampled newest source backups by replication status.
	Sampled   int `json:"sampled"`
	Completed int `json:"completed"`
	Pending   int `json:"pending"`
	Failed    int `json:"failed"`
	// Lag is now minus the newest sampled backup replicated COMPLETED. When
	// none is, LagAtLeast is set and Lag is the age of the oldest sampled
	// backup (the lag is at least that).
	Lag        time.Duration `json:"lagNs"`
	LagAtLeast bool          `json:"lagAtLeast,omitempty"`
	// MaxLagMinutes is the threshold checked (0 = not checked).
	MaxLagMinutes int `json:"maxLagMinutes"`
	// OK is false when a sampled backup FAILED or the lag exceeds the
	// threshold; Problems says why.
	OK       bool     `json:"ok"`
	Problems []string `json:"problems,omitempty"`
	// Calls is how many AWS calls the measurement made.
	Calls int `json:"calls"`
	// Error is set when the buckets could not be read.
	Error string `json:"error,omitempty"`
}

// Measure reads the recovery point at now. The cost is bounded: at most
// MaxPages listing calls per region and Sample HeadObject calls.
func Measure(ctx context.Context, acct cloud.Account, src, dst Target, now time.Time, o Options) Point {
	if o.Sample <= 0 {
		o.Sample = DefaultSample
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.Concurrency <= 0 {
		o.Concurrency = headConcurrency
	}
	p := Point{MaxLagMinutes: o.MaxLagMinutes, OK: true}
	// The two listings need nothing from each other: they go out together.
	type listing struct {
		region Region
		calls  int
		err    error
	}
	dstc := make(chan listing, 1)
	go func() {
		_, r, calls, err := newest(ctx, acct.S3(dst.Region), dst, Options{Sample: 1, MaxPages: o.MaxPages}, now)
		dstc <- listing{r, calls, err}
	}()
	srcNewest, srcRegion, calls, err := newest(ctx, acct.S3(src.Region), src, o, now)
	dl := <-dstc
	p.Calls += calls
	p.Source = srcRegion
	if err != nil {
		p.OK, p.Error = false, fmt.Sprintf("list backups in %s: %v", src.Bucket, err)
		return p
	}
	dstRegion, calls, err := dl.region, dl.calls, dl.err
	p.Calls += calls
	p.Replica = dstRegion
	if err != nil {
		p.Problems = append(p.Problems, fmt.Sprintf("the replica bucket %s cannot be listed: %v", dst.Bucket, err))
	}
	p.Calls += p.sample(ctx, acct.S3(src.Region), src.Bucket, srcNewest, now, o.Concurrency)
	p.judge()
	return p
}

// sample reads the replication status of the newest backups.
func (p *Point) sample(ctx context.Context, s3 cloud.S3, bucket string, vs []cloud.ObjectVersion, now time.Time, concurrency int) int {
	status := make([]string, len(vs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, concurrency)
	for i, v := range vs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			info, err := s3.HeadObject(ctx, bucket, v.Key, v.VersionID)
			if err == nil {
				status[i] = info.ReplicationStatus
			}
		}()
	}
	wg.Wait()
	var newestDone time.Time
	var oldest time.Time
	for i, v := range vs {
		switch status[i] {
		case "COMPLETED", "COMPLETE":
			p.Completed++
			if v.LastModified.After(newestDone) {
				newestDone = v.LastModified
			}
		case "PENDING":
			p.Pending++
		case "FAILED":
			p.Failed++
		default:
			continue
		}
		p.Sampled++
		if oldest.IsZero() || v.LastModified.Before(oldest) {
			oldest = v.LastModified
		}
	}
	switch {
	case !newestDone.IsZero():
		p.Lag = now.Sub(newestDone)
	case !oldest.IsZero():
		p.Lag, p.LagAtLeast = now.Sub(oldest), true
	}
	return len(vs)
}

func (p *Point) judge() {
	if p.Failed > 0 {
		p.Problems = append(p.Problems, fmt.Sprintf("%d of the %d newest backups FAILED to replicate (S3 never retries them)", p.Failed, p.Sampled))
	}
	if p.MaxLagMinutes > 0 && p.Sampled > 0 && p.Lag > time.Duration(p.MaxLagMinutes)*time.Minute {
		at := ""
		if p.LagAtLeast {
			at = "at least "
		}
		p.Problems = append(p.Problems, fmt.Sprintf("the DR copy lags %s%s behind, more than maxReplicationLagMinutes (%d)",
			at, p.Lag.Round(time.Minute), p.MaxLagMinutes))
	}
	p.OK = len(p.Problems) == 0 && p.Error == ""
}

// newest lists at most MaxPages pages under the target's prefix and keeps
// the Sample newest current versions (a bounded heap, never the listing).
func newest(ctx context.Context, s3 cloud.S3, t Target, o Options, now time.Time) ([]cloud.ObjectVersion, Region, int, error) {
	r := Region{Region: t.Region, Bucket: t.Bucket}
	h := &versionHeap{}
	in := cloud.ListObjectVersionsInput{Bucket: t.Bucket, Prefix: t.Prefix, MaxKeys: 1000}
	calls := 0
	for page := 0; ; page++ {
		if page == o.MaxPages {
			r.Partial = true
			break
		}
		out, err := s3.ListObjectVersions(ctx, in)
		calls++
		if err != nil {
			return nil, r, calls, err
		}
		for _, v := range out.Versions {
			r.Scanned++
			if !v.IsLatest || (t.Exclude != "" && strings.HasPrefix(v.Key, t.Exclude)) {
				continue
			}
			heap.Push(h, v)
			if h.Len() > o.Sample {
				heap.Pop(h)
			}
		}
		r.Scanned += int64(len(out.DeleteMarkers))
		if !out.IsTruncated {
			break
		}
		in.KeyMarker, in.VersionIDMarker = out.NextKeyMarker, out.NextVersionIDMarker
	}
	vs := make([]cloud.ObjectVersion, h.Len())
	for i := len(vs) - 1; i >= 0; i-- {
		vs[i] = heap.Pop(h).(cloud.ObjectVersion)
	}
	if len(vs) > 0 {
		r.Newest = &Newest{Key: vs[0].Key, LastModified: vs[0].LastModified, Age: now.Sub(vs[0].LastModified)}
	}
	return vs, r, calls, nil
}

// versionHeap is a min-heap by LastModified (the oldest of the kept on top).
type versionHeap []cloud.ObjectVersion

func (h versionHeap) Len() int           { return len(h) }
func (h versionHeap) Less(i, j int) bool { return h[i].LastModified.Before(h[j].LastModified) }
func (h versionHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *versionHeap) Push(x any)        { *h = append(*h, x.(cloud.ObjectVersion)) }
func (h *versionHeap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}
