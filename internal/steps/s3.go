package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
)

// bucketLookup is what hanavault knows about one bucket.
type bucketLookup struct {
	exists      bool
	preExisting bool      // found in the account, not created by hanavault
	byTags      bool      // taken for hanavault's on the user's word (--from-tags)
	createdAt   time.Time // when this landscape created it (journal)
	tags        []cloud.Tag
}

// owner is what plan and the destroy preview say about whose it is.
func (bl bucketLookup) owner() string {
	if bl.byTags {
		return foundByTags
	}
	return ownerWords(!bl.preExisting, bl.createdAt)
}

// bucketKind says which bucket of a side a step is about.
type bucketKind string

const (
	backupBucket bucketKind = "bucket"
	logBucket    bucketKind = "log-bucket"
)

func (sd side) bucketName(k bucketKind) string {
	if k == logBucket {
		return sd.logBucket
	}
	return sd.bucket
}

func (sd side) bucketField(k bucketKind) string {
	if k == logBucket {
		return sd.field("log")
	}
	return sd.field("bucket")
}

func componentOf(k bucketKind) string {
	if k == logBucket {
		return CompLogBucket
	}
	return CompBucket
}

// findBucket reports whether a bucket exists in the side's region, whether
// it is hanavault's, and fails when the name is taken elsewhere or by
// another landscape.
func (r *run) findBucket(st *step, sd side, k bucketKind) (bucketLookup, error) {
	name := sd.bucketName(k)
	return memo(r, "bucket:"+name, func() (bucketLookup, error) {
		s3 := r.acct.S3(sd.region)
		// The tags are read alongside HeadBucket (one round trip); their
		// answer counts only when the bucket is this account's.
		type tagging struct {
			tags []cloud.Tag
			err  error
		}
		tagc := make(chan tagging, 1)
		go func() {
			tags, err := read(r, st, func(ctx context.Context) ([]cloud.Tag, error) { return s3.GetBucketTagging(ctx, name) })
			tagc <- tagging{tags, err}
		}()
		out, err := read(r, st, func(ctx context.Context) (cloud.HeadBucketOutput, error) { return s3.HeadBucket(ctx, name) })
		tg := <-tagc
		switch {
		case cloud.IsCode(err, cloud.CodeNotFound, cloud.CodeNoSuchBucket):
			return bucketLookup{}, nil
		case cloud.IsCode(err, cloud.CodeForbidden, cloud.CodeAccessDenied):
			return bucketLookup{}, &fieldError{field: sd.bucketField(k), msg: fmt.Sprintf(
				"bucket name %q is already taken by another AWS account (bucket names are global); choose another name", name)}
		case err != nil:
			return bucketLookup{}, fmt.Errorf("look up bucket %s: %w", name, err)
		}
		region := out.BucketRegion
		if region == "" {
			lc, err := read(r, st, func(ctx context.Context) (string, error) { return s3.GetBucketLocation(ctx, name) })
			if err != nil {
				return bucketLookup{}, fmt.Errorf("read location of bucket %s: %w", name, err)
			}
			region = normalizeLocation(lc)
		}
		if region != sd.region {
			return bucketLookup{}, &fieldError{field: sd.bucketField(k), msg: fmt.Sprintf(
				"bucket %q already exists in your account in %s, but the landscape places it in %s", name, region, sd.region)}
		}
		tags, err := tg.tags, tg.err
		if err != nil && !cloud.IsCode(err, cloud.CodeNoSuchTagSet) {
			return bucketLookup{}, fmt.Errorf("read tags of bucket %s: %w", name, err)
		}
		journaled, at, err := r.ownsBucket(st, sd.region, name)
		if err != nil {
			return bucketLookup{}, err
		}
		if other, ok := cloud.TagValue(tags, TagLandscape); ok && other != r.l.SID && !journaled {
			// Another landscape's bucket: adopting it would turn its
			// encryption, policy and replication to this landscape. (One
			// the journal says this landscape created only has its tags
			// changed: drift the tags step repairs.)
			return bucketLookup{}, &fieldError{field: sd.bucketField(k), msg: fmt.Sprintf(
				"bucket %q belongs to hanavault landscape %s; choose another name", name, other)}
		}
		// Tags are a hint, never proof: a bucket tagged for this landscape
		// that no journal record shows it created is pre-existing, unless
		// the user consented to destroying tag-found buckets.
		byTags := !journaled && r.tagConsent.Buckets && isOurs(tags, r.l.SID)
		return bucketLookup{exists: true, preExisting: !journaled && !byTags, byTags: byTags, createdAt: at, tags: tags}, nil
	})
}

// setting describes one bucket setting of type T.
type setting[T any] struct {
	name  string // step ID suffix
	title string
	field string
	deps  []string
	// get returns the setting; ok=false when it is not configured.
	get func(ctx context.Context, s3 cloud.S3, bucket string) (v T, ok bool, err error)
	// want returns the desired value; ok=false when it depends on
	// something not created yet.
	want func(r *run, st *step) (v T, ok bool)
	show func(v T) string
	// canon returns the comparable form (default: show).
	canon func(v T) string
	// explain, when set, describes how actual differs from desired.
	explain func(desired, actual T) string
	// atCreate, when set, is the value a bucket has from its CreateBucket
	// call (which sets it): no read is needed for a bucket this run made.
	atCreate func() T
	putOp    string
	put      func(ctx context.Context, s3 cloud.S3, bucket string, v T) error
	delOp    string
	del      func(ctx context.Context, s3 cloud.S3, bucket string) error
}

