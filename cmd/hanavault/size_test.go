package main

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// TestBinaryKeepsOnlyDescribeRegions: of the EC2 SDK, the binary holds the
// one operation hanavault calls. An SDK client stored in an interface
// keeps every exported method (about 700 EC2 operations, 19.8 MB, a third
// of the release binary); internal/awsapi holds DescribeRegions as a
// method value instead. The test reads the symbol table of a real build.
func TestBinaryKeepsOnlyDescribeRegions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	out, err := exec.Command("go", "tool", "nm", "-size", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	var ec2Bytes int64
	var ops []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.Contains(f[3], "aws-sdk-go-v2/service/ec2") {
			continue
		}
		if n, err := strconv.ParseInt(f[1], 10, 64); err == nil {
			ec2Bytes += n
		}
		if _, m, ok := strings.Cut(f[3], "ec2.(*Client)."); ok && m != "" && unicode.IsUpper(rune(m[0])) && !strings.HasPrefix(m, "DescribeRegions") && !strings.HasPrefix(m, "Options") {
			ops = append(ops, f[3]) // an exported operation other than ours
		}
	}
	if len(ops) > 0 {
		t.Errorf("the binary holds %d EC2 client methods besides DescribeRegions, e.g. %s", len(ops), ops[0])
	}
	if ec2Bytes > 2<<20 {
		t.Errorf("the EC2 SDK takes %.1f MB of the binary; DescribeRegions alone needs about 0.1 MB", float64(ec2Bytes)/(1<<20))
	}
	t.Logf("EC2 SDK in the binary: %.2f MB", float64(ec2Bytes)/(1<<20))
}
