// Package sdkpartitions reads the partition metadata the AWS SDK for Go
// embeds in its endpoint resolvers (internal/endpoints/awsrulesfn/
// partitions.json of the aws-sdk-go-v2 module in go.mod) as a file, without
// importing the SDK. go generate ./internal/cloud builds cloud's partition
// table from it, and internal/awsapi's tests compare the two.
package sdkpartitions

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Partition is one partition of the metadata.
type Partition struct {
	ID          string
	DNSSuffix   string
	RegionRegex string
	Regions     []string // sorted
}

// Read locates the aws-sdk-go-v2 module with `go list -m` and parses its
// partitions.json.
func Read() ([]Partition, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go-v2").Output()
	if err != nil {
		return nil, fmt.Errorf("locate the aws-sdk-go-v2 module: %w", err)
	}
	src := filepath.Join(strings.TrimSpace(string(out)), "internal", "endpoints", "awsrulesfn", "partitions.json")
	raw, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Partitions []struct {
			ID          string                     `json:"id"`
			RegionRegex string                     `json:"regionRegex"`
			Regions     map[string]json.RawMessage `json:"regions"`
			Outputs     struct {
				DNSSuffix string `json:"dnsSuffix"`
			} `json:"outputs"`
		} `json:"partitions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	ps := make([]Partition, len(doc.Partitions))
	for i, p := range doc.Partitions {
		ps[i] = Partition{ID: p.ID, DNSSuffix: p.Outputs.DNSSuffix, RegionRegex: p.RegionRegex, Regions: slices.Sorted(maps.Keys(p.Regions))}
	}
	return ps, nil
}