func (s setting[T]) key(v T) string {
	if s.canon != nil {
		return s.canon(v)
	}
	return s.show(v)
}

// settingStep turns a setting into a step of the side's bucket of kind k.
func settingStep[T any](sd side, k bucketKind, s setting[T]) *step {
	bucket := sd.bucketName(k)
	parent := stepID(sd.name, string(k))
	st := &step{
		id: stepID(sd.name, string(k), s.name), region: sd.region, component: componentOf(k),
		resource: bucket, title: s.title, deps: append([]string{parent}, s.deps...), lock: bucket,
	}
	st.desired = func(r *run) []field {
		v, ok := s.want(r, st)
		return []field{{name: s.field, value: s.show(v), compare: s.key(v), unknown: !ok}}
	}
	st.read = func(ctx context.Context, r *run) (observed, error) {
		if r.createdNow(parent) {
			// The bucket is new, made by this run: the setting is what
			// CreateBucket gave it, or else not set by hanavault yet, so
			// it is set without reading it first (the write chain of a
			// fresh bucket holds no reads).
			if s.atCreate != nil {
				v := s.atCreate()
				return observed{exists: true, fields: []field{{name: s.field, value: s.show(v), compare: s.key(v)}}}, nil
			}
			return observed{exists: true, priorAbsent: true}, nil
		}
		bl, err := r.findBucket(st, sd, k)
		if err != nil || !bl.exists {
			return observed{}, err
		}
		v, ok, err := read3(r, st, func(ctx context.Context) (T, bool, error) { return s.get(ctx, r.acct.S3(sd.region), bucket) })
		if err != nil {
			return observed{}, fmt.Errorf("read %s of bucket %s: %w", s.field, bucket, err)
		}
		obs := observed{exists: true, preExisting: bl.preExisting}
		if !ok {
			obs.priorAbsent = true
			obs.fields = nil
			return obs, nil
		}
		obs.prior = v
		f := field{name: s.field, value: s.show(v), compare: s.key(v)}
		if s.explain != nil {
			if want, wok := s.want(r, st); wok && s.key(want) != f.compare {
				f.value = s.explain(want, v)
			}
		}
		obs.fields = []field{f}
		return obs, nil
	}
	st.sendAhead = func(ctx context.Context, r *run) {
		s3 := r.acct.S3(sd.region)
		aheadSend(r.ra, ctx, func(ctx context.Context) (struct{}, error) {
			_, _, err := s.get(ctx, s3, bucket)
			return struct{}{}, err
		}, nil)
	}
	st.converge = func(ctx context.Context, r *run, obs observed) error {
		v, ok := s.want(r, st)
		if !ok {
			return r.dependencyError(st, fmt.Sprintf("%s of %s", s.field, bucket), "a resource it depends on does not exist")
		}
		return r.mutate(st, mutation{op: s.putOp, resource: bucket, preExisting: obs.preExisting, prior: obs.prior, priorAbsent: obs.priorAbsent},
			func(ctx context.Context) (string, error) {
				return r.bucketARN(bucket), s.put(ctx, r.acct.S3(sd.region), bucket, v)
			})
	}
	st.undo = func(ctx context.Context, r *run, info undoInfo) (Action, error) {
		if !info.preExisting || !info.priorSet {
			return ActionKeep, nil
		}
		bl, err := r.findBucket(st, sd, k)
		if err != nil || !bl.exists {
			return ActionKeep, err
		}
		s3 := r.acct.S3(sd.region)
		if info.priorAbsent {
			if s.del == nil {
				return ActionKeep, nil
			}
			err = r.mutate(st, mutation{op: s.delOp, resource: bucket, preExisting: true}, func(ctx context.Context) (string, error) {
				return r.bucketARN(bucket), s.del(ctx, s3, bucket)
			})
			return ActionRestore, err
		}
		var prior T
		if err := json.Unmarshal(info.prior, &prior); err != nil {
			return "", fmt.Errorf("decode the journaled prior %s of bucket %s: %w", s.field, bucket, err)
		}
		err = r.mutate(st, mutation{op: s.putOp, resource: bucket, preExisting: true}, func(ctx context.Context) (string, error) {
			return r.bucketARN(bucket), s.put(ctx, s3, bucket, prior)
		})
		return ActionRestore, err
	}
	return st
}

// read3 is read for calls that return a value, a presence flag and an error.
func read3[T any](r *run, st *step, fn func(ctx context.Context) (T, bool, error)) (T, bool, error) {
	type pair struct {
		v  T
		ok bool
	}
	p, err := read(r, st, func(ctx context.Context) (pair, error) {
		v, ok, err := fn(ctx)
		return pair{v, ok}, err
	})
	return p.v, p.ok, err
}

// absentIf turns the "not configured" error codes into ok=false.
func absentIf[T any](v T, err error, codes ...string) (T, bool, error) {
	if err != nil {
		if cloud.IsCode(err, codes...) {
			var zero T
			return zero, false, nil
		}
		return v, false, err
	}
	return v, true, nil
}
