package verify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
)

// Replication status values S3 reports on source objects.
const (
	statusPending   = "PENDING"
	statusCompleted = "COMPLETED"
	statusFailed    = "FAILED"
	statusReplica   = "REPLICA"
)

// replication waits until every canary's replication status is final
// (COMPLETED or FAILED; FAILED ends the wait at once), at most the
// timeout, then checks each replica in the other region: same version ID,
// encrypted with the replica key, same bytes.
func (v *verifier) replication(ctx context.Context, canaries []written) {
	v.settled = len(canaries) == 0
	if len(canaries) == 0 {
		if ctx.Err() == nil {
			v.add(Check{ID: "replication", Title: "The canary is replicated to " + v.in.Replica.Region, Result: Skipped,
				Detail: "no canary was stored"})
		}
		return
	}
	src := v.in.Source
	s3 := v.o.Account.S3(src.Region)
	title := fmt.Sprintf("The canaries are replicated to %s (status COMPLETED)", v.in.Replica.Region)
	v.start("replication", src.Region, title)
	start := canaries[0].at
	deadline := v.o.Now().Add(v.o.Timeout)
	status := map[string]string{}
	var latency time.Duration
	// Poll soon at first (replication often takes seconds), then every
	// PollInterval.
	pause := min(time.Second, v.o.PollInterval)
	for {
		final := 0
		failed := ""
		for _, w := range canaries {
			if st := status[w.Key]; st == statusCompleted || st == statusFailed {
				final++
				continue
			}
			info, err := s3.HeadObject(ctx, src.Bucket, w.Key, w.VersionID)
			if err != nil {
				if interrupted(ctx, err) {
					return
				}
				status[w.Key] = "unreadable: " + err.Error()
				continue
			}
			st := info.ReplicationStatus
			if st == "COMPLETE" {
				st = statusCompleted
			}
			status[w.Key] = st
			if st == statusCompleted && w.Upload == "single" {
				latency = v.o.Now().Sub(w.at)
			}
			if st == statusCompleted || st == statusFailed {
				final++
			}
			if st == statusFailed {
				failed = w.Key
			}
		}
		elapsed := v.o.Now().Sub(start)
		summary := statusSummary(canaries, status)
		if failed != "" {
			v.settled = true
			v.add(Check{ID: "replication", Title: title, Region: src.Region, Result: Fail,
				Detail: fmt.Sprintf("replication FAILED after %s: %s", roundDuration(elapsed), summary),
				Cause:  "S3 could not replicate with the replication role: a missing S3 or KMS permission (see the replication-role checks), or the replica bucket or key refuses it; S3 never retries FAILED objects"})
			return
		}
		if final == len(canaries) {
			v.settled = true
			v.rep.ReplicationLatency = latency
			v.add(Check{ID: "replication", Title: title, Region: src.Region, Result: Pass,
				Detail: fmt.Sprintf("COMPLETED after %s", roundDuration(latency))})
			v.replicas(ctx, canaries)
			return
		}
		v.progress("replication", src.Region, "waiting for replication: "+summary, elapsed)
		if !v.o.Now().Before(deadline) {
			v.add(Check{ID: "replication", Title: title, Region: src.Region, Result: Fail,
				Detail: fmt.Sprintf("not replicated within %s; last status: %s", v.o.Timeout, summary),
				Cause:  "S3 has not replicated the canary yet: replication may be slow (only Replication Time Control promises 15 minutes), or the replication rule does not select these objects; run hanavault status"})
			return
		}
		wait := min(pause, deadline.Sub(v.o.Now()))
		if err := v.o.Sleep(ctx, wait); err != nil {
			return
		}
		pause = min(2*pause, v.o.PollInterval)
	}
}

func statusSummary(canaries []written, status map[string]string) string {
	parts := make([]string, 0, len(canaries))
	for _, w := range canaries {
		st := status[w.Key]
		if st == "" {
			st = "no status (not selected for replication)"
		}
		parts = append(parts, w.Upload+" "+st)
	}
	return strings.Join(parts, ", ")
}

// replicas checks each canary's replica in the replica bucket.
func (v *verifier) replicas(ctx context.Context, canaries []written) {
	dst := v.in.Replica
	s3 := v.o.Account.S3(dst.Region)
	for _, w := range canaries {
		if ctx.Err() != nil {
			return
		}
		id := "replica/" + w.Upload
		title := fmt.Sprintf("The %s canary's replica has the same version ID, the replica key and the same bytes", w.Upload)
		v.start(id, dst.Region, title)
		c := Check{ID: id, Title: title, Region: dst.Region, Resource: cloud.BucketARN(v.part, dst.Bucket) + "/" + w.Key}
		got, err := s3.GetObject(ctx, dst.Bucket, w.Key, w.VersionID)
		switch {
		case err != nil && interrupted(ctx, err):
			return
		case cloud.IsCode(err, "NoSuchVersion", cloud.CodeNoSuchKey, cloud.CodeNotFound):
			c.Result, c.Detail = Fail, "no replica with version "+w.VersionID+": "+err.Error()
			c.Cause = "the replica was stored under another version ID or removed; check the replica bucket's versioning"
		case err != nil:
			c.Result, c.Detail = Fail, err.Error()
			c.Cause = "the replica cannot be read back in " + dst.Region + ": the caller may lack kms:Decrypt on the replica key"
		case got.ServerSideEncryption != cloud.SSEKMS || got.SSEKMSKeyID != dst.KeyARN:
			c.Result = Fail
			c.Detail = fmt.Sprintf("replica encrypted with %s %s, want aws:kms %s", orNone(got.ServerSideEncryption), got.SSEKMSKeyID, dst.KeyARN)
			c.Cause = "the replication rule names another replica key: run apply"
		case !sameBytes(got.Body, w.body):
			c.Result, c.Detail = Fail, fmt.Sprintf("replica has %d bytes that differ from the canary's %d", len(got.Body), len(w.body))
			c.Cause = "the object under this version ID is not the canary"
		case got.ReplicationStatus != "" && got.ReplicationStatus != statusReplica:
			c.Result, c.Detail = Fail, "replica reports replication status "+got.ReplicationStatus
			c.Cause = "the object in the replica bucket was not written by replication"
		default:
			c.Result = Pass
			c.Detail = fmt.Sprintf("version %s, aws:kms %s, %d bytes equal", w.VersionID, got.SSEKMSKeyID, len(got.Body))
		}
		v.add(c)
	}
}

// roundDuration shortens a duration for reports.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
