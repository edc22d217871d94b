package spec

import "testing"

func TestPartnerRegionIsAKnownRegionOfTheSamePartitionWithoutOptIn(t *testing.T) {
	// Regions every account has enabled (launched before opt-in began).
	optIn := map[string]bool{"af-south-1": true, "ap-east-1": true, "ap-south-2": true, "ap-southeast-3": true,
		"ap-southeast-4": true, "ca-west-1": true, "eu-south-1": true, "eu-south-2": true, "eu-central-2": true,
		"il-central-1": true, "me-south-1": true, "me-central-1": true}
	for src, dst := range partnerRegions {
		s, ok1 := LookupRegion(src)
		d, ok2 := LookupRegion(dst)
		if !ok1 || !ok2 || s.Partition != d.Partition || src == dst {
			t.Errorf("%s → %s: both must be known regions of one partition", src, dst)
		}
		if optIn[dst] {
			t.Errorf("%s → %s: the proposal needs an opt-in", src, dst)
		}
		if err := ValidateRegionPair(src, dst); err != nil {
			t.Errorf("%s → %s: %v", src, dst, err)
		}
	}
	if PartnerRegion("eu-central-1") != "eu-west-1" || PartnerRegion("xx-nowhere-1") != "" {
		t.Error("PartnerRegion lookups")
	}
}
