package spec

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hanavault/hanavault/internal/cloud"
)

// FieldError is one rule that a landscape field breaks.
type FieldError struct {
	// Field is the yaml key; nested keys are joined with dots
	// (lifecycle.transitionDays, tags.Owner).
	Field string
	// Value is the offending value (a string, int or bool), or nil when the
	// field is missing or the rule concerns it as a whole.
	Value any
	// Rule says what the value must look like, as a sentence fragment.
	Rule string
}

// Error formats the error as `field "value": rule`.
func (e FieldError) Error() string {
	switch v := e.Value.(type) {
	case nil:
		return e.Field + ": " + e.Rule
	case string:
		return fmt.Sprintf("%s %q: %s", e.Field, clip(v), e.Rule)
	default:
		return fmt.Sprintf("%s %v: %s", e.Field, v, e.Rule)
	}
}

// ValidationErrors is every rule a landscape breaks, in field order.
type ValidationErrors []FieldError

// Error lists the errors one per line.
func (es ValidationErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the individual FieldErrors, so errors.As finds them.
func (es ValidationErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Fields returns the names of the fields that have errors, in order,
// without repeats.
func (es ValidationErrors) Fields() []string {
	var out []string
	for _, e := range es {
		if !slices.Contains(out, e.Field) {
			out = append(out, e.Field)
		}
	}
	return out
}

// Warning is advice about a valid landscape: a costly or risky choice.
type Warning struct {
	Field   string // yaml key the warning is about (dotted when nested)
	Message string
}

// String formats the warning as "field: message".
func (w Warning) String() string { return w.Field + ": " + w.Message }

// ruleError is the error type of the individual validators: its text is
// the rule, ready to show under an input field.
type ruleError string

func (e ruleError) Error() string { return string(e) }

// Storage classes backups can be archived to.
const (
	StorageClassGlacier     = "GLACIER"
	StorageClassDeepArchive = "DEEP_ARCHIVE"
	StorageClassGlacierIR   = "GLACIER_IR"
)

// StorageClasses returns the storage classes lifecycle.storageClass
// accepts, the default first.
func StorageClasses() []string {
	return []string{StorageClassGlacier, StorageClassDeepArchive, StorageClassGlacierIR}
}

// MinStorageDays is the minimum storage duration S3 bills for class:
// objects deleted sooner pay a prorated early-deletion fee. It returns 0
// for classes without one.
func MinStorageDays(class string) int {
	switch class {
	case StorageClassGlacier, StorageClassGlacierIR:
		return 90
	case StorageClassDeepArchive:
		return 180
	}
	return 0
}

// ValidateStorageClass checks that class is GLACIER, DEEP_ARCHIVE or
// GLACIER_IR.
func ValidateStorageClass(class string) error {
	if slices.Contains(StorageClasses(), class) {
		return nil
	}
	const rule = "storage class is GLACIER, DEEP_ARCHIVE or GLACIER_IR"
	fixed := strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToUpper(strings.TrimSpace(class)))
	if slices.Contains(StorageClasses(), fixed) {
		return ruleError(fmt.Sprintf("%s (did you mean %q?)", rule, fixed))
	}
	return ruleError(rule)
}

// reservedSIDs are the SIDs SAP reserves (SAP note 1979280).
var reservedSIDs = strings.Fields(`ADD ALL AMD AND ANY ARE ASC AUX AVG BIN BIT CDC COM CON DBA
	END EPS FOR GET GID IBM INT KEY LOG LPT MAP MAX MIN MON NIX NOT NUL OFF OLD OMS OUT PAD PRN RAW REF
	ROW SAP SET SGA SHG SID SQL SUM SYS TMP TOP UID USE USR VAR`)

// IsReservedSID reports whether SAP reserves sid (SAP note 1979280).
func IsReservedSID(sid string) bool { return slices.Contains(reservedSIDs, sid) }

// ValidateSID checks an SAP system ID: exactly three characters, an
// uppercase letter followed by uppercase letters or digits, and not one of
// the SIDs SAP reserves.
func ValidateSID(sid string) error {
	if sid == "" {
		return ruleError("SID is required")
	}
	if n := utf8.RuneCountInString(sid); n != 3 {
		return ruleError(fmt.Sprintf("SID is exactly 3 characters (this one has %d)", n))
	}
	if up := strings.ToUpper(sid); up != sid && sidShape(up) {
		if IsReservedSID(up) {
			return ruleError("SID is reserved by SAP")
		}
		return ruleError(fmt.Sprintf("SID is uppercase (did you mean %q?)", up))
	}
	if !isUpper(sid[0]) {
		return ruleError("SID starts with an uppercase letter A-Z")
	}
	if !sidShape(sid) {
		return ruleError("SID uses only uppercase letters A-Z and digits 0-9")
	}
	if IsReservedSID(sid) {
		return ruleError("SID is reserved by SAP")
	}
	return nil
}

// sidShape reports whether s is three ASCII characters: A-Z then A-Z/0-9.
func sidShape(s string) bool {
	if len(s) != 3 || !isUpper(s[0]) {
		return false
	}
	for i := 1; i < 3; i++ {
		if !isUpper(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Reserved bucket name prefixes and suffixes (S3 bucket naming rules).
var (
	reservedBucketPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedBucketSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// ValidateBucketName checks the S3 general purpose bucket naming rules:
// 3-63 characters of a-z, 0-9, dots and hyphens; starting and ending with
// a letter or digit; no two adjacent dots; not shaped like an IP address;
// none of the prefixes and suffixes AWS reserves.
func ValidateBucketName(name string) error {
	if name == "" {
		return ruleError("bucket name is required")
	}
	if n := utf8.RuneCountInString(name); n < 3 || n > 63 {
		return ruleError(fmt.Sprintf("bucket names are 3 to 63 characters long (this one has %d)", n))
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isLower(c) && !isDigit(c) && c != '.' && c != '-' {
			return ruleError("bucket names use only lowercase letters, digits, dots and hyphens")
		}
	}
	if first, last := name[0], name[len(name)-1]; !isLower(first) && !isDigit(first) || !isLower(last) && !isDigit(last) {
		return ruleError("bucket names start and end with a lowercase letter or digit")
	}
	if strings.Contains(name, "..") {
		return ruleError("bucket names must not contain two adjacent dots")
	}
	if looksLikeIP(name) {
		return ruleError("bucket names must not be formatted as an IP address (like 192.168.5.4)")
	}
	for _, p := range reservedBucketPrefixes {
		if strings.HasPrefix(name, p) {
			return ruleError(fmt.Sprintf("bucket names must not start with %q (reserved by AWS)", p))
		}
	}
	for _, s := range reservedBucketSuffixes {
		if strings.HasSuffix(name, s) {
			return ruleError(fmt.Sprintf("bucket names must not end with %q (reserved by AWS)", s))
		}
	}
	return nil
}

// looksLikeIP reports whether s is four dot-separated runs of digits.
func looksLikeIP(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// MaxAliasLen is the longest KMS alias, alias/ prefix included.
const MaxAliasLen = 256

// ValidateAlias normalises a KMS alias (trims spaces, adds the alias/
// prefix when missing) and checks it: alias/ followed by 1-250 characters
// of A-Z, a-z, 0-9, /, _ and - (256 in all), not under alias/aws/ (in any
// case), which AWS reserves for its managed keys. It returns the normalised alias even
// when it is invalid.
func ValidateAlias(alias string) (string, error) {
	a := normalizeAlias(alias)
	if a == "" {
		return "", ruleError("KMS alias is required")
	}
	name := a[len(AliasPrefix):]
	if name == "" {
		return a, ruleError("alias needs a name after alias/")
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isLower(c) && !isUpper(c) && !isDigit(c) && c != '/' && c != '_' && c != '-' {
			return a, ruleError("aliases use only letters, digits, slashes, underscores and hyphens after alias/")
		}
	}
	if len(a) > MaxAliasLen {
		return a, ruleError(fmt.Sprintf("aliases are at most %d characters, alias/ included (this one has %d)", MaxAliasLen, len(a)))
	}
	// KMS reserves alias/aws/ for AWS managed keys (Developer Guide, "Create
	// aliases": the alias name of a customer managed key cannot begin with
	// alias/aws/). AWS's own CLI reference for create-alias writes the
	// reserved prefix as alias/AWS, so it is refused in any case.
	if strings.HasPrefix(strings.ToLower(a), "alias/aws/") {
		return a, ruleError("alias/aws/ is reserved for AWS managed keys, in any case")
	}
	return a, nil
}

// knownPartitions are the partitions a role ARN may name: those of the
// AWS SDK's partition metadata.
var knownPartitions = cloud.PartitionIDs()

// ValidateRoleRef checks a reference to an existing IAM role: a role name
// (1-64 of letters, digits and + = , . @ _ -) or a role ARN
// arn:<partition>:iam::<12-digit account>:role/<path/>name. The error says
// which part is wrong.
func ValidateRoleRef(ref string) error {
	if ref == "" {
		return ruleError("role is required (a role name or role ARN)")
	}
	if !strings.HasPrefix(ref, "arn:") {
		if strings.ContainsAny(ref, ":/") {
			return ruleError("role names use only letters, digits and + = , . @ _ - (to give a path, use the role ARN)")
		}
		return ValidateRoleName(ref)
	}
	parts := strings.SplitN(ref, ":", 6)
	if len(parts) != 6 {
		return ruleError("role ARNs look like arn:<partition>:iam::<account>:role/<name>")
	}
	partition, service, region, account, resource := parts[1], parts[2], parts[3], parts[4], parts[5]
	if !slices.Contains(knownPartitions, partition) {
		return ruleError(fmt.Sprintf("role ARN partition %q is not an AWS partition (aws, aws-cn, aws-us-gov...)", partition))
	}
	if service != "iam" {
		return ruleError(fmt.Sprintf("role ARN service is iam, not %q", service))
	}
	if region != "" {
		return ruleError(fmt.Sprintf("IAM role ARNs have no region (remove %q)", region))
	}
	if len(account) != 12 || strings.Trim(account, "0123456789") != "" {
		return ruleError(fmt.Sprintf("role ARN account %q is not a 12-digit account ID", account))
	}
	rest, ok := strings.CutPrefix(resource, "role/")
	if !ok {
		return ruleError(fmt.Sprintf("role ARN resource %q is not role/<name>", resource))
	}
	path, name := "/", rest
	if i := strings.LastIndexByte(rest, '/'); i >= 0 {
		path, name = "/"+rest[:i+1], rest[i+1:]
	}
	if len(path) > 512 {
		return ruleError(fmt.Sprintf("role ARN path is at most 512 characters (this one has %d)", len(path)))
	}
	for i := 0; i < len(path); i++ {
		if path[i] < 0x21 || path[i] > 0x7e {
			return ruleError(fmt.Sprintf("role ARN path %q uses characters IAM does not allow (printable ASCII only)", path))
		}
	}
	if err := ValidateRoleName(name); err != nil {
		return ruleError("role ARN name: " + err.Error())
	}
	return nil
}

// ValidateRoleName checks an IAM role name: 1-64 characters of letters,
// digits and + = , . @ _ -.
func ValidateRoleName(name string) error {
	if name == "" {
		return ruleError("role name is required")
	}
	if n := utf8.RuneCountInString(name); n > 64 {
		return ruleError(fmt.Sprintf("role names are 1 to 64 characters (this one has %d)", n))
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isLower(c) && !isUpper(c) && !isDigit(c) && !strings.ContainsRune("+=,.@_-", rune(c)) {
			return ruleError("role names use only letters, digits and + = , . @ _ -")
		}
	}
	return nil
}

// Range is an inclusive range of whole days.
type Range struct{ Min, Max int }

// numberRanges are the allowed ranges of the numeric fields, by yaml key.
var numberRanges = map[string]Range{
	"lifecycle.transitionDays":               {0, 3650},
	"lifecycle.archiveDays":                  {1, 3650},
	"lifecycle.noncurrentExpirationDays":     {1, 3650},
	"lifecycle.abortIncompleteMultipartDays": {1, 365},
	"logRetentionDays":                       {1, 3650},
	"kmsDeletionWindowDays":                  {7, 30},
	"recoveryWindowDays":                     {0, 3650},
	"maxReplicationLagMinutes":               {0, 10080},
}

// NumberRange returns the allowed range of the numeric field named by its
// yaml key (dotted when nested, e.g. lifecycle.archiveDays).
func NumberRange(field string) (Range, bool) {
	r, ok := numberRanges[field]
	return r, ok
}

// ValidateNumber checks v against the range of the numeric field named by
// its yaml key (see NumberRange).
func ValidateNumber(field string, v int) error {
	r, ok := numberRanges[field]
	if !ok {
		return fmt.Errorf("spec: %q is not a numeric landscape field", field)
	}
	if v >= r.Min && v <= r.Max {
		return nil
	}
	rule := fmt.Sprintf("must be %d to %d days", r.Min, r.Max)
	switch field {
	case "lifecycle.transitionDays":
		rule += " (0 archives at once)"
	case "kmsDeletionWindowDays":
		rule = "KMS waits 7 to 30 days before it deletes a key"
	case "recoveryWindowDays":
		rule += " (0 = not stated)"
	case "maxReplicationLagMinutes":
		rule = fmt.Sprintf("must be %d to %d minutes (0 = not checked)", r.Min, r.Max)
	}
	return ruleError(rule)
}

// Tag limits.
const (
	MaxTagKeyLen   = 128
	MaxTagValueLen = 256
	MaxUserTags    = 40
)

// ValidateTagKey checks a user tag key: 1-128 characters of letters,
// digits, spaces and _ . : / = + - @, not starting with aws: (reserved by
// AWS) or hanavault: (reserved for hanavault's own tags), in any case.
func ValidateTagKey(key string) error {
	n := utf8.RuneCountInString(key)
	if n < 1 || n > MaxTagKeyLen {
		return ruleError(fmt.Sprintf("tag keys are 1 to %d characters (this one has %d)", MaxTagKeyLen, n))
	}
	lower := strings.ToLower(key)
	if strings.HasPrefix(lower, "aws:") {
		return ruleError("the aws: prefix is reserved for AWS")
	}
	if strings.HasPrefix(lower, "hanavault:") {
		return ruleError("the hanavault: prefix is reserved for hanavault's own tags")
	}
	if !tagText(key) {
		return ruleError("tag keys use only letters, digits, spaces and _ . : / = + - @")
	}
	return nil
}

// ValidateTagValue checks a tag value: at most 256 characters of letters,
// digits, spaces and _ . : / = + - @ (empty is allowed).
func ValidateTagValue(value string) error {
	if n := utf8.RuneCountInString(value); n > MaxTagValueLen {
		return ruleError(fmt.Sprintf("tag values are at most %d characters (this one has %d)", MaxTagValueLen, n))
	}
	if !tagText(value) {
		return ruleError("tag values use only letters, digits, spaces and _ . : / = + - @")
	}
	return nil
}

// tagText reports whether s uses only the characters AWS tags allow
// (Unicode letters, digits, spaces and _ . : / = + - @).
func tagText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if !unicode.IsLetter(c) && !unicode.IsNumber(c) && !unicode.Is(unicode.Zs, c) && !strings.ContainsRune("_.:/=+-@", c) {
			return false
		}
	}
	return true
}

// Validate checks the landscape with its defaults applied (zero options are
// therefore fine) and returns ValidationErrors listing every broken rule,
// or nil. Names that have their derived form (<bucket>-logs,
// hanavault-<SID>-replication) are not reported again when the field they
// derive from is already invalid, whether or not defaults were applied
// before.
func (l Landscape) Validate() error {
	n := l.Normalized()
	var es ValidationErrors
	add := func(field string, value any, err error) {
		if err == nil {
			return
		}
		var re ruleError
		if !errors.As(err, &re) {
			re = ruleError(err.Error())
		}
		if s, ok := value.(string); ok && s == "" {
			value = nil
		}
		es = append(es, FieldError{Field: field, Value: value, Rule: string(re)})
	}

	sidErr := ValidateSID(n.SID)
	add("sid", n.SID, sidErr)
	add("sourceRegion", n.SourceRegion, ValidateRegion(n.SourceRegion))
	add("replicationRegion", n.ReplicationRegion, ValidateRegion(n.ReplicationRegion))
	add("replicationRegion", n.ReplicationRegion, ValidateRegionPair(n.SourceRegion, n.ReplicationRegion))

	type bucket struct {
		field, name string
		parent      string // yaml key of the backup bucket this log bucket was derived from
	}
	buckets := []bucket{
		{"originalBucketName", n.OriginalBucketName, ""},
		{"replicationBucketName", n.ReplicationBucketName, ""},
		{"originalLogBucketName", n.OriginalLogBucketName, ""},
		{"replicationLogBucketName", n.ReplicationLogBucketName, ""},
	}
	// ApplyDefaults leaves a log bucket empty only while its bucket is.
	if n.OriginalLogBucketName == "" || n.OriginalLogBucketName == n.OriginalBucketName+LogBucketSuffix {
		buckets[2].parent = "originalBucketName"
	}
	if n.ReplicationLogBucketName == "" || n.ReplicationLogBucketName == n.ReplicationBucketName+LogBucketSuffix {
		buckets[3].parent = "replicationBucketName"
	}
	bucketOK := map[string]bool{}
	for _, b := range buckets {
		err := ValidateBucketName(b.name)
		bucketOK[b.field] = err == nil
		if b.parent != "" {
			if !bucketOK[b.parent] {
				continue // the backup bucket's own error covers it
			}
			if err != nil {
				err = ruleError(fmt.Sprintf("%s (derived as <%s>%s: keep %s to %d characters or set %s)",
					err, b.parent, LogBucketSuffix, b.parent, MaxBackupBucketNameLen, b.field))
			}
		}
		add(b.field, b.name, err)
	}
	logOf := map[string]string{"originalLogBucketName": "originalBucketName", "replicationLogBucketName": "replicationBucketName"}
	for i, a := range buckets {
		for _, b := range buckets[:i] {
			if a.name == "" || a.name != b.name || !bucketOK[a.field] {
				continue
			}
			if logOf[a.field] == b.field {
				add(a.field, a.name, ruleError("a log bucket must not be its own backup bucket (S3 cannot log a bucket into itself)"))
			} else {
				add(a.field, a.name, ruleError("the four bucket names must be distinct (same as "+b.field+")"))
			}
		}
	}

	oa, err := ValidateAlias(n.OriginalCMKAlias)
	add("originalCMKAlias", oa, err)
	ra, err := ValidateAlias(n.ReplicationCMKAlias)
	add("replicationCMKAlias", ra, err)

	ec2Err := ValidateRoleRef(n.EC2RoleToRunBackup)
	add("ec2RoleToRunBackup", n.EC2RoleToRunBackup, ec2Err)
	adminErr := ValidateRoleRef(n.KMSAdminRole)
	add("kmsAdminRole", n.KMSAdminRole, adminErr)
	if sidErr == nil || n.ReplicationRoleName != "" && n.ReplicationRoleName != DefaultReplicationRoleName(n.SID) {
		roleErr := ValidateRoleName(n.ReplicationRoleName)
		add("replicationRoleName", n.ReplicationRoleName, roleErr)
		if roleErr == nil {
			for _, other := range []struct {
				field, ref string
				err        error
			}{{"ec2RoleToRunBackup", n.EC2RoleToRunBackup, ec2Err}, {"kmsAdminRole", n.KMSAdminRole, adminErr}} {
				if other.err == nil && strings.EqualFold(RoleName(other.ref), n.ReplicationRoleName) {
					add("replicationRoleName", n.ReplicationRoleName, ruleError(
						"hanavault creates and deletes the replication role, so it must not be "+other.field))
				}
			}
		}
	}

	lc := n.Lifecycle
	add("lifecycle.transitionDays", lc.TransitionDays, ValidateNumber("lifecycle.transitionDays", lc.TransitionDays))
	add("lifecycle.storageClass", lc.StorageClass, ValidateStorageClass(lc.StorageClass))
	for _, f := range []struct {
		field string
		v     int
	}{
		{"lifecycle.archiveDays", lc.ArchiveDays},
		{"lifecycle.noncurrentExpirationDays", lc.NoncurrentExpirationDays},
		{"lifecycle.abortIncompleteMultipartDays", lc.AbortIncompleteMultipartDays},
		{"logRetentionDays", n.LogRetentionDays},
		{"kmsDeletionWindowDays", n.KMSDeletionWindowDays},
		{"recoveryWindowDays", n.RecoveryWindowDays},
		{"maxReplicationLagMinutes", n.MaxReplicationLag()},
	} {
		add(f.field, f.v, ValidateNumber(f.field, f.v))
	}

	if len(n.Tags) > MaxUserTags {
		add("tags", nil, ruleError(fmt.Sprintf("at most %d tags (this landscape has %d)", MaxUserTags, len(n.Tags))))
	}
	keys := sortedKeys(n.Tags)
	seen := map[string]string{}
	for _, k := range keys {
		field := "tags." + k
		if err := ValidateTagKey(k); err != nil {
			add(field, k, err)
			continue
		}
		add(field, n.Tags[k], ValidateTagValue(n.Tags[k]))
		lower := strings.ToLower(k)
		if prev, ok := seen[lower]; ok {
			add(field, k, ruleError(fmt.Sprintf("differs from tag key %q only in case; IAM roles treat tag keys case-insensitively", prev)))
		}
		seen[lower] = k
	}

	if len(es) == 0 {
		return nil
	}
	return es
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Warnings returns advice about the landscape with its defaults applied:
// lifecycle settings that incur early-deletion fees or put recovery
// backups in an archive, a strict encryption-header policy that breaks
// multipart uploads, ignored keys and dotted bucket names. Fields whose
// values are invalid produce no warnings (Validate reports them).
func (l Landscape) Warnings() []Warning {
	n := l.Normalized()
	var ws []Warning
	warn := func(field, format string, args ...any) {
		ws = append(ws, Warning{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	lc := n.Lifecycle
	numbersOK := true
	for field, v := range map[string]int{
		"lifecycle.transitionDays":           lc.TransitionDays,
		"lifecycle.archiveDays":              lc.ArchiveDays,
		"lifecycle.noncurrentExpirationDays": lc.NoncurrentExpirationDays,
		"recoveryWindowDays":                 n.RecoveryWindowDays,
	} {
		if ValidateNumber(field, v) != nil {
			numbersOK = false
		}
	}
	if numbersOK && ValidateStorageClass(lc.StorageClass) == nil {
		ws = append(ws, lifecycleWarnings(lc, n.RecoveryWindowDays)...)
	}
	if n.RequireEncryptionHeader {
		warn("requireEncryptionHeader", "uploads without an encryption header are denied: multipart UploadPart requests "+
			"carry no encryption header and uploads relying on the bucket's default encryption send none, so HANA "+
			"Backint multipart backups fail; leave it off unless every writer sends the header on every request")
	}
	if n.BucketNameForLambdaCode != "" {
		warn("bucketNameForLambdaCode", "ignored: hanavault creates the replica region directly and needs no Lambda code bucket")
	}
	if n.EC2RoleToRunBackup != "" && ValidateRoleRef(n.EC2RoleToRunBackup) == nil &&
		ValidateRoleRef(n.KMSAdminRole) == nil && strings.EqualFold(RoleName(n.EC2RoleToRunBackup), RoleName(n.KMSAdminRole)) {
		warn("kmsAdminRole", "the same role administers the keys and uses them for backups; a separate admin role keeps key administration apart from data access")
	}
	for _, b := range []struct{ field, name string }{
		{"originalBucketName", n.OriginalBucketName},
		{"replicationBucketName", n.ReplicationBucketName},
		{"originalLogBucketName", n.OriginalLogBucketName},
		{"replicationLogBucketName", n.ReplicationLogBucketName},
	} {
		if strings.Contains(b.name, ".") && ValidateBucketName(b.name) == nil {
			warn(b.field, "dots break virtual-hosted TLS and Transfer Acceleration; prefer hyphens")
		}
	}
	return ws
}

// lifecycleWarnings explains the costs and recovery delays of a valid
// lifecycle, given the recovery window (0 = not stated).
func lifecycleWarnings(lc Lifecycle, recovery int) []Warning {
	var ws []Warning
	class, minDays := lc.StorageClass, MinStorageDays(lc.StorageClass)
	t, a, nc := lc.TransitionDays, lc.ArchiveDays, lc.NoncurrentExpirationDays
	// An expiring backup stays archived archiveDays as the current version
	// and noncurrentExpirationDays more as a noncurrent one.
	if a+nc < minDays {
		ws = append(ws, Warning{Field: "lifecycle.archiveDays", Message: fmt.Sprintf(
			"backups stay in %s only %d days (archiveDays %d + noncurrentExpirationDays %d) before deletion, "+
				"less than its %d-day minimum storage duration: every backup pays a prorated early-deletion fee",
			class, a+nc, a, nc, minDays)})
	}
	// A backup HANA deletes after it was archived is removed for good
	// noncurrentExpirationDays later. Without a recovery window, assume
	// HANA may delete it right after the transition.
	archivedOnDelete := nc
	if recovery > t {
		archivedOnDelete = recovery - t + nc
	}
	if (recovery == 0 || recovery >= t) && archivedOnDelete < minDays {
		var msg string
		if recovery == 0 {
			msg = fmt.Sprintf("a backup HANA deletes soon after day %d (when it moved to %s) is removed %d days later, "+
				"after as little as %d days in %s", t, class, nc, archivedOnDelete, class)
		} else {
			msg = fmt.Sprintf("a backup HANA deletes at day %d (recoveryWindowDays) has been in %s since day %d and is removed "+
				"%d days later, after %d days in %s", recovery, class, t, nc, archivedOnDelete, class)
		}
		ws = append(ws, Warning{Field: "lifecycle.noncurrentExpirationDays", Message: fmt.Sprintf(
			"%s, less than its %d-day minimum storage duration: early-deletion fees", msg, minDays)})
	}
	thaw := fmt.Sprintf("needs a restore (thaw) from %s first (hours", class)
	switch class {
	case StorageClassGlacier:
		thaw += "; 3-5 with standard retrieval)"
	case StorageClassDeepArchive:
		thaw += "; up to 12 with standard retrieval)"
	case StorageClassGlacierIR:
		thaw = "reads from GLACIER_IR: no thaw, but a per-GB retrieval fee"
	default:
		thaw += ")"
	}
	switch {
	case recovery > lc.ExpirationDays():
		ws = append(ws, Warning{Field: "recoveryWindowDays", Message: fmt.Sprintf(
			"backups expire at day %d (transitionDays + archiveDays), before the %d-day recovery window ends",
			lc.ExpirationDays(), recovery)})
	case recovery > t:
		ws = append(ws, Warning{Field: "recoveryWindowDays", Message: fmt.Sprintf(
			"point-in-time recovery older than %d days %s", t, thaw)})
	case recovery == 0:
		ws = append(ws, Warning{Field: "recoveryWindowDays", Message: fmt.Sprintf(
			"not stated: backups move to %s after %d days, and recovery from an archived backup %s; "+
				"set recoveryWindowDays to check the lifecycle against your recovery needs", class, t, thaw)})
	}
	return ws
}
