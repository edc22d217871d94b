package memaws

import (
	"crypto/md5"
	"encoding/hex"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
)

// nullVersion is the version ID of objects written while versioning was
// never enabled or is suspended.
const nullVersion = "null"

func newVersionID() string { return randomString(urlSafe, 32) }

func etagOf(body []byte) string {
	sum := md5.Sum(body)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// addVersion stores a new object version or delete marker under key,
// following the bucket's versioning state (a new ID when Enabled, else the
// "null" version is replaced), and queues its replication. A version that
// already carries an ID (a replica) keeps it. Caller holds mu.
func (w *world) addVersion(b *bucket, key string, v *objVersion, now time.Time) {
	v.Seq = w.st.nextSeq()
	if v.LastModified.IsZero() {
		v.LastModified = now
	}
	if b.Versioning == cloud.VersioningEnabled {
		if v.VersionID == "" {
			v.VersionID = newVersionID()
		}
	} else {
		v.VersionID = nullVersion
	}
	vs, had := b.Objects[key]
	if !had {
		b.sortedKeys = nil
	}
	kept := vs[:0]
	for _, old := range vs {
		if old.VersionID != v.VersionID {
			kept = append(kept, old)
		}
	}
	b.Objects[key] = append(kept, v)
	w.dirty = true
	w.queueReplication(b, key, v, now)
}

// latest returns the current version (or delete marker) of key, or nil.
func latest(b *bucket, key string) *objVersion {
	vs := b.Objects[key]
	if len(vs) == 0 {
		return nil
	}
	return vs[len(vs)-1]
}

// findVersion returns the version of key with id, or nil.
func findVersion(b *bucket, key, id string) *objVersion {
	for _, v := range b.Objects[key] {
		if v.VersionID == id {
			return v
		}
	}
	return nil
}

// removeVersion deletes one version for good and reports what it was.
func (w *world) removeVersion(b *bucket, key, id string) *objVersion {
	vs := b.Objects[key]
	for i, v := range vs {
		if v.VersionID == id {
			vs = append(vs[:i:i], vs[i+1:]...)
			if len(vs) == 0 {
				delete(b.Objects, key)
				b.sortedKeys = nil
			} else {
				b.Objects[key] = vs
			}
			w.dirty = true
			return v
		}
	}
	return nil
}

// processDue runs what the clock has made due: key deletions, replications
// and log deliveries. Caller holds mu.
func (w *world) processDue(now time.Time) {
	w.purgeKeys(now)
	w.processReplications(now)
	w.flushLogs(now)
}
