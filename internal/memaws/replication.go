package memaws

import (
	"sort"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/policy/eval"
)

// Replication status values.
const (
	replPending   = "PENDING"
	replCompleted = "COMPLETED"
	replFailed    = "FAILED"
	replReplica   = "REPLICA"

	s3Service = "s3.amazonaws.com"
)

// queueReplication decides whether a new version is replicated and queues
// it. Per destination the enabled rule with the highest priority whose
// prefix matches applies. Replicas, SSE-C objects and (without
// SseKmsEncryptedObjects) SSE-KMS objects are not replicated; delete
// markers only with DeleteMarkerReplication. Caller holds mu.
func (w *world) queueReplication(b *bucket, key string, v *objVersion, now time.Time) {
	if b.Replication == nil || v.Replication == replReplica || v.SSEC {
		return
	}
	best := map[string]cloud.ReplicationRule{}
	var dests []string
	for _, r := range b.Replication.Rules {
		if r.Status != "Enabled" || !strings.HasPrefix(key, r.Prefix) {
			continue
		}
		cur, ok := best[r.DestinationBucket]
		if !ok {
			dests = append(dests, r.DestinationBucket)
		}
		if !ok || r.Priority > cur.Priority {
			best[r.DestinationBucket] = r
		}
	}
	due := now.Add(w.replDelay)
	if w.replDelay < 0 {
		due = now
	}
	for _, d := range dests {
		r := best[d]
		switch {
		case v.DeleteMarker && !r.DeleteMarkerReplication:
			continue
		case !v.DeleteMarker && v.SSE == cloud.SSEKMS && !r.SseKmsEncryptedObjects:
			continue
		}
		if !v.DeleteMarker {
			v.Replication = replPending
		}
		w.st.Pending = append(w.st.Pending, &pendingReplication{
			Bucket: b.Name, Key: key, VersionID: v.VersionID, Due: due,
			Role: b.Replication.Role, Rule: r, Marker: v.DeleteMarker,
		})
		w.dirty = true
	}
}

// PendingReplications returns how many replications wait to be processed.
func (a *Account) PendingReplications() int {
	a.w.mu.Lock()
	defer a.w.mu.Unlock()
	return len(a.w.st.Pending)
}

// processReplications runs every replication that is due. Caller holds mu.
func (w *world) processReplications(now time.Time) {
	if len(w.st.Pending) == 0 {
		return
	}
	// This runs before every call: with nothing due it only looks.
	anyDue := false
	for _, p := range w.st.Pending {
		if !now.Before(p.Due) {
			anyDue = true
			break
		}
	}
	if !anyDue {
		return
	}
	var keep []*pendingReplication
	var due []*pendingReplication
	for _, p := range w.st.Pending {
		if now.Before(p.Due) {
			keep = append(keep, p)
		} else {
			due = append(due, p)
		}
	}
	// Due ones are processed oldest due first (stable: in the order they
	// were queued among equals).
	sort.SliceStable(due, func(i, j int) bool { return due[i].Due.Before(due[j].Due) })
	w.st.Pending = keep
	w.dirty = true
	for _, p := range due {
		w.replicate(p, now)
	}
}

// replicate performs one replication as the replication role. Any denial
// or unusable key marks the source version FAILED (never retried).
func (w *world) replicate(p *pendingReplication, now time.Time) {
	src := w.st.Buckets[p.Bucket]
	if src == nil {
		return
	}
	v := findVersion(src, p.Key, p.VersionID)
	if v == nil {
		return // deleted before S3 got to it
	}
	ok := w.tryReplicate(src, v, p, now)
	if p.Marker {
		return // delete markers carry no status
	}
	// All destinations of a version share one due time and are processed
	// in the same pass: one failure makes the version FAILED for good.
	switch {
	case !ok:
		v.Replication = replFailed
	case v.Replication != replFailed:
		v.Replication = replCompleted
	}
}

