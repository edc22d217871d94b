package steps

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/hanavault/hanavault/internal/cloud"
)

// readAhead sends a run's reads before the run asks for them, and answers
// the run's own reads from what came back. A run's reads mostly depend on
// nothing but the landscape's names (a bucket's settings need only the
// bucket's name), yet the steps that make them wait for the caller's
// identity, the journal and the lookups they share: read ahead, every read
// goes out as soon as what it names is known, and a status or a plan costs
// the round trips of its longest chain of dependent reads (an alias, then
// its key's policy), not of the run's phases.
//
// The answers form a snapshot of AWS taken while the run reads. It holds
// until the run's first mutating call (mutate and deletePhase stop it) or
// its first retry (withRetry: a retry waits for AWS to answer otherwise):
// from then on every read goes to AWS, so nothing a run reads after it
// changed something can predate the change. Read-only runs (plan, status, the destroy preview)
// keep it to the end; the same call asked twice is then sent once.
type readAhead struct {
	on      atomic.Bool
	mu      sync.Mutex
	entries map[string]*aheadEntry
	// sem bounds the reads sent ahead (the run's own reads have theirs).
	sem chan struct{}
	wg  sync.WaitGroup
}

type aheadEntry struct {
	done chan struct{}
	val  any
	err  error
}

func newReadAhead(limit int) *readAhead {
	ra := &readAhead{entries: map[string]*aheadEntry{}, sem: make(chan struct{}, max(limit, 1))}
	ra.on.Store(true)
	return ra
}

// stop ends the snapshot: later calls go to AWS. Reads already sent ahead
// finish in the background.
func (ra *readAhead) stop() {
	if ra != nil {
		ra.on.Store(false)
	}
}

// wait returns once every read sent ahead has been answered.
func (ra *readAhead) wait() {
	if ra != nil {
		ra.wg.Wait()
	}
}

