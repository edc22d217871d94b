package ui

// This file is the wizard's only contact with the spec validators and
// defaults and the report renderers, which other helpers are writing at
// the same time. Until they land, the functions below carry interim
// implementations of the same rules; each is replaced by a one-line call
// when its counterpart exists.

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/hanavault/hanavault/internal/spec"
)

var (
	sidPattern   = regexp.MustCompile(`^[A-Z][A-Z0-9]{2}$`)
	aliasPattern = regexp.MustCompile(`^alias/[A-Za-z0-9/_-]{1,250}$`)
	rolePattern  = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	roleARN      = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/(?:[\x21-\x7e]*/)?[\w+=,.@-]{1,64}$`)
	bucketChars  = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	reservedSIDs = strings.Fields(`ADD ALL AMD AND ANY ARE ASC AUX AVG BIN BIT CDC COM CON DBA END EPS FOR
		GET GID IBM INT KEY LOG LPT MAP MAX MIN MON NIX NOT NUL OFF OLD OMS OUT PAD PRN RAW REF ROW SAP SET
		SGA SHG SID SQL SUM SYS TMP TOP UID USE USR VAR`)
)

// validateSID checks an SAP system ID.
func validateSID(s string) error {
	switch {
	case s == "":
		return errors.New("SID is required")
	case !sidPattern.MatchString(s):
		return errors.New("SID is 3 characters: an uppercase letter, then uppercase letters or digits")
	}
	for _, r := range reservedSIDs {
		if s == r {
			return errors.New("SID is reserved by SAP")
		}
	}
	return nil
}

// validateBucketName checks an S3 bucket name.
func validateBucketName(s string) error {
	switch {
	case len(s) < 3 || len(s) > 63:
		return errors.New("bucket names are 3 to 63 characters long")
	case !bucketChars.MatchString(s):
		return errors.New("bucket names use only lowercase letters, digits, dots and hyphens, and start and end with a letter or digit")
	case strings.Contains(s, ".."):
		return errors.New("bucket names must not contain two dots in a row")
	case net.ParseIP(s) != nil:
		return errors.New("bucket names must not look like an IP address")
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(s, p) {
			return fmt.Errorf("bucket names must not start with %q", p)
		}
	}
	for _, x := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(s, x) {
			return fmt.Errorf("bucket names must not end with %q", x)
		}
	}
	return nil
}

// validateAlias checks a KMS alias and returns it with the alias/ prefix.
func validateAlias(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s != "" && !strings.HasPrefix(s, "alias/") {
		s = "alias/" + s
	}
	switch {
	case s == "":
		return s, errors.New("alias is required")
	case strings.HasPrefix(s, "alias/aws/"):
		return s, errors.New("aliases beginning with alias/aws/ are reserved for AWS")
	case !aliasPattern.MatchString(s):
		return s, errors.New("aliases are alias/ followed by 1 to 250 letters, digits, /, _ or -")
	}
	return s, nil
}

// validateRoleRef checks an IAM role name or role ARN.
func validateRoleRef(s string) error {
	switch {
	case s == "":
		return errors.New("a role name or role ARN is required")
	case strings.HasPrefix(s, "arn:"):
		if !roleARN.MatchString(s) {
			return errors.New("role ARNs look like arn:aws:iam::123456789012:role/name")
		}
	case !rolePattern.MatchString(s):
		return errors.New("role names are 1 to 64 letters, digits or +=,.@_-")
	}
	return nil
}

// validateRegion checks a region name.
func validateRegion(s string) error {
	if s == "" {
		return errors.New("region is required")
	}
	if _, ok := lookupRegion(s); !ok {
		return fmt.Errorf("%q is not a region hanavault knows", s)
	}
	return nil
}

// validateStorageClass checks the lifecycle's archive storage class.
func validateStorageClass(s string) error {
	switch s {
	case "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR":
		return nil
	}
	return errors.New("storage class is GLACIER, DEEP_ARCHIVE or GLACIER_IR")
}

// regionRow is one region hanavault knows without asking AWS.
type regionRow struct {
	Name, Description, Partition string
}

// knownRegions lists the regions hanavault knows, for pickers when
// discovery has not answered.
func knownRegions() []regionRow {
	return []regionRow{
		{"us-east-1", "US East (N. Virginia)", "aws"},
		{"us-east-2", "US East (Ohio)", "aws"},
		{"us-west-1", "US West (N. California)", "aws"},
		{"us-west-2", "US West (Oregon)", "aws"},
		{"ca-central-1", "Canada (Central)", "aws"},
		{"eu-central-1", "Europe (Frankfurt)", "aws"},
		{"eu-central-2", "Europe (Zurich)", "aws"},
		{"eu-west-1", "Europe (Ireland)", "aws"},
		{"eu-west-2", "Europe (London)", "aws"},
		{"eu-west-3", "Europe (Paris)", "aws"},
		{"eu-north-1", "Europe (Stockholm)", "aws"},
		{"eu-south-1", "Europe (Milan)", "aws"},
		{"eu-south-2", "Europe (Spain)", "aws"},
		{"ap-south-1", "Asia Pacific (Mumbai)", "aws"},
		{"ap-northeast-1", "Asia Pacific (Tokyo)", "aws"},
		{"ap-northeast-2", "Asia Pacific (Seoul)", "aws"},
		{"ap-northeast-3", "Asia Pacific (Osaka)", "aws"},
		{"ap-southeast-1", "Asia Pacific (Singapore)", "aws"},
		{"ap-southeast-2", "Asia Pacific (Sydney)", "aws"},
		{"ap-east-1", "Asia Pacific (Hong Kong)", "aws"},
		{"sa-east-1", "South America (São Paulo)", "aws"},
		{"me-south-1", "Middle East (Bahrain)", "aws"},
		{"me-central-1", "Middle East (UAE)", "aws"},
		{"af-south-1", "Africa (Cape Town)", "aws"},
		{"cn-north-1", "China (Beijing)", "aws-cn"},
		{"cn-northwest-1", "China (Ningxia)", "aws-cn"},
		{"us-gov-west-1", "AWS GovCloud (US-West)", "aws-us-gov"},
		{"us-gov-east-1", "AWS GovCloud (US-East)", "aws-us-gov"},
	}
}

func lookupRegion(name string) (regionRow, bool) {
	for _, r := range knownRegions() {
		if r.Name == name {
			return r, true
		}
	}
	return regionRow{}, false
}

// landscapeDefaults derives a landscape's names and options from its SID,
// account and regions.
func landscapeDefaults(sid, account, src, dst string) spec.Landscape {
	lc := strings.ToLower(sid)
	bucket := func(region string) string {
		b := "hana-backup-" + lc + "-" + account + "-" + region
		if account == "" {
			b = "hana-backup-" + lc + "-" + region
		}
		if len(b) > 58 {
			b = "hana-backup-" + lc + "-" + region
		}
		return b
	}
	l := spec.Landscape{
		SID:                   sid,
		SourceRegion:          src,
		ReplicationRegion:     dst,
		OriginalBucketName:    bucket(src),
		ReplicationBucketName: bucket(dst),
		OriginalCMKAlias:      "alias/hana-backup-" + lc,
		ReplicationCMKAlias:   "alias/hana-backup-" + lc + "-replica",
	}
	applyDefaults(&l)
	return l
}

// applyDefaults fills the options left at their zero value.
func applyDefaults(l *spec.Landscape) {
	setS := func(p *string, v string) {
		*p = strings.TrimSpace(*p)
		if *p == "" {
			*p = v
		}
	}
	setI := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	setS(&l.OriginalLogBucketName, l.OriginalBucketName+"-logs")
	setS(&l.ReplicationLogBucketName, l.ReplicationBucketName+"-logs")
	setS(&l.ReplicationRoleName, "hanavault-"+l.SID+"-replication")
	setS(&l.Lifecycle.StorageClass, "GLACIER")
	setI(&l.Lifecycle.TransitionDays, 7)
	setI(&l.Lifecycle.ArchiveDays, 365)
	setI(&l.Lifecycle.NoncurrentExpirationDays, 30)
	setI(&l.Lifecycle.AbortIncompleteMultipartDays, 7)
	setI(&l.LogRetentionDays, 365)
	setI(&l.KMSDeletionWindowDays, 30)
	for _, p := range []*string{&l.OriginalCMKAlias, &l.ReplicationCMKAlias} {
		if a, err := validateAlias(*p); err == nil {
			*p = a
		}
	}
}

// fieldProblem is one invalid landscape field, named by its yaml key.
type fieldProblem struct {
	Field, Message string
}

// validateLandscape checks a whole landscape, naming fields by yaml key.
func validateLandscape(l spec.Landscape) []fieldProblem {
	var out []fieldProblem
	add := func(field string, err error) {
		if err != nil {
			out = append(out, fieldProblem{field, err.Error()})
		}
	}
	add(fieldSID, validateSID(l.SID))
	add(fieldSource, validateRegion(l.SourceRegion))
	add(fieldReplication, validateRegion(l.ReplicationRegion))
	if l.SourceRegion != "" && l.SourceRegion == l.ReplicationRegion {
		add(fieldReplication, errors.New("the replication region must differ from the source region"))
	}
	src, _ := lookupRegion(l.SourceRegion)
	dst, _ := lookupRegion(l.ReplicationRegion)
	if src.Partition != "" && dst.Partition != "" && src.Partition != dst.Partition {
		add(fieldReplication, fmt.Errorf("both regions must be in the same partition (%s, %s)", src.Partition, dst.Partition))
	}
	add(fieldOrigBucket, validateBucketName(l.OriginalBucketName))
	add(fieldReplBucket, validateBucketName(l.ReplicationBucketName))
	add(fieldOrigLog, validateBucketName(l.OriginalLogBucketName))
	add(fieldReplLog, validateBucketName(l.ReplicationLogBucketName))
	seen := map[string]string{}
	for _, b := range []struct{ field, name string }{
		{fieldOrigBucket, l.OriginalBucketName}, {fieldReplBucket, l.ReplicationBucketName},
		{fieldOrigLog, l.OriginalLogBucketName}, {fieldReplLog, l.ReplicationLogBucketName},
	} {
		if other, dup := seen[b.name]; dup && b.name != "" {
			add(b.field, fmt.Errorf("bucket %q is already used as %s", b.name, other))
		}
		seen[b.name] = b.field
	}
	_, err := validateAlias(l.OriginalCMKAlias)
	add(fieldOrigAlias, err)
	_, err = validateAlias(l.ReplicationCMKAlias)
	add(fieldReplAlias, err)
	add(fieldEC2Role, validateRoleRef(l.EC2RoleToRunBackup))
	add(fieldAdminRole, validateRoleRef(l.KMSAdminRole))
	add(fieldStorageClass, validateStorageClass(l.Lifecycle.StorageClass))
	add(fieldTransition, checkRange(l.Lifecycle.TransitionDays, 0, 3650))
	add(fieldArchive, checkRange(l.Lifecycle.ArchiveDays, 1, 3650))
	add(fieldNoncurrent, checkRange(l.Lifecycle.NoncurrentExpirationDays, 1, 3650))
	add(fieldDeletionWindow, checkRange(l.KMSDeletionWindowDays, 7, 30))
	return out
}

// checkRange checks a whole number of days.
func checkRange(v, lo, hi int) error {
	if v < lo || v > hi {
		return fmt.Errorf("must be between %d and %d days", lo, hi)
	}
	return nil
}

// parseDays parses a form's days field and checks its range.
func parseDays(s string, lo, hi int) (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, errors.New("enter a whole number of days")
	}
	return v, checkRange(v, lo, hi)
}

// marshalLandscape renders l as landscape.yaml.
func marshalLandscape(l spec.Landscape) []byte {
	b, err := yaml.Marshal(l)
	if err != nil {
		// A Landscape holds only strings, numbers, booleans and a string map.
		panic(fmt.Sprintf("ui: marshal landscape %s: %v", l.SID, err))
	}
	return append([]byte("# hanavault landscape, written by the wizard\n"), b...)
}