func (w *world) tryReplicate(src *bucket, v *objVersion, p *pendingReplication, now time.Time) bool {
	r := w.roleByArn(p.Role)
	if r == nil {
		return false
	}
	roleArn := w.roleArn(r)
	trust, err := eval.Evaluate(r.Trust, eval.Request{
		Principal: eval.Principal{Service: s3Service}, Action: "sts:AssumeRole", Resource: roleArn,
	}, false)
	if err != nil || trust != eval.Allow {
		return false
	}
	rp := principal{arn: roleArn, role: r}
	a, err := cloud.ParseARN(p.Rule.DestinationBucket)
	if err != nil {
		return false
	}
	dst := w.st.Buckets[a.Resource]
	if dst == nil || dst.Versioning != cloud.VersioningEnabled {
		return false
	}
	part := w.st.Partition
	srcObj := cloud.BucketARN(part, src.Name) + "/" + p.Key
	dstObj := cloud.BucketARN(part, dst.Name) + "/" + p.Key
	ctx := requestContext(true)

	if p.Marker {
		if w.authorizeS3(rp, "s3:ReplicateDelete", dstObj, dst.Policy, ctx) != nil {
			return false
		}
		w.addReplica(dst, p.Key, &objVersion{VersionID: v.VersionID, DeleteMarker: true, LastModified: v.LastModified}, now)
		return true
	}

	if w.authorizeS3(rp, "s3:GetObjectVersionForReplication", srcObj, src.Policy, ctx) != nil {
		return false
	}
	if v.SSE == cloud.SSEKMS {
		srcCtx := srcObj
		if v.BucketKey {
			srcCtx = cloud.BucketARN(part, src.Name)
		}
		if _, err := w.s3KMS(rp, "kms:Decrypt", src.Region, v.KeyArn, srcCtx, now); err != nil {
			return false
		}
	}
	if w.authorizeS3(rp, "s3:ReplicateObject", dstObj, dst.Policy, ctx) != nil {
		return false
	}
	replica := &objVersion{
		VersionID: v.VersionID, Body: append([]byte(nil), v.Body...), ETag: v.ETag, LastModified: v.LastModified,
		SSE: v.SSE, StorageClass: v.StorageClass, Replication: replReplica,
	}
	if p.Rule.StorageClass != "" {
		replica.StorageClass = p.Rule.StorageClass
	}
	if v.SSE == cloud.SSEKMS {
		if p.Rule.ReplicaKmsKeyID == "" {
			return false
		}
		// The replica keeps the source object's S3 Bucket Key setting, not
		// the replica bucket's default (S3 user guide, bucket-key, "S3
		// Bucket Keys and replication").
		bucketKey := v.BucketKey
		dstCtx := dstObj
		if bucketKey {
			dstCtx = cloud.BucketARN(part, dst.Name)
		}
		k, err := w.s3KMS(rp, "kms:Encrypt", dst.Region, p.Rule.ReplicaKmsKeyID, dstCtx, now)
		if err != nil {
			return false
		}
		if bucketKey {
			if _, err := w.s3KMS(rp, "kms:GenerateDataKey", dst.Region, p.Rule.ReplicaKmsKeyID, dstCtx, now); err != nil {
				return false
			}
			// S3 user guide, replication-config-for-kms-objects, "Using S3
			// Bucket Keys with replication": the key that encrypts the
			// replica must allow the replication role kms:Decrypt, a call
			// S3 makes to check the bucket key's integrity before it uses
			// it. Without it the replication fails.
			if _, err := w.s3KMS(rp, "kms:Decrypt", dst.Region, p.Rule.ReplicaKmsKeyID, dstCtx, now); err != nil {
				return false
			}
		}
		replica.KeyArn, replica.BucketKey = w.keyArn(k), bucketKey
	}
	w.addReplica(dst, p.Key, replica, now)
	return true
}

// addReplica stores a replica under the source's version ID.
func (w *world) addReplica(dst *bucket, key string, v *objVersion, now time.Time) {
	if v.Replication == "" {
		v.Replication = replReplica // delete markers: only to stop re-replication
	}
	if findVersion(dst, key, v.VersionID) != nil {
		return
	}
	w.addVersion(dst, key, v, now)
}
