package steps

import (
	"context"
	"fmt"

	"github.com/hanavault/hanavault/internal/cloud"
)

// Drain mode: instead of deleting every version with DeleteObjects
// (hours for a bucket of millions of versions), destroy --drain puts a
// lifecycle configuration on the landscape's backup buckets that expires
// everything, stops replication, and returns. S3's lifecycle expirations
// cost no requests. A later destroy finishes (deletes the then empty
// buckets, schedules the keys, deletes the role) once the buckets are
// empty; until then it says how much is left and stops without error.

// Rule IDs of the drain lifecycle; a backup bucket whose lifecycle holds
// drainRuleID is draining.
const (
	drainRuleID        = "hanavault-drain"
	drainMarkersRuleID = "hanavault-drain-delete-markers"
)

// DrainSuggestVersions is how many versions and delete markers in one
// backup bucket make the destroy preview suggest --drain (as does a count
// that stopped at its page bound).
const DrainSuggestVersions = 100_000

// drainPageLimit bounds how many pages of versions destroy and status read
// per draining bucket to say how much is left.
const drainPageLimit = 10

// DrainExpectation is what destroy --drain tells the user about when the
// buckets will be empty: S3 runs lifecycle actions asynchronously (S3 User
// Guide, "Setting an S3 Lifecycle configuration on a bucket" and
// "Expiring objects": there may be a delay between when an object becomes
// eligible and when S3 removes it), so this is an expectation, never a
// promise.
const DrainExpectation = "S3 expires objects asynchronously; expect the buckets to be empty in about 2–3 days. Run destroy again then: it deletes the empty buckets, the keys and the role, and until then says how much is left"

// drainLifecycle expires everything in a versioned bucket (S3 User Guide,
// "Lifecycle configuration elements" and "Examples of S3 Lifecycle
// configurations", emptying a versioned bucket):
//   - Expiration Days=1 acts on current versions only, and in a versioned
//     bucket just adds a delete marker, making them noncurrent;
//   - NoncurrentVersionExpiration NoncurrentDays=1 removes the noncurrent
//     versions for good;
//   - AbortIncompleteMultipartUpload DaysAfterInitiation=1, since
//     expiration ignores multipart uploads;
//   - ExpiredObjectDeleteMarker removes the delete markers left alone; it
//     cannot share an Expiration with Days, so it is a second rule.
//
// Both rules have an empty Filter: the whole bucket.
func drainLifecycle() cloud.LifecycleConfiguration {
	return cloud.LifecycleConfiguration{Rules: []cloud.LifecycleRule{
		{
			ID: drainRuleID, Status: "Enabled",
			ExpirationDays:                     1,
			NoncurrentVersionExpirationDays:    1,
			AbortIncompleteMultipartUploadDays: 1,
		},
		{ID: drainMarkersRuleID, Status: "Enabled", ExpiredObjectDeleteMarker: true},
	}}
}

// DrainingBucket is a backup bucket whose drain lifecycle S3 is still
// carrying out.
type DrainingBucket struct {
	Bucket           string `json:"bucket"`
	Region           string `json:"region"`
	Versions         int64  `json:"versions"` // versions and delete markers left
	MultipartUploads int64  `json:"multipartUploads"`
	// Partial says counting stopped at its bound: more are left.
	Partial bool `json:"partial,omitempty"`
}

// Left is the number of versions and delete markers left, with "more
// than" when counting stopped at its bound.
func (d DrainingBucket) Left() string {
	if d.Partial {
		return fmt.Sprintf("more than %d", d.Versions)
	}
	return fmt.Sprint(d.Versions)
}

