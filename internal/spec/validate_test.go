package spec

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// check runs a validator case: wantRule "" means valid.
func check(t *testing.T, name string, err error, wantRule string) {
	t.Helper()
	switch {
	case wantRule == "" && err != nil:
		t.Errorf("%s: unexpected error %q", name, err)
	case wantRule != "" && err == nil:
		t.Errorf("%s: accepted, want error %q", name, wantRule)
	case wantRule != "" && err.Error() != wantRule:
		t.Errorf("%s: error %q, want %q", name, err, wantRule)
	}
}

func TestValidateSID(t *testing.T) {
	tests := []struct{ sid, rule string }{
		{"HAN", ""},
		{"P01", ""},
		{"A1B", ""},
		{"ZZZ", ""},
		{"", "SID is required"},
		{"HA", "SID is exactly 3 characters (this one has 2)"},
		{"HANA", "SID is exactly 3 characters (this one has 4)"},
		{"ÄBC", "SID starts with an uppercase letter A-Z"},
		{"han", `SID is uppercase (did you mean "HAN"?)`},
		{"Han", `SID is uppercase (did you mean "HAN"?)`},
		{"sap", "SID is reserved by SAP"}, // no suggestion of a reserved SID
		{"1AB", "SID starts with an uppercase letter A-Z"},
		{"_AB", "SID starts with an uppercase letter A-Z"},
		{"A-B", "SID uses only uppercase letters A-Z and digits 0-9"},
		{"AB ", "SID uses only uppercase letters A-Z and digits 0-9"},
		{"SAP", "SID is reserved by SAP"},
		{"SID", "SID is reserved by SAP"},
		{"ADD", "SID is reserved by SAP"},
		{"VAR", "SID is reserved by SAP"},
		{"LOG", "SID is reserved by SAP"},
	}
	for _, tt := range tests {
		check(t, fmt.Sprintf("ValidateSID(%q)", tt.sid), ValidateSID(tt.sid), tt.rule)
	}
}

func TestReservedSIDList(t *testing.T) {
	// SAP note 1979280 as quoted in the task, typed again to catch
	// transcription slips in either copy.
	const note = "ADD ALL AMD AND ANY ARE ASC AUX AVG BIN BIT CDC COM CON DBA END EPS FOR GET GID IBM INT " +
		"KEY LOG LPT MAP MAX MIN MON NIX NOT NUL OFF OLD OMS OUT PAD PRN RAW REF ROW SAP SET SGA SHG SID " +
		"SQL SUM SYS TMP TOP UID USE USR VAR"
	want := strings.Fields(note)
	if d := cmp.Diff(want, reservedSIDs); d != "" {
		t.Errorf("reserved SIDs (-note +code):\n%s", d)
	}
	for _, s := range want {
		if !IsReservedSID(s) || ValidateSID(s) == nil {
			t.Errorf("%s is not rejected", s)
		}
	}
}

func TestValidateBucketName(t *testing.T) {
	const (
		charset  = "bucket names use only lowercase letters, digits, dots and hyphens"
		startEnd = "bucket names start and end with a lowercase letter or digit"
	)
	tests := []struct{ name, rule string }{
		{"abc", ""},
		{"hana-backup-han-123456789012-eu-central-1", ""},
		{"my.backup.bucket", ""},
		{"123", ""},
		{"1.2.3", ""},
		{"1.2.3.4.5", ""},
		{strings.Repeat("a", 63), ""},
		{"xn-abc", ""},
		{"abc-s3alias1", ""},
		{"", "bucket name is required"},
		{"ab", "bucket names are 3 to 63 characters long (this one has 2)"},
		{strings.Repeat("a", 64), "bucket names are 3 to 63 characters long (this one has 64)"},
		{"My_Bucket", charset},
		{"mybucket_", charset},
		{"my bucket", charset},
		{"bücket", charset},
		{"-abc", startEnd},
		{"abc-", startEnd},
		{".abc", startEnd},
		{"abc.", startEnd},
		{"a..b", "bucket names must not contain two adjacent dots"},
		{"192.168.5.4", "bucket names must not be formatted as an IP address (like 192.168.5.4)"},
		{"999.999.999.999", "bucket names must not be formatted as an IP address (like 192.168.5.4)"},
		{"xn--abc", `bucket names must not start with "xn--" (reserved by AWS)`},
		{"sthree-abc", `bucket names must not start with "sthree-" (reserved by AWS)`},
		{"sthree-configurator", `bucket names must not start with "sthree-" (reserved by AWS)`},
		{"amzn-s3-demo-bucket", `bucket names must not start with "amzn-s3-demo-" (reserved by AWS)`},
		{"abc-s3alias", `bucket names must not end with "-s3alias" (reserved by AWS)`},
		{"abc--ol-s3", `bucket names must not end with "--ol-s3" (reserved by AWS)`},
		{"abc.mrap", `bucket names must not end with ".mrap" (reserved by AWS)`},
		{"abc--x-s3", `bucket names must not end with "--x-s3" (reserved by AWS)`},
		{"abc--table-s3", `bucket names must not end with "--table-s3" (reserved by AWS)`},
	}
	for _, tt := range tests {
		check(t, fmt.Sprintf("ValidateBucketName(%q)", tt.name), ValidateBucketName(tt.name), tt.rule)
	}
}

