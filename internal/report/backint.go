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
	fmt.Fprintf(&s, "\n# The global.ini [backup] parameters for Backint: hanavault backint %s --global-ini\n", b.SID)
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

// BackintJSON is the answer of backint --json: the agent settings (with
// the EC2 role's identity policy) and the global.ini parameters.
type BackintJSON struct {
	*steps.BackintConfig
	GlobalINI map[string]string `json:"globalIni"`
}

// BackintParameterFile is where the AWS Backint Agent's configuration
// lives on a HANA host (AWS SAP HANA guide,
// aws-backint-agent-s3-installing-configuring).
func BackintParameterFile(sid string) string {
	return "/usr/sap/" + sid + "/SYS/global/hdb/opt/hdbconfig/aws-backint-agent-config.yaml"
}

// BackintGlobalINI returns the [backup] parameters of global.ini that send
// data, log and catalog backups through Backint with the agent's
// configuration file, in order.
func BackintGlobalINI(sid string) [][2]string {
	file := BackintParameterFile(sid)
	return [][2]string{
		{"catalog_backup_parameter_file", file},
		{"catalog_backup_using_backint", "true"},
		{"data_backup_parameter_file", file},
		{"log_backup_parameter_file", file},
		{"log_backup_using_backint", "true"},
	}
}

// RenderBackintGlobalINI writes the global.ini [backup] section for
// Backint, and the SQL that sets it in SYSTEMDB as comments.
func RenderBackintGlobalINI(sid string) string {
	var s strings.Builder
	fmt.Fprintf(&s, "# global.ini of SAP HANA system %s: data, log and catalog backups through\n", sid)
	s.WriteString("# AWS Backint Agent (system layer, SYSTEMDB).\n[backup]\n")
	kvs := BackintGlobalINI(sid)
	for _, kv := range kvs {
		fmt.Fprintf(&s, "%s = %s\n", kv[0], kv[1])
	}
	s.WriteString("\n# The same in SQL, as SYSTEM in SYSTEMDB:\n# ALTER SYSTEM ALTER CONFIGURATION ('global.ini', 'SYSTEM') SET\n")
	for i, kv := range kvs {
		sep := ","
		if i == len(kvs)-1 {
			sep = ""
		}
		fmt.Fprintf(&s, "#   ('backup', '%s') = '%s'%s\n", kv[0], kv[1], sep)
	}
	s.WriteString("#   WITH RECONFIGURE;\n")
	return s.String()
}

// quote writes a YAML double-quoted string (the account ID must stay a
// string, as the agent's documentation asks).
func quote(v string) string { return `"` + strings.ReplaceAll(v, `"`, `\"`) + `"` }
