package memaws

import (
	"context"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
)

// ExpireByLifecycle runs one lifecycle evaluation over every bucket as if
// every rule's Days had elapsed, and reports how many versions, delete
// markers and uploads it removed. The account never runs lifecycle rules
// on its own; tests call this to stand in for the days S3 takes.
//
// It follows the S3 User Guide, "Lifecycle configuration elements" and
// "Expiring objects" (intro-lifecycle-rules, lifecycle-expire-general-
// considerations): S3 applies lifecycle actions asynchronously, so a test
// decides when a pass happens. In a versioned bucket Expiration acts on the
// current version only and just adds a delete marker, which makes the
// object's versions noncurrent; NoncurrentVersionExpiration removes
// noncurrent versions for good, counted from when they became noncurrent
// (so a version made noncurrent in this pass is removed by the next one);
// ExpiredObjectDeleteMarker removes a delete marker that is the only
// version left; AbortIncompleteMultipartUpload aborts uploads. Deletion
// beats delete-marker creation when both apply. Markers lifecycle adds are
// not replicated (UG replication-what-is-isnot-replicated). Only
// whole-bucket (empty-prefix) enabled rules are modelled.
func (a *Account) ExpireByLifecycle() (removed int, err error) {
	w := a.w
	w.mu.Lock()
	defer w.mu.Unlock()
	unlock, err := w.lockShared(context.Background())
	if err != nil {
		return 0, err
	}
	defer unlock()
	now := w.now()
	for _, b := range w.st.Buckets {
		if b.Lifecycle == nil {
			continue
		}
		var expireCurrent, expireNoncurrent, expireMarkers, abort bool
		for _, r := range b.Lifecycle.Rules {
			if r.Status != "Enabled" || r.Prefix != "" {
				continue
			}
			expireCurrent = expireCurrent || r.ExpirationDays > 0
			expireNoncurrent = expireNoncurrent || r.NoncurrentVersionExpirationDays > 0
			expireMarkers = expireMarkers || r.ExpiredObjectDeleteMarker
			abort = abort || r.AbortIncompleteMultipartUploadDays > 0
		}
		if abort {
			removed += len(b.Uploads)
			clear(b.Uploads)
		}
		for _, key := range append([]string(nil), b.keysSorted()...) {
			removed += w.expireKey(b, key, now, expireCurrent, expireNoncurrent, expireMarkers)
		}
		w.dirty = true
	}
	return removed, w.saveIfDirty()
}

// expireKey applies one lifecycle pass to the versions of key. Caller
// holds mu.
func (w *world) expireKey(b *bucket, key string, now time.Time, current, noncurrent, markers bool) (removed int) {
	if noncurrent {
		vs := b.Objects[key]
		for _, v := range append([]*objVersion(nil), vs[:len(vs)-1]...) {
			w.removeVersion(b, key, v.VersionID)
			removed++
		}
	}
	cur := latest(b, key)
	if cur == nil {
		return removed
	}
	switch {
	case cur.DeleteMarker && markers && len(b.Objects[key]) == 1:
		w.removeVersion(b, key, cur.VersionID)
		removed++
	case !cur.DeleteMarker && current:
		if b.Versioning != cloud.VersioningEnabled {
			// Unversioned: expiration removes the object (suspended
			// versioning is not modelled).
			w.removeVersion(b, key, cur.VersionID)
			removed++
			return removed
		}
		// Versioned: a delete marker becomes current, not replicated.
		m := &objVersion{DeleteMarker: true, Seq: w.st.nextSeq(), LastModified: now, VersionID: newVersionID()}
		b.Objects[key] = append(b.Objects[key], m)
	}
	return removed
}