func TestValidateAlias(t *testing.T) {
	const charset = "aliases use only letters, digits, slashes, underscores and hyphens after alias/"
	tests := []struct{ in, want, rule string }{
		{"alias/hana-backup-han", "alias/hana-backup-han", ""},
		{"hana-backup-han", "alias/hana-backup-han", ""},
		{"  alias/Team_A/key-1 ", "alias/Team_A/key-1", ""},
		{"alias/aws", "alias/aws", ""},
		{"alias/" + strings.Repeat("k", 250), "alias/" + strings.Repeat("k", 250), ""},
		{"", "", "KMS alias is required"},
		{"   ", "", "KMS alias is required"},
		{"alias/", "alias/", "alias needs a name after alias/"},
		{"alias/" + strings.Repeat("k", 251), "alias/" + strings.Repeat("k", 251), "aliases are at most 256 characters, alias/ included (this one has 257)"},
		{"alias/my key", "alias/my key", charset},
		{"alias/my.key", "alias/my.key", charset},
		{"alias/kéy", "alias/kéy", charset},
		{"alias/aws/s3", "alias/aws/s3", "alias/aws/ is reserved for AWS managed keys, in any case"},
		{"aws/s3", "alias/aws/s3", "alias/aws/ is reserved for AWS managed keys, in any case"},
		{"alias/AWS/backup", "alias/AWS/backup", "alias/aws/ is reserved for AWS managed keys, in any case"},
		{"Aws/backup", "alias/Aws/backup", "alias/aws/ is reserved for AWS managed keys, in any case"},
	}
	for _, tt := range tests {
		got, err := ValidateAlias(tt.in)
		check(t, fmt.Sprintf("ValidateAlias(%q)", tt.in), err, tt.rule)
		if got != tt.want {
			t.Errorf("ValidateAlias(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidateRoleRef(t *testing.T) {
	const nameChars = "role names use only letters, digits and + = , . @ _ -"
	tests := []struct{ ref, rule string }{
		{"HanaBackupRole", ""},
		{"a+b=c,d.e@f_g-h", ""},
		{strings.Repeat("r", 64), ""},
		{"arn:aws:iam::123456789012:role/HanaBackupRole", ""},
		{"arn:aws-cn:iam::123456789012:role/x", ""},
		{"arn:aws-us-gov:iam::123456789012:role/ops/team/Admin", ""},
		{"arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1a2b", ""},
		{"", "role is required (a role name or role ARN)"},
		{strings.Repeat("r", 65), "role names are 1 to 64 characters (this one has 65)"},
		{"my role", nameChars},
		{"role#1", nameChars},
		{"ops/Admin", nameChars + " (to give a path, use the role ARN)"},
		{"iam::123:role/x", nameChars + " (to give a path, use the role ARN)"},
		{"arn:aws:iam::123456789012", "role ARNs look like arn:<partition>:iam::<account>:role/<name>"},
		{"arn:azure:iam::123456789012:role/x", `role ARN partition "azure" is not an AWS partition (aws, aws-cn, aws-us-gov...)`},
		{"arn:aws:sts::123456789012:role/x", `role ARN service is iam, not "sts"`},
		{"arn:aws:iam:eu-west-1:123456789012:role/x", `IAM role ARNs have no region (remove "eu-west-1")`},
		{"arn:aws:iam::12345678901:role/x", `role ARN account "12345678901" is not a 12-digit account ID`},
		{"arn:aws:iam::12345678901a:role/x", `role ARN account "12345678901a" is not a 12-digit account ID`},
		{"arn:aws:iam::123456789012:user/x", `role ARN resource "user/x" is not role/<name>`},
		{"arn:aws:iam::123456789012:role/", "role ARN name: role name is required"},
		{"arn:aws:iam::123456789012:role/ops/", "role ARN name: role name is required"},
		{"arn:aws:iam::123456789012:role/bad name", "role ARN name: " + nameChars},
		{"arn:aws:iam::123456789012:role/a b/x", `role ARN path "/a b/" uses characters IAM does not allow (printable ASCII only)`},
		{"arn:aws:iam::123456789012:role/" + strings.Repeat("p", 520) + "/x", "role ARN path is at most 512 characters (this one has 522)"},
	}
	for _, tt := range tests {
		check(t, fmt.Sprintf("ValidateRoleRef(%q)", tt.ref), ValidateRoleRef(tt.ref), tt.rule)
	}
}

func TestValidateRegion(t *testing.T) {
	tests := []struct{ region, rule string }{
		{"eu-central-1", ""},
		{"us-east-1", ""},
		{"cn-north-1", ""},
		{"us-gov-west-1", ""},
		{"", "region is required"},
		{"EU-CENTRAL-1", `region codes are lowercase without spaces (did you mean "eu-central-1"?)`},
		{" eu-west-1", `region codes are lowercase without spaces (did you mean "eu-west-1"?)`},
		{"eu-centrl-1", `not a known AWS region (did you mean "eu-central-1"?)`},
		{"eu-west-9", `not a known AWS region (did you mean "eu-west-1"?)`},
		{"mars-north-1", "not a known AWS region code (like eu-central-1)"},
		{"Frankfurt", "not a known AWS region code (like eu-central-1)"},
	}
	for _, tt := range tests {
		check(t, fmt.Sprintf("ValidateRegion(%q)", tt.region), ValidateRegion(tt.region), tt.rule)
	}
}

func TestValidateRegionPair(t *testing.T) {
	tests := []struct{ src, dst, rule string }{
		{"eu-central-1", "eu-west-1", ""},
		{"cn-north-1", "cn-northwest-1", ""},
		{"us-gov-west-1", "us-gov-east-1", ""},
		{"eu-central-1", "bogus-1", ""}, // ValidateRegion reports bogus-1
		{"eu-central-1", "eu-central-1", "the replication region must differ from the source region"},
		{"cn-north-1", "eu-west-1", "eu-west-1 is in partition aws but cn-north-1 is in aws-cn; replication stays within one partition"},
		{"us-east-1", "us-gov-east-1", "us-gov-east-1 is in partition aws-us-gov but us-east-1 is in aws; replication stays within one partition"},
	}
	for _, tt := range tests {
		check(t, fmt.Sprintf("ValidateRegionPair(%q, %q)", tt.src, tt.dst), ValidateRegionPair(tt.src, tt.dst), tt.rule)
	}
}

func TestValidateStorageClass(t *testing.T) {
	const rule = "storage class is GLACIER, DEEP_ARCHIVE or GLACIER_IR"
	tests := []struct{ class, rule string }{
		{"GLACIER", ""},
		{"DEEP_ARCHIVE", ""},
		{"GLACIER_IR", ""},
		{"", rule},
		{"STANDARD_IA", rule},
		{"glacier", rule + ` (did you mean "GLACIER"?)`},
		{"deep-archive", rule + ` (did you mean "DEEP_ARCHIVE"?)`},
	}
	for _, tt := range tests {
		check(t, fmt.Sprintf("ValidateStorageClass(%q)", tt.class), ValidateStorageClass(tt.class), tt.rule)
	}
	if got := MinStorageDays(StorageClassDeepArchive); got != 180 {
		t.Errorf("MinStorageDays(DEEP_ARCHIVE) = %d, want 180", got)
	}
	if got := MinStorageDays("STANDARD"); got != 0 {
		t.Errorf("MinStorageDays(STANDARD) = %d, want 0", got)
	}
}

func TestValidateNumber(t *testing.T) {
	tests := []struct {
		field string
		v     int
		rule  string
	}{
		{"lifecycle.transitionDays", 0, ""},
		{"lifecycle.transitionDays", 3650, ""},
		{"lifecycle.transitionDays", -1, "must be 0 to 3650 days (0 archives at once)"},
		{"lifecycle.transitionDays", 3651, "must be 0 to 3650 days (0 archives at once)"},
		{"lifecycle.archiveDays", 1, ""},
		{"lifecycle.archiveDays", 0, "must be 1 to 3650 days"},
		{"lifecycle.noncurrentExpirationDays", 3651, "must be 1 to 3650 days"},
		{"lifecycle.abortIncompleteMultipartDays", 365, ""},
		{"lifecycle.abortIncompleteMultipartDays", 366, "must be 1 to 365 days"},
		{"logRetentionDays", 0, "must be 1 to 3650 days"},
		{"kmsDeletionWindowDays", 7, ""},
		{"kmsDeletionWindowDays", 30, ""},
		{"kmsDeletionWindowDays", 6, "KMS waits 7 to 30 days before it deletes a key"},
		{"kmsDeletionWindowDays", 31, "KMS waits 7 to 30 days before it deletes a key"},
		{"recoveryWindowDays", 0, ""},
		{"recoveryWindowDays", -5, "must be 0 to 3650 days (0 = not stated)"},
	}
	for _, tt := range tests {
		check(t, fmt.Sprintf("ValidateNumber(%q, %d)", tt.field, tt.v), ValidateNumber(tt.field, tt.v), tt.rule)
	}
	if err := ValidateNumber("sid", 1); err == nil || !strings.Contains(err.Error(), "not a numeric landscape field") {
		t.Errorf("ValidateNumber(sid) = %v, want a not-numeric error", err)
	}
	if r, ok := NumberRange("kmsDeletionWindowDays"); !ok || r != (Range{7, 30}) {
		t.Errorf("NumberRange(kmsDeletionWindowDays) = %v, %v", r, ok)
	}
}

func TestValidateTags(t *testing.T) {
	const keyChars = "tag keys use only letters, digits, spaces and _ . : / = + - @"
	keys := []struct{ key, rule string }{
		{"CostCenter", ""},
		{"team:owner/x=y+z-@_ .", ""},
		{"Kostenstelle Ä", ""},
		{strings.Repeat("k", 128), ""},
		{"", "tag keys are 1 to 128 characters (this one has 0)"},
		{strings.Repeat("k", 129), "tag keys are 1 to 128 characters (this one has 129)"},
		{"aws:cloudformation", "the aws: prefix is reserved for AWS"},
		{"AWS:x", "the aws: prefix is reserved for AWS"},
		{"hanavault:landscape", "the hanavault: prefix is reserved for hanavault's own tags"},
		{"HanaVault:x", "the hanavault: prefix is reserved for hanavault's own tags"},
		{"cost#center", keyChars},
		{"a\tb", keyChars},
		{"\xff", keyChars},
	}
	for _, tt := range keys {
		check(t, fmt.Sprintf("ValidateTagKey(%q)", tt.key), ValidateTagKey(tt.key), tt.rule)
	}
	values := []struct{ value, rule string }{
		{"", ""},
		{"Basis Team", ""},
		{strings.Repeat("v", 256), ""},
		{strings.Repeat("v", 257), "tag values are at most 256 characters (this one has 257)"},
		{"a\nb", "tag values use only letters, digits, spaces and _ . : / = + - @"},
	}
	for _, tt := range values {
		check(t, fmt.Sprintf("ValidateTagValue(%q)", tt.value), ValidateTagValue(tt.value), tt.rule)
	}
}

// validLandscape is a complete, valid landscape.
func validLandscape() Landscape {
	l := Defaults("HAN", "123456789012", "eu-central-1", "eu-west-1")
	l.EC2RoleToRunBackup = "HanaBackupRole"
	l.KMSAdminRole = "arn:aws:iam::123456789012:role/ops/KeyAdmin"
	l.Tags = map[string]string{"CostCenter": "4711"}
	return l
}

func TestValidateLandscapeValid(t *testing.T) {
	if err := validLandscape().Validate(); err != nil {
		t.Fatalf("valid landscape: %v", err)
	}
	// Zero options are fine: Validate checks the normalised landscape.
	l := validLandscape()
	l.Lifecycle = Lifecycle{}
	l.OriginalLogBucketName, l.ReplicationLogBucketName, l.ReplicationRoleName = "", "", ""
	l.LogRetentionDays, l.KMSDeletionWindowDays = 0, 0
	if err := l.Validate(); err != nil {
		t.Fatalf("landscape with zero options: %v", err)
	}
}

func TestValidateLandscapeErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Landscape)
		want   []string // FieldError texts, in order
	}{
		{"everything missing", func(l *Landscape) { *l = Landscape{} }, []string{
			"sid: SID is required",
			"sourceRegion: region is required",
			"replicationRegion: region is required",
			"originalBucketName: bucket name is required",
			"replicationBucketName: bucket name is required",
			"originalCMKAlias: KMS alias is required",
			"replicationCMKAlias: KMS alias is required",
			"ec2RoleToRunBackup: role is required (a role name or role ARN)",
			"kmsAdminRole: role is required (a role name or role ARN)",
		}},
		{"bad bucket and its derived log bucket reported once", func(l *Landscape) {
			l.OriginalBucketName, l.OriginalLogBucketName = "My_Bucket", ""
		}, []string{
			`originalBucketName "My_Bucket": bucket names use only lowercase letters, digits, dots and hyphens`,
		}},
		{"explicit log bucket is checked even when its bucket is bad", func(l *Landscape) {
			l.OriginalBucketName, l.OriginalLogBucketName = "My_Bucket", "Bad_Log"
		}, []string{
			`originalBucketName "My_Bucket": bucket names use only lowercase letters, digits, dots and hyphens`,
			`originalLogBucketName "Bad_Log": bucket names use only lowercase letters, digits, dots and hyphens`,
		}},
		{"explicit role name is checked even when the SID is bad", func(l *Landscape) {
			l.SID, l.ReplicationRoleName = "H", "bad role"
		}, []string{
			`sid "H": SID is exactly 3 characters (this one has 1)`,
			`replicationRoleName "bad role": role names use only letters, digits and + = , . @ _ -`,
		}},
		{"derived log bucket too long", func(l *Landscape) {
			l.OriginalBucketName, l.OriginalLogBucketName = strings.Repeat("b", 60), ""
		}, []string{
			`originalLogBucketName "` + strings.Repeat("b", 60) + `-logs": bucket names are 3 to 63 characters long (this one has 65) ` +
				`(derived as <originalBucketName>-logs: keep originalBucketName to 58 characters or set originalLogBucketName)`,
		}},
		{"lowercase SID, derived role name not reported", func(l *Landscape) {
			l.SID, l.ReplicationRoleName = "han", ""
		}, []string{`sid "han": SID is uppercase (did you mean "HAN"?)`}},
		{"same region twice", func(l *Landscape) { l.ReplicationRegion = "eu-central-1" }, []string{
			`replicationRegion "eu-central-1": the replication region must differ from the source region`,
		}},
		{"log bucket is its own backup bucket", func(l *Landscape) { l.OriginalLogBucketName = l.OriginalBucketName }, []string{
			`originalLogBucketName "hana-backup-han-123456789012-eu-central-1": a log bucket must not be its own backup bucket (S3 cannot log a bucket into itself)`,
		}},
		{"bucket names not distinct", func(l *Landscape) {
			l.ReplicationBucketName = l.OriginalBucketName
			l.ReplicationLogBucketName = "x-logs"
		}, []string{
			`replicationBucketName "hana-backup-han-123456789012-eu-central-1": the four bucket names must be distinct (same as originalBucketName)`,
		}},
		{"aliases", func(l *Landscape) { l.OriginalCMKAlias = "aws/s3"; l.ReplicationCMKAlias = "alias/bad key" }, []string{
			`originalCMKAlias "alias/aws/s3": alias/aws/ is reserved for AWS managed keys, in any case`,
			`replicationCMKAlias "alias/bad key": aliases use only letters, digits, slashes, underscores and hyphens after alias/`,
		}},
		{"roles", func(l *Landscape) { l.EC2RoleToRunBackup = "arn:aws:iam::1:role/x"; l.ReplicationRoleName = "KeyAdmin" }, []string{
			`ec2RoleToRunBackup "arn:aws:iam::1:role/x": role ARN account "1" is not a 12-digit account ID`,
			`replicationRoleName "KeyAdmin": hanavault creates and deletes the replication role, so it must not be kmsAdminRole`,
		}},
		{"replication role equals the EC2 role ignoring case", func(l *Landscape) { l.ReplicationRoleName = "hanabackuprole" }, []string{
			`replicationRoleName "hanabackuprole": hanavault creates and deletes the replication role, so it must not be ec2RoleToRunBackup`,
		}},
		{"numbers and storage class", func(l *Landscape) {
			l.Lifecycle = Lifecycle{TransitionDays: -1, StorageClass: "STANDARD", ArchiveDays: 4000, NoncurrentExpirationDays: -3, AbortIncompleteMultipartDays: 400}
			l.LogRetentionDays, l.KMSDeletionWindowDays, l.RecoveryWindowDays = -1, 45, 9999
		}, []string{
			"lifecycle.transitionDays -1: must be 0 to 3650 days (0 archives at once)",
			`lifecycle.storageClass "STANDARD": storage class is GLACIER, DEEP_ARCHIVE or GLACIER_IR`,
			"lifecycle.archiveDays 4000: must be 1 to 3650 days",
			"lifecycle.noncurrentExpirationDays -3: must be 1 to 3650 days",
			"lifecycle.abortIncompleteMultipartDays 400: must be 1 to 365 days",
			"logRetentionDays -1: must be 1 to 3650 days",
			"kmsDeletionWindowDays 45: KMS waits 7 to 30 days before it deletes a key",
			"recoveryWindowDays 9999: must be 0 to 3650 days (0 = not stated)",
		}},
		{"tags", func(l *Landscape) {
			l.Tags = map[string]string{"aws:x": "1", "Owner": "a\nb", "owner": "c", "ok": "fine"}
		}, []string{
			`tags.Owner "a\nb": tag values use only letters, digits, spaces and _ . : / = + - @`,
			`tags.aws:x "aws:x": the aws: prefix is reserved for AWS`,
			`tags.owner "owner": differs from tag key "Owner" only in case; IAM roles treat tag keys case-insensitively`,
		}},
		{"too many tags", func(l *Landscape) {
			l.Tags = map[string]string{}
			for i := range 41 {
				l.Tags[fmt.Sprintf("k%02d", i)] = "v"
			}
		}, []string{"tags: at most 40 tags (this landscape has 41)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := validLandscape()
			tt.change(&l)
			err := l.Validate()
			var es ValidationErrors
			if !errors.As(err, &es) {
				t.Fatalf("Validate() = %v, want ValidationErrors", err)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.Error())
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("errors (-want +got):\n%s", d)
			}
			var fe FieldError
			if !errors.As(err, &fe) || fe != es[0] {
				t.Errorf("errors.As(FieldError) = %v, want the first error", fe)
			}
			if !strings.Contains(err.Error(), es[len(es)-1].Error()) {
				t.Errorf("Error() %q lacks the last field error", err)
			}
			// Callers often apply the defaults first; the result is the same.
			n := l.Normalized()
			if d := cmp.Diff(err, n.Validate()); d != "" {
				t.Errorf("Validate after ApplyDefaults differs (-raw +normalised):\n%s", d)
			}
		})
	}
}

