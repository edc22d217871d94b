package steps

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/spec"
)

// Tag keys hanavault puts on what it creates.
const (
	TagLandscape = "hanavault:landscape"
	TagComponent = "hanavault:component"
	TagSide      = "hanavault:side"
	// TagAdopted marks a pre-existing bucket hanavault manages but did not
	// create: destroy keeps it, even when the journal is lost.
	TagAdopted = "hanavault:adopted"
)

// Components, as tagged and reported.
const (
	CompKey         = "backup-key"
	CompBucket      = "backup-bucket"
	CompLogBucket   = "log-bucket"
	CompRole        = "replication-role"
	CompReplication = "replication"
)

// Side names.
const (
	SideSource  = "source"
	SideReplica = "replica"
	GlobalScope = "global"
)

// replicationPolicyName is the inline policy on the replication role.
const replicationPolicyName = "hanavault-replication"

// side is one region of the landscape.
type side struct {
	name      string // source | replica
	region    string
	bucket    string
	logBucket string
	alias     string
}

func sides(l spec.Landscape) [2]side {
	return [2]side{
		{name: SideSource, region: l.SourceRegion, bucket: l.OriginalBucketName, logBucket: l.OriginalLogBucketName, alias: l.OriginalCMKAlias},
		{name: SideReplica, region: l.ReplicationRegion, bucket: l.ReplicationBucketName, logBucket: l.ReplicationLogBucketName, alias: l.ReplicationCMKAlias},
	}
}

// locationConstraint is what CreateBucket must send for a region:
// nothing for us-east-1, the region's own name everywhere else.
func locationConstraint(region string) string {
	if region == "us-east-1" {
		return ""
	}
	return region
}

// normalizeLocation maps GetBucketLocation answers to region names.
func normalizeLocation(lc string) string {
	switch lc {
	case "":
		return "us-east-1"
	case "EU":
		return "eu-west-1"
	}
	return lc
}

// tagsFor returns the tags of a component: hanavault's own plus the
// landscape's extra tags, sorted by key.
func (r *run) tagsFor(component, sideName string) []cloud.Tag {
	tags := []cloud.Tag{
		{Key: TagLandscape, Value: r.l.SID},
		{Key: TagComponent, Value: component},
	}
	if sideName != "" {
		tags = append(tags, cloud.Tag{Key: TagSide, Value: sideName})
	}
	for k, v := range r.l.Tags {
		tags = append(tags, cloud.Tag{Key: k, Value: v})
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	return tags
}

// tagsField compares only the wanted tags: other tags on the resource
// (added by people or other tools) are not drift.
func tagsField(want, have []cloud.Tag) (desired, actual field) {
	var d, a []string
	for _, t := range want {
		d = append(d, t.Key+"="+t.Value)
		if v, ok := cloud.TagValue(have, t.Key); ok {
			a = append(a, t.Key+"="+v)
		}
	}
	desired = field{name: "tags", value: strings.Join(d, ", ")}
	actual = field{name: "tags", value: strings.Join(a, ", ")}
	if len(a) == 0 {
		actual.value = "(none)"
	}
	return desired, actual
}

// mergeTags returns have with want's keys set to want's values.
func mergeTags(have, want []cloud.Tag) []cloud.Tag {
	m := map[string]string{}
	for _, t := range have {
		m[t.Key] = t.Value
	}
	for _, t := range want {
		m[t.Key] = t.Value
	}
	out := make([]cloud.Tag, 0, len(m))
	for k, v := range m {
		out = append(out, cloud.Tag{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// isOurs reports whether tags mark a resource hanavault created for sid.
func isOurs(tags []cloud.Tag, sid string) bool {
	v, ok := cloud.TagValue(tags, TagLandscape)
	if !ok || v != sid {
		return false
	}
	_, adopted := cloud.TagValue(tags, TagAdopted)
	return !adopted
}

func (r *run) partition() string { return r.id.Partition }

func (r *run) bucketARN(b string) string { return cloud.BucketARN(r.partition(), b) }

func stepID(parts ...string) string { return strings.Join(parts, "/") }

func unknownARN(what string) string { return fmt.Sprintf("(%s, known after apply)", what) }
