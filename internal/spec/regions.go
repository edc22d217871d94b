package spec

import (
	"fmt"
	"strings"
)

// RegionInfo describes an AWS region hanavault can deploy to.
type RegionInfo struct {
	Name        string // region code, e.g. eu-central-1
	Description string // display name, e.g. Europe (Frankfurt)
	Partition   string // aws, aws-cn, aws-us-gov or aws-eusc
}

// Partitions. Replication works only between regions of one partition.
const (
	PartitionAWS      = "aws"
	PartitionChina    = "aws-cn"
	PartitionGovCloud = "aws-us-gov"
	PartitionEUSC     = "aws-eusc"
)

// regions is the table of known regions: commercial, China, GovCloud and
// the European Sovereign Cloud, grouped by partition and sorted by name.
// Names and display names follow the AWS SDK's partition metadata.
var regions = []RegionInfo{
	{"af-south-1", "Africa (Cape Town)", PartitionAWS},
	{"ap-east-1", "Asia Pacific (Hong Kong)", PartitionAWS},
	{"ap-east-2", "Asia Pacific (Taipei)", PartitionAWS},
	{"ap-northeast-1", "Asia Pacific (Tokyo)", PartitionAWS},
	{"ap-northeast-2", "Asia Pacific (Seoul)", PartitionAWS},
	{"ap-northeast-3", "Asia Pacific (Osaka)", PartitionAWS},
	{"ap-south-1", "Asia Pacific (Mumbai)", PartitionAWS},
	{"ap-south-2", "Asia Pacific (Hyderabad)", PartitionAWS},
	{"ap-southeast-1", "Asia Pacific (Singapore)", PartitionAWS},
	{"ap-southeast-2", "Asia Pacific (Sydney)", PartitionAWS},
	{"ap-southeast-3", "Asia Pacific (Jakarta)", PartitionAWS},
	{"ap-southeast-4", "Asia Pacific (Melbourne)", PartitionAWS},
	{"ap-southeast-5", "Asia Pacific (Malaysia)", PartitionAWS},
	{"ap-southeast-6", "Asia Pacific (New Zealand)", PartitionAWS},
	{"ap-southeast-7", "Asia Pacific (Thailand)", PartitionAWS},
	{"ca-central-1", "Canada (Central)", PartitionAWS},
	{"ca-west-1", "Canada West (Calgary)", PartitionAWS},
	{"eu-central-1", "Europe (Frankfurt)", PartitionAWS},
	{"eu-central-2", "Europe (Zurich)", PartitionAWS},
	{"eu-north-1", "Europe (Stockholm)", PartitionAWS},
	{"eu-south-1", "Europe (Milan)", PartitionAWS},
	{"eu-south-2", "Europe (Spain)", PartitionAWS},
	{"eu-west-1", "Europe (Ireland)", PartitionAWS},
	{"eu-west-2", "Europe (London)", PartitionAWS},
	{"eu-west-3", "Europe (Paris)", PartitionAWS},
	{"il-central-1", "Israel (Tel Aviv)", PartitionAWS},
	{"me-central-1", "Middle East (UAE)", PartitionAWS},
	{"me-south-1", "Middle East (Bahrain)", PartitionAWS},
	{"me-west-1", "Middle East (Saudi Arabia)", PartitionAWS},
	{"mx-central-1", "Mexico (Central)", PartitionAWS},
	{"sa-east-1", "South America (Sao Paulo)", PartitionAWS},
	{"sa-west-1", "South America (Chile)", PartitionAWS},
	{"us-east-1", "US East (N. Virginia)", PartitionAWS},
	{"us-east-2", "US East (Ohio)", PartitionAWS},
	{"us-west-1", "US West (N. California)", PartitionAWS},
	{"us-west-2", "US West (Oregon)", PartitionAWS},
	{"cn-north-1", "China (Beijing)", PartitionChina},
	{"cn-northwest-1", "China (Ningxia)", PartitionChina},
	{"us-gov-east-1", "AWS GovCloud (US-East)", PartitionGovCloud},
	{"us-gov-west-1", "AWS GovCloud (US-West)", PartitionGovCloud},
	{"eusc-de-east-1", "AWS European Sovereign Cloud (Germany)", PartitionEUSC},
}