func TestValidationErrorsFields(t *testing.T) {
	es := ValidationErrors{{Field: "a"}, {Field: "b"}, {Field: "a"}}
	if d := cmp.Diff([]string{"a", "b"}, es.Fields()); d != "" {
		t.Error(d)
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Landscape)
		want   []Warning
	}{
		{"defaults: noncurrent fees and unstated recovery window", func(*Landscape) {}, []Warning{
			{"lifecycle.noncurrentExpirationDays", "a backup HANA deletes soon after day 7 (when it moved to GLACIER) is removed 30 days later, after as little as 30 days in GLACIER, less than its 90-day minimum storage duration: early-deletion fees"},
			{"recoveryWindowDays", "not stated: backups move to GLACIER after 7 days, and recovery from an archived backup needs a restore (thaw) from GLACIER first (hours; 3-5 with standard retrieval); set recoveryWindowDays to check the lifecycle against your recovery needs"},
		}},
		{"recovery window beyond the transition", func(l *Landscape) {
			l.RecoveryWindowDays, l.Lifecycle.NoncurrentExpirationDays = 30, 90
		}, []Warning{
			{"recoveryWindowDays", "point-in-time recovery older than 7 days needs a restore (thaw) from GLACIER first (hours; 3-5 with standard retrieval)"},
		}},
		{"recovery window with deletes after archiving", func(l *Landscape) {
			l.RecoveryWindowDays = 30
		}, []Warning{
			{"lifecycle.noncurrentExpirationDays", "a backup HANA deletes at day 30 (recoveryWindowDays) has been in GLACIER since day 7 and is removed 30 days later, after 53 days in GLACIER, less than its 90-day minimum storage duration: early-deletion fees"},
			{"recoveryWindowDays", "point-in-time recovery older than 7 days needs a restore (thaw) from GLACIER first (hours; 3-5 with standard retrieval)"},
		}},
		{"recovery window inside the transition: HANA deletes before archiving", func(l *Landscape) {
			l.RecoveryWindowDays, l.Lifecycle.TransitionDays = 14, 21
		}, nil},
		{"recovery window beyond expiry", func(l *Landscape) {
			l.RecoveryWindowDays, l.Lifecycle.NoncurrentExpirationDays = 400, 90
		}, []Warning{
			{"recoveryWindowDays", "backups expire at day 372 (transitionDays + archiveDays), before the 400-day recovery window ends"},
		}},
		{"deep archive expiring early", func(l *Landscape) {
			l.Lifecycle = Lifecycle{TransitionDays: 30, StorageClass: StorageClassDeepArchive, ArchiveDays: 100, NoncurrentExpirationDays: 60}
			l.RecoveryWindowDays = 20
		}, []Warning{
			{"lifecycle.archiveDays", "backups stay in DEEP_ARCHIVE only 160 days (archiveDays 100 + noncurrentExpirationDays 60) before deletion, less than its 180-day minimum storage duration: every backup pays a prorated early-deletion fee"},
		}},
		{"glacier instant retrieval needs no thaw", func(l *Landscape) {
			l.Lifecycle.StorageClass, l.Lifecycle.NoncurrentExpirationDays = StorageClassGlacierIR, 90
			l.RecoveryWindowDays = 10
		}, []Warning{
			{"recoveryWindowDays", "point-in-time recovery older than 7 days reads from GLACIER_IR: no thaw, but a per-GB retrieval fee"},
		}},
		{"strict header, lambda bucket, shared role, dotted names", func(l *Landscape) {
			l.RecoveryWindowDays, l.Lifecycle.TransitionDays, l.Lifecycle.NoncurrentExpirationDays = 5, 7, 90
			l.RequireEncryptionHeader = true
			l.BucketNameForLambdaCode = "old-lambda-code"
			l.KMSAdminRole = "arn:aws:iam::123456789012:role/HanaBackupRole"
			l.ReplicationBucketName, l.ReplicationLogBucketName = "dr.backup.han", ""
		}, []Warning{
			{"requireEncryptionHeader", "uploads without an encryption header are denied: multipart UploadPart requests carry no encryption header and uploads relying on the bucket's default encryption send none, so HANA Backint multipart backups fail; leave it off unless every writer sends the header on every request"},
			{"bucketNameForLambdaCode", "ignored: hanavault creates the replica region directly and needs no Lambda code bucket"},
			{"kmsAdminRole", "the same role administers the keys and uses them for backups; a separate admin role keeps key administration apart from data access"},
			{"replicationBucketName", "dots break virtual-hosted TLS and Transfer Acceleration; prefer hyphens"},
			{"replicationLogBucketName", "dots break virtual-hosted TLS and Transfer Acceleration; prefer hyphens"},
		}},
		{"invalid lifecycle gives no lifecycle warnings", func(l *Landscape) {
			l.Lifecycle.StorageClass = "TAPE"
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := validLandscape()
			tt.change(&l)
			if d := cmp.Diff(tt.want, l.Warnings()); d != "" {
				t.Errorf("warnings (-want +got):\n%s", d)
			}
		})
	}
	if got := (Warning{"a", "b"}).String(); got != "a: b" {
		t.Errorf("Warning.String() = %q", got)
	}
}
