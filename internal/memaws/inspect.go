package memaws

import (
	"sort"

	"github.com/hanavault/hanavault/internal/cloud"
)

// BucketInfo summarises one bucket of the account for tests and the
// sandbox.
type BucketInfo struct {
	Name          string
	Region        string
	Versioning    string
	Versions      int // object versions (not delete markers)
	DeleteMarkers int
	Uploads       int // incomplete multipart uploads
}

// Buckets returns the account's buckets by name. It makes no API call.
func (a *Account) Buckets() []BucketInfo {
	w := a.w
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]BucketInfo, 0, len(w.st.Buckets))
	for _, b := range w.st.Buckets {
		bi := BucketInfo{Name: b.Name, Region: b.Region, Versioning: b.Versioning, Uploads: len(b.Uploads)}
		for _, vs := range b.Objects {
			for _, v := range vs {
				if v.DeleteMarker {
					bi.DeleteMarkers++
				} else {
					bi.Versions++
				}
			}
		}
		out = append(out, bi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Keys returns the KMS keys of region (customer and AWS managed), oldest
// first. It makes no API call.
func (a *Account) Keys(region string) []cloud.KeyMetadata {
	w := a.w
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []cloud.KeyMetadata
	for _, k := range w.st.Keys {
		if k.Region == region {
			out = append(out, w.toMetadata(k))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreationDate.Equal(out[j].CreationDate) {
			return out[i].CreationDate.Before(out[j].CreationDate)
		}
		return out[i].KeyID < out[j].KeyID
	})
	return out
}

// Roles returns the account's roles by name, with tags. It makes no API
// call.
func (a *Account) Roles() []cloud.Role {
	w := a.w
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]cloud.Role, 0, len(w.st.Roles))
	for _, r := range w.st.Roles {
		out = append(out, w.toCloudRole(r, true))
	}
	sort.Slice(out, func(i, j int) bool { return lowerName(out[i].RoleName) < lowerName(out[j].RoleName) })
	return out
}