// drainable returns the backup buckets destroy may drain: the ones it
// would empty and delete, i.e. that exist and that this landscape's
// journal proves it created (never a pre-existing or adopted bucket, nor
// one found only by its tags). Renamed-away buckets are not the
// landscape's buckets and are never drained.
func (r *run) drainable() ([]drainTarget, error) {
	var out []drainTarget
	for _, sd := range sides(r.l) {
		st := &step{id: stepID(sd.name, string(backupBucket)), region: sd.region, component: componentOf(backupBucket), resource: sd.bucket}
		bl, err := r.findBucket(st, sd, backupBucket)
		if isFieldError(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !bl.exists || bl.preExisting || bl.byTags || r.undoHist(st).preExisting {
			continue
		}
		out = append(out, drainTarget{sd, st})
	}
	return out, nil
}

// drainTarget is a backup bucket destroy may drain, with the step its
// calls are made for.
type drainTarget struct {
	sd side
	st *step
}

// startDrain puts the drain lifecycle on the drainable backup buckets and
// removes the source bucket's replication (lifecycle markers are not
// replicated, and replicas would keep filling the replica bucket: S3 User
// Guide, "What is replicated": actions taken by lifecycle configuration
// are not replicated). Each call is journaled like every other change.
func (r *run) startDrain() ([]DrainingBucket, error) {
	return r.eachDrainable(func(sd side, st *step) (DrainingBucket, bool, error) {
		if sd.name == SideSource {
			rst := &step{id: stepID(SideSource, "bucket", "replication"), region: sd.region, component: CompReplication, resource: sd.bucket}
			err := r.mutate(rst, mutation{op: "s3:DeleteBucketReplication", resource: sd.bucket}, func(ctx context.Context) (string, error) {
				return r.bucketARN(sd.bucket), r.acct.S3(sd.region).DeleteBucketReplication(ctx, sd.bucket)
			})
			if err != nil && !cloud.IsCode(err, cloud.CodeNoSuchReplication) {
				return DrainingBucket{}, false, fmt.Errorf("stop replication of bucket %s: %w", sd.bucket, err)
			}
		}
		dst := &step{id: stepID(sd.name, string(backupBucket), "drain"), region: sd.region, component: st.component, resource: sd.bucket}
		err := r.mutate(dst, mutation{op: "s3:PutBucketLifecycleConfiguration", resource: sd.bucket}, func(ctx context.Context) (string, error) {
			return r.bucketARN(sd.bucket), r.acct.S3(sd.region).PutBucketLifecycleConfiguration(ctx, sd.bucket, drainLifecycle())
		})
		if err != nil {
			return DrainingBucket{}, false, fmt.Errorf("put the drain lifecycle on bucket %s: %w", sd.bucket, err)
		}
		d, err := r.drainLeft(sd, st)
		return d, true, err
	})
}

// eachDrainable calls fn for each drainable backup bucket and collects
// what it returns with keep set.
func (r *run) eachDrainable(fn func(sd side, st *step) (d DrainingBucket, keep bool, err error)) ([]DrainingBucket, error) {
	targets, err := r.drainable()
	if err != nil {
		return nil, err
	}
	var out []DrainingBucket
	for _, t := range targets {
		d, keep, err := fn(t.sd, t.st)
		if err != nil {
			return nil, err
		}
		if keep {
			out = append(out, d)
		}
	}
	return out, nil
}

// drainLeft counts what is left in a drained bucket, up to drainPageLimit
// pages.
func (r *run) drainLeft(sd side, st *step) (DrainingBucket, error) {
	c, err := r.countContentsUpTo(st, sd.region, sd.bucket, drainPageLimit)
	return DrainingBucket{Bucket: c.Bucket, Region: c.Region, Versions: c.Versions + c.DeleteMarkers, MultipartUploads: c.MultipartUploads, Partial: c.Partial}, err
}

// stillDraining returns the drainable backup buckets that carry the drain
// lifecycle and are not empty yet, with what is left (bounded count).
func (r *run) stillDraining() ([]DrainingBucket, error) {
	return r.drainingBuckets(false)
}

// drainingBuckets returns the drainable backup buckets that carry the
// drain lifecycle, with what is left (bounded count); the empty ones too
// when withEmpty.
func (r *run) drainingBuckets(withEmpty bool) ([]DrainingBucket, error) {
	return r.eachDrainable(func(sd side, st *step) (DrainingBucket, bool, error) {
		lc, err := read(r, st, func(ctx context.Context) (cloud.LifecycleConfiguration, error) {
			return r.acct.S3(sd.region).GetBucketLifecycleConfiguration(ctx, sd.bucket)
		})
		switch {
		case cloud.IsCode(err, cloud.CodeNoSuchLifecycle):
			return DrainingBucket{}, false, nil
		case err != nil:
			return DrainingBucket{}, false, fmt.Errorf("read the lifecycle of bucket %s: %w", sd.bucket, err)
		case !isDrainLifecycle(lc):
			return DrainingBucket{}, false, nil
		}
		d, err := r.drainLeft(sd, st)
		return d, withEmpty || d.Versions > 0 || d.MultipartUploads > 0, err
	})
}

func isDrainLifecycle(lc cloud.LifecycleConfiguration) bool {
	for _, rule := range lc.Rules {
		if rule.ID == drainRuleID && rule.Status == "Enabled" {
			return true
		}
	}
	return false
}

// drainNote is the note a destroy that found the buckets still draining
// emits.
func drainNote(left []DrainingBucket) string {
	s := "draining:"
	for i, d := range left {
		if i > 0 {
			s += ";"
		}
		s += fmt.Sprintf(" %s versions left in %s (%s)", d.Left(), d.Bucket, d.Region)
		if d.MultipartUploads > 0 {
			s += fmt.Sprintf(", %d incomplete uploads", d.MultipartUploads)
		}
	}
	return s + ". S3 is still expiring them; run destroy again later"
}

// drainStep runs before destroy's steps. With drain it starts draining
// and ends the run; without, it ends the run when a drain is still under
// way (no error: nothing failed, S3 is not done). done=false lets destroy
// go on: nothing is draining, or the drained buckets are empty.
func (r *run) drainStep(ctx context.Context, drain bool, op string) (*Result, bool, error) {
	res := &Result{}
	var err error
	if drain {
		res.DrainStarted = true
		res.Draining, err = r.startDrain()
		if err == nil {
			if len(res.Draining) == 0 {
				r.emit(Event{Kind: EventNote, Detail: "nothing to drain: no backup bucket this landscape created exists"})
			} else {
				r.emit(Event{Kind: EventNote, Detail: "drain lifecycle set and replication stopped. " + DrainExpectation})
			}
		}
	} else {
		res.Draining, err = r.stillDraining()
		if err == nil && len(res.Draining) == 0 {
			return nil, false, nil
		}
		if err == nil {
			r.emit(Event{Kind: EventNote, Detail: drainNote(res.Draining)})
		}
	}
	res.MutatingCalls = int(r.mutating.Load())
	gr := graphResult{}
	if err != nil {
		gr.errs = map[string]error{"drain": err}
	}
	if ferr := r.finish(ctx, gr, op, "rerun "+op+" to continue"); ferr != nil && err == nil {
		err = ferr
	}
	return res, true, err
}
