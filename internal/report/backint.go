package report

import (
	"fmt"
	"strings"

	"github.com/hanavault/hanavault/internal/steps"
)

// RenderBackint writes the settings of aws-backint-agent-config.yaml for
// a landscape: the source bucket for backups, and commented, the replica
// for restoring in the replication region.
func RenderBackint(b *steps.BackintConfig) string {
	var s strings.Builder
	fmt.Fprintf(&s, "# AWS Backint Agent settings for SAP HANA system %s (written by hanavault).\n", b.SID)
	s.WriteString("# Put them into aws-backint-agent-config.yaml on the HANA host. The bucket\n")
	s.WriteString("# policy only accepts uploads that name this key, so keep S3SseKmsArn.\n")
	target(&s, b.Source, "")
	s.WriteString("\n# To restore from the replica (disaster recovery in " + b.Replica.Region + "), use instead:\n")
	target(&s, b.Replica, "# ")
	if len(b.IdentityPolicy) > 0 {
		s.WriteString("\n# The bucket and key policies already grant the EC2 role all the agent needs.\n")
		s.WriteString("# If your account prefers identity policies, this one on the EC2 role grants\n")
		s.WriteString("# the same (hanavault backint --json prints it as identityPolicy):\n")
		for _, line := range strings.Split(strings.TrimRight(string(b.IdentityPolicy), "\n"), "\n") {
			s.WriteString("#   " + line + "\n")
		}
	}
	return s.String()
}

func target(s *strings.Builder, t steps.BackintTarget, prefix string) {
	for _, kv := range [][2]string{
		{"S3BucketAwsRegion", quote(t.Region)},
		{"S3BucketName", quote(t.Bucket)},
		{"S3BucketFolder", quote(t.Folder)},
		{"S3BucketOwnerAccountID", quote(t.Account)},
		{"S3SseEnabled", "true"},
		{"S3SseKmsArn", quote(t.KMSKeyARN)},
	} {
		fmt.Fprintf(s, "%s%s: %s\n", prefix, kv[0], kv[1])
	}
}

// quote writes a YAML double-quoted string (the account ID must stay a
// string, as the agent's documentation asks).
func quote(v string) string { return `"` + strings.ReplaceAll(v, `"`, `\"`) + `"` }