// aheadCall answers the call named key from the snapshot, making it (once)
// when the snapshot does not hold it yet. Concurrent callers of the same
// key share one call. An answer cut short by a context is not kept.
func aheadCall[T any](ra *readAhead, ctx context.Context, key string, fn func(ctx context.Context) (T, error)) (T, error) {
	if ra == nil || !ra.on.Load() {
		return fn(ctx)
	}
	ra.mu.Lock()
	e, ok := ra.entries[key]
	if !ok {
		e = &aheadEntry{done: make(chan struct{})}
		ra.entries[key] = e
	}
	ra.mu.Unlock()
	if ok {
		select {
		case <-e.done:
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
		if e.err != nil && isContextError(e.err) {
			return fn(ctx) // the call that was shared was cut short
		}
		v, _ := e.val.(T)
		return v, e.err
	}
	v, err := fn(ctx)
	e.val, e.err = v, err
	if err != nil && !definitive(err) {
		// Callers waiting now share the answer; later ones ask again.
		ra.mu.Lock()
		delete(ra.entries, key)
		ra.mu.Unlock()
	}
	close(e.done)
	return v, err
}

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// definitive reports whether an error answer belongs in the snapshot: what
// AWS said about the resource (NoSuchBucket, NoSuchTagSet, AccessDenied),
// not a passing condition of the service or the network (throttling, a
// conflicting operation, a 5xx, a timeout), which a retry must send again.
func definitive(err error) bool {
	var e *cloud.Error
	if !errors.As(err, &e) || e.HTTPStatus < 400 || e.HTTPStatus >= 500 {
		return false
	}
	return !cloud.IsThrottling(err) && !cloud.IsCode(err, cloud.CodeOperationAborted, cloud.CodeConcurrentModification, cloud.CodeRequestTimeout)
}

// aheadSend makes one read ahead, in the background, and then calls next with
// its answer (next may send more reads ahead). Nothing is sent once the
// snapshot has stopped or ctx is done.
func aheadSend[T any](ra *readAhead, ctx context.Context, call func(ctx context.Context) (T, error), next func(T, error)) {
	if ra == nil || !ra.on.Load() {
		return
	}
	ra.wg.Add(1)
	go func() {
		defer ra.wg.Done()
		select {
		case ra.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		if !ra.on.Load() || ctx.Err() != nil {
			<-ra.sem
			return
		}
		v, err := call(ctx)
		<-ra.sem
		if next != nil {
			next(v, err)
		}
	}()
}

// aheadAccount is the account as a run sees it: the reads of the snapshot
// go through the read-ahead; everything else goes straight to the account.
type aheadAccount struct {
	cloud.Account
	ra *readAhead
}

func (a aheadAccount) S3(region string) cloud.S3 {
	return aheadS3{S3: a.Account.S3(region), ra: a.ra, region: region}
}

func (a aheadAccount) KMS(region string) cloud.KMS {
	return aheadKMS{KMS: a.Account.KMS(region), ra: a.ra, region: region}
}

func (a aheadAccount) IAM() cloud.IAM { return aheadIAM{IAM: a.Account.IAM(), ra: a.ra} }

type aheadS3 struct {
	cloud.S3
	ra     *readAhead
	region string
}

func (s aheadS3) key(op, bucket string) string {
	return "s3\x00" + s.region + "\x00" + op + "\x00" + bucket
}

func (s aheadS3) ListBuckets(ctx context.Context) ([]cloud.BucketSummary, error) {
	// One list answers for every region: ListBuckets lists the account's
	// buckets wherever it is sent.
	return aheadCall(s.ra, ctx, "s3\x00ListBuckets", s.S3.ListBuckets)
}

func (s aheadS3) HeadBucket(ctx context.Context, bucket string) (cloud.HeadBucketOutput, error) {
	return aheadCall(s.ra, ctx, s.key("HeadBucket", bucket), func(ctx context.Context) (cloud.HeadBucketOutput, error) {
		return s.S3.HeadBucket(ctx, bucket)
	})
}

func (s aheadS3) GetBucketLocation(ctx context.Context, bucket string) (string, error) {
	return aheadCall(s.ra, ctx, s.key("GetBucketLocation", bucket), func(ctx context.Context) (string, error) {
		return s.S3.GetBucketLocation(ctx, bucket)
	})
}

func (s aheadS3) GetBucketVersioning(ctx context.Context, bucket string) (string, error) {
	return aheadCall(s.ra, ctx, s.key("GetBucketVersioning", bucket), func(ctx context.Context) (string, error) {
		return s.S3.GetBucketVersioning(ctx, bucket)
	})
}

func (s aheadS3) GetBucketEncryption(ctx context.Context, bucket string) (cloud.ServerSideEncryptionByDefault, error) {
	return aheadCall(s.ra, ctx, s.key("GetBucketEncryption", bucket), func(ctx context.Context) (cloud.ServerSideEncryptionByDefault, error) {
		return s.S3.GetBucketEncryption(ctx, bucket)
	})
}

func (s aheadS3) GetPublicAccessBlock(ctx context.Context, bucket string) (cloud.PublicAccessBlock, error) {
	return aheadCall(s.ra, ctx, s.key("GetPublicAccessBlock", bucket), func(ctx context.Context) (cloud.PublicAccessBlock, error) {
		return s.S3.GetPublicAccessBlock(ctx, bucket)
	})
}

func (s aheadS3) GetBucketOwnershipControls(ctx context.Context, bucket string) (string, error) {
	return aheadCall(s.ra, ctx, s.key("GetBucketOwnershipControls", bucket), func(ctx context.Context) (string, error) {
		return s.S3.GetBucketOwnershipControls(ctx, bucket)
	})
}

func (s aheadS3) GetBucketPolicy(ctx context.Context, bucket string) (string, error) {
	return aheadCall(s.ra, ctx, s.key("GetBucketPolicy", bucket), func(ctx context.Context) (string, error) {
		return s.S3.GetBucketPolicy(ctx, bucket)
	})
}

func (s aheadS3) GetBucketLifecycleConfiguration(ctx context.Context, bucket string) (cloud.LifecycleConfiguration, error) {
	return aheadCall(s.ra, ctx, s.key("GetBucketLifecycleConfiguration", bucket), func(ctx context.Context) (cloud.LifecycleConfiguration, error) {
		return s.S3.GetBucketLifecycleConfiguration(ctx, bucket)
	})
}

func (s aheadS3) GetBucketLogging(ctx context.Context, bucket string) (*cloud.LoggingEnabled, error) {
	return aheadCall(s.ra, ctx, s.key("GetBucketLogging", bucket), func(ctx context.Context) (*cloud.LoggingEnabled, error) {
		return s.S3.GetBucketLogging(ctx, bucket)
	})
}

func (s aheadS3) GetBucketTagging(ctx context.Context, bucket string) ([]cloud.Tag, error) {
	return aheadCall(s.ra, ctx, s.key("GetBucketTagging", bucket), func(ctx context.Context) ([]cloud.Tag, error) {
		return s.S3.GetBucketTagging(ctx, bucket)
	})
}

func (s aheadS3) GetBucketReplication(ctx context.Context, bucket string) (cloud.ReplicationConfiguration, error) {
	return aheadCall(s.ra, ctx, s.key("GetBucketReplication", bucket), func(ctx context.Context) (cloud.ReplicationConfiguration, error) {
		return s.S3.GetBucketReplication(ctx, bucket)
	})
}

func (s aheadS3) ListObjectVersions(ctx context.Context, in cloud.ListObjectVersionsInput) (cloud.ListObjectVersionsOutput, error) {
	if in.KeyMarker != "" || in.VersionIDMarker != "" {
		// A later page is read once, by the listing that follows the
		// markers (counting, emptying): kept, every page of a large
		// bucket would stay in memory until the run ends.
		return s.S3.ListObjectVersions(ctx, in)
	}
	return aheadCall(s.ra, ctx, s.key("ListObjectVersions", fmt.Sprintf("%#v", in)), func(ctx context.Context) (cloud.ListObjectVersionsOutput, error) {
		return s.S3.ListObjectVersions(ctx, in)
	})
}

type aheadKMS struct {
	cloud.KMS
	ra     *readAhead
	region string
}

func (k aheadKMS) key(op, id string) string { return "kms\x00" + k.region + "\x00" + op + "\x00" + id }

func (k aheadKMS) DescribeKey(ctx context.Context, keyID string) (cloud.KeyMetadata, error) {
	return aheadCall(k.ra, ctx, k.key("DescribeKey", keyID), func(ctx context.Context) (cloud.KeyMetadata, error) {
		return k.KMS.DescribeKey(ctx, keyID)
	})
}

func (k aheadKMS) GetKeyPolicy(ctx context.Context, keyID string) (string, error) {
	return aheadCall(k.ra, ctx, k.key("GetKeyPolicy", keyID), func(ctx context.Context) (string, error) {
		return k.KMS.GetKeyPolicy(ctx, keyID)
	})
}

func (k aheadKMS) GetKeyRotationStatus(ctx context.Context, keyID string) (bool, error) {
	return aheadCall(k.ra, ctx, k.key("GetKeyRotationStatus", keyID), func(ctx context.Context) (bool, error) {
		return k.KMS.GetKeyRotationStatus(ctx, keyID)
	})
}

func (k aheadKMS) ListResourceTags(ctx context.Context, keyID string) ([]cloud.Tag, error) {
	return aheadCall(k.ra, ctx, k.key("ListResourceTags", keyID), func(ctx context.Context) ([]cloud.Tag, error) {
		return k.KMS.ListResourceTags(ctx, keyID)
	})
}

func (k aheadKMS) ListGrants(ctx context.Context, keyID, marker string) (cloud.ListGrantsOutput, error) {
	return aheadCall(k.ra, ctx, k.key("ListGrants", keyID+"\x00"+marker), func(ctx context.Context) (cloud.ListGrantsOutput, error) {
		return k.KMS.ListGrants(ctx, keyID, marker)
	})
}

type aheadIAM struct {
	cloud.IAM
	ra *readAhead
}

func (i aheadIAM) GetRole(ctx context.Context, roleName string) (cloud.Role, error) {
	return aheadCall(i.ra, ctx, "iam\x00GetRole\x00"+roleName, func(ctx context.Context) (cloud.Role, error) {
		return i.IAM.GetRole(ctx, roleName)
	})
}

func (i aheadIAM) GetRolePolicy(ctx context.Context, roleName, policyName string) (string, error) {
	return aheadCall(i.ra, ctx, "iam\x00GetRolePolicy\x00"+roleName+"\x00"+policyName, func(ctx context.Context) (string, error) {
		return i.IAM.GetRolePolicy(ctx, roleName, policyName)
	})
}

// readsAhead says what a run sends ahead beyond the lookups every run
// makes.
type readsAhead struct {
	// lookupsOnly: the resources are looked up, but not each existing
	// bucket's settings, each found key's tags, policy and rotation, and
	// the role's policy, which plan, status, apply and the destroy preview
	// read for their steps (preflight and backint only look up).
	lookupsOnly bool
	// grants: the grants of each found key (status).
	grants bool
	// keysAndBackupBuckets: only the backup buckets and the keys are
	// looked up (backint; implies lookupsOnly).
	keysAndBackupBuckets bool
}

// sendAhead sends the landscape's reads as soon as what each names is
// known: the buckets, aliases and the replication role at once, and, as
// each answers that it exists, the reads that need it. Only reads the run
// itself makes are sent (a bucket's settings once it exists in its region,
// a key's once its alias names one), so reading ahead adds no call to a
// fresh landscape's apply.
func (r *run) sendAhead(ctx context.Context, what readsAhead) {
	settings := !what.lookupsOnly && !what.keysAndBackupBuckets
	ra := r.ra
	acct := r.acct
	for _, sd := range sides(r.l) {
		s3 := acct.S3(sd.region)
		kinds := []bucketKind{backupBucket, logBucket}
		if what.keysAndBackupBuckets {
			kinds = kinds[:1]
		}
		for _, k := range kinds {
			name := sd.bucketName(k)
			aheadSend(ra, ctx, func(ctx context.Context) ([]cloud.Tag, error) { return s3.GetBucketTagging(ctx, name) }, nil)
			aheadSend(ra, ctx, func(ctx context.Context) (cloud.HeadBucketOutput, error) { return s3.HeadBucket(ctx, name) },
				func(out cloud.HeadBucketOutput, err error) {
					if err != nil || (out.BucketRegion != "" && out.BucketRegion != sd.region) {
						return
					}
					aheadSend(ra, ctx, acct.S3(r.homeRegion(sd.region)).ListBuckets, nil)
					if settings {
						r.sendBucketSettings(ctx, sd, k)
					}
				})
		}
		kms := acct.KMS(sd.region)
		aheadSend(ra, ctx, func(ctx context.Context) (cloud.KeyMetadata, error) { return kms.DescribeKey(ctx, sd.alias) },
			func(meta cloud.KeyMetadata, err error) {
				if err != nil {
					return
				}
				id := meta.KeyID
				if settings {
					aheadSend(ra, ctx, func(ctx context.Context) ([]cloud.Tag, error) { return kms.ListResourceTags(ctx, id) }, nil)
					aheadSend(ra, ctx, func(ctx context.Context) (string, error) { return kms.GetKeyPolicy(ctx, id) }, nil)
					aheadSend(ra, ctx, func(ctx context.Context) (bool, error) { return kms.GetKeyRotationStatus(ctx, id) }, nil)
				}
				if what.grants {
					aheadSend(ra, ctx, func(ctx context.Context) (cloud.ListGrantsOutput, error) { return kms.ListGrants(ctx, id, "") }, nil)
				}
			})
	}
	if what.keysAndBackupBuckets {
		return
	}
	iam := acct.IAM()
	role := r.l.ReplicationRoleName
	aheadSend(ra, ctx, func(ctx context.Context) (cloud.Role, error) { return iam.GetRole(ctx, role) },
		func(_ cloud.Role, err error) {
			if err == nil && settings {
				aheadSend(ra, ctx, func(ctx context.Context) (string, error) { return iam.GetRolePolicy(ctx, role, replicationPolicyName) }, nil)
			}
		})
}

// sendBucketSettings sends ahead the reads of the bucket's settings, as
// its steps (bucketSteps, and the source backup bucket's replication)
// make them.
func (r *run) sendBucketSettings(ctx context.Context, sd side, k bucketKind) {
	steps := r.bucketSteps(sd, k)
	if k == backupBucket && sd.name == SideSource {
		steps = append(steps, r.replicationStepOf(sd))
	}
	for _, st := range steps {
		if st.sendAhead != nil {
			st.sendAhead(ctx, r)
		}
	}
}