// regionIndex maps a region code to its row in regions.
var regionIndex = func() map[string]int {
	m := make(map[string]int, len(regions))
	for i, r := range regions {
		m[r.Name] = i
	}
	return m
}()

// Regions returns the known regions, grouped by partition (commercial
// first) and sorted by name within each. The slice is a fresh copy.
func Regions() []RegionInfo {
	return append([]RegionInfo(nil), regions...)
}

// LookupRegion returns the known region called name.
func LookupRegion(name string) (RegionInfo, bool) {
	i, ok := regionIndex[name]
	if !ok {
		return RegionInfo{}, false
	}
	return regions[i], true
}

// ValidateRegion checks that name is a known region code.
func ValidateRegion(name string) error {
	if name == "" {
		return ruleError("region is required")
	}
	if _, ok := LookupRegion(name); ok {
		return nil
	}
	if _, ok := LookupRegion(strings.ToLower(strings.TrimSpace(name))); ok {
		return ruleError(fmt.Sprintf("region codes are lowercase without spaces (did you mean %q?)", strings.ToLower(strings.TrimSpace(name))))
	}
	names := make([]string, len(regions))
	for i, r := range regions {
		names[i] = r.Name
	}
	if s := closest(name, names); s != "" {
		return ruleError(fmt.Sprintf("not a known AWS region (did you mean %q?)", s))
	}
	return ruleError("not a known AWS region code (like eu-central-1)")
}

// ValidateRegionPair checks that the source and replication regions are
// both known, different, and in one partition (replication cannot cross
// partitions). It reports only the pair rules once both regions are valid
// on their own, and returns nil when either is not.
func ValidateRegionPair(source, replica string) error {
	s, ok1 := LookupRegion(source)
	r, ok2 := LookupRegion(replica)
	if !ok1 || !ok2 {
		return nil
	}
	if s.Name == r.Name {
		return ruleError("the replication region must differ from the source region")
	}
	if s.Partition != r.Partition {
		return ruleError(fmt.Sprintf("%s is in partition %s but %s is in %s; replication stays within one partition",
			r.Name, r.Partition, s.Name, s.Partition))
	}
	return nil
}

// partnerRegions proposes, for common source regions, a replication region
// in the same partition that every account has enabled (no opt-in), close
// by and, where one exists, in the same country or jurisdiction.
var partnerRegions = map[string]string{
	"eu-central-1": "eu-west-1", "eu-west-1": "eu-central-1", "eu-west-2": "eu-west-1",
	"eu-west-3": "eu-central-1", "eu-north-1": "eu-central-1", "eu-south-1": "eu-central-1",
	"eu-central-2": "eu-central-1", "eu-south-2": "eu-west-3",
	"us-east-1": "us-west-2", "us-east-2": "us-west-2", "us-west-1": "us-east-1", "us-west-2": "us-east-1",
	"ca-central-1": "us-east-1", "sa-east-1": "us-east-1",
	"ap-southeast-1": "ap-southeast-2", "ap-southeast-2": "ap-southeast-1",
	"ap-northeast-1": "ap-northeast-3", "ap-northeast-3": "ap-northeast-1",
	"ap-northeast-2": "ap-northeast-1", "ap-south-1": "ap-southeast-1",
	"cn-north-1": "cn-northwest-1", "cn-northwest-1": "cn-north-1",
	"us-gov-west-1": "us-gov-east-1", "us-gov-east-1": "us-gov-west-1",
}

// PartnerRegion proposes a replication region for src, or "" when there is
// no obvious choice.
func PartnerRegion(src string) string { return partnerRegions[src] }
