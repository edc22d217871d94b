package cloud

import (
	"regexp"
	"slices"
	"sync"
)

//go:generate go run ./internal/genpartitions

// Partition is one AWS partition as the AWS SDK for Go describes it: its
// ARN partition ID, the DNS suffix of its service endpoints (used in
// kms:ViaService values), and its regions.
type Partition struct {
	ID          string   // aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc...
	DNSSuffix   string   // amazonaws.com, amazonaws.com.cn, amazonaws.eu...
	RegionRegex string   // regions of the partition not yet listed in Regions
	Regions     []string // known regions, sorted
}

// Partitions returns the partitions of the SDK's metadata (a copy).
func Partitions() []Partition {
	out := make([]Partition, len(sdkPartitions))
	for i, p := range sdkPartitions {
		p.Regions = slices.Clone(p.Regions)
		out[i] = p
	}
	return out
}

// PartitionIDs returns the IDs of the known partitions.
func PartitionIDs() []string {
	out := make([]string, len(sdkPartitions))
	for i, p := range sdkPartitions {
		out[i] = p.ID
	}
	return out
}

var regionRegexes = sync.OnceValue(func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(sdkPartitions))
	for i, p := range sdkPartitions {
		out[i] = regexp.MustCompile(p.RegionRegex)
	}
	return out
})

// PartitionOfRegion returns the partition a region belongs to: the one
// that lists it, else the one whose region pattern matches it (the SDK's
// order, as its endpoint resolution does).
func PartitionOfRegion(region string) (string, bool) {
	for _, p := range sdkPartitions {
		if slices.Contains(p.Regions, region) {
			return p.ID, true
		}
	}
	for i, re := range regionRegexes() {
		if re.MatchString(region) {
			return sdkPartitions[i].ID, true
		}
	}
	return "", false
}

// DNSSuffix returns the service DNS suffix of a partition, used in
// kms:ViaService values (s3.<region>.<suffix>). An unknown partition gets
// the commercial suffix amazonaws.com.
func DNSSuffix(partition string) string {
	for _, p := range sdkPartitions {
		if p.ID == partition {
			return p.DNSSuffix
		}
	}
	return "amazonaws.com"
}
