package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"strings"
)

// Option defaults (see ApplyDefaults).
const (
	DefaultTransitionDays               = 7
	DefaultStorageClass                 = StorageClassGlacier
	DefaultArchiveDays                  = 365
	DefaultNoncurrentExpirationDays     = 30
	DefaultAbortIncompleteMultipartDays = 7
	DefaultLogRetentionDays             = 365
	DefaultKMSDeletionWindowDays        = 30
	DefaultMaxReplicationLagMinutes     = 60
)

// LogBucketSuffix is appended to a backup bucket's name to derive its
// access-log bucket's name.
const LogBucketSuffix = "-logs"

// MaxBackupBucketNameLen is the longest backup bucket name whose derived
// log bucket (<name>-logs) still fits S3's 63-character limit.
const MaxBackupBucketNameLen = 63 - len(LogBucketSuffix)

// AliasPrefix starts every KMS alias.
const AliasPrefix = "alias/"

// Defaults returns a landscape for sid with derived names and every option
// at its default. Bucket names are hana-backup-<sid>-<account>-<region>
// (lowercase), shortened deterministically when they would exceed
// MaxBackupBucketNameLen; aliases are alias/hana-backup-<sid> and
// alias/hana-backup-<sid>-replica. EC2RoleToRunBackup and KMSAdminRole are
// left empty for the caller to fill. The SID itself is kept as given, so
// Validate can report a lowercase one.
func Defaults(sid, account, sourceRegion, replicationRegion string) Landscape {
	sid = strings.TrimSpace(sid)
	account = strings.TrimSpace(account)
	sourceRegion = strings.TrimSpace(sourceRegion)
	replicationRegion = strings.TrimSpace(replicationRegion)
	base := joinNonEmpty("-", "hana-backup", nameComponent(sid))
	l := Landscape{
		SID:                   sid,
		SourceRegion:          sourceRegion,
		ReplicationRegion:     replicationRegion,
		OriginalBucketName:    derivedBucketName(sid, account, sourceRegion),
		ReplicationBucketName: derivedBucketName(sid, account, replicationRegion),
		OriginalCMKAlias:      AliasPrefix + base,
		ReplicationCMKAlias:   AliasPrefix + base + "-replica",
	}
	l.ApplyDefaults()
	return l
}

// derivedBucketName builds hana-backup-<sid>-<account>-<region> and, when
// that is longer than MaxBackupBucketNameLen (or otherwise invalid), falls
// back to shorter forms that keep a hash of the full name so that
// different inputs still give different names.
func derivedBucketName(sid, account, region string) string {
	s, a, r := nameComponent(sid), nameComponent(account), nameComponent(region)
	full := joinNonEmpty("-", "hana-backup", s, a, r)
	sum := sha256.Sum256([]byte(strings.Join([]string{sid, account, region}, "\x00")))
	h := hex.EncodeToString(sum[:])
	withoutAccount := joinNonEmpty("-", "hana-backup", s, r)
	candidates := []string{
		full,
		withoutAccount + "-" + h[:8],
		truncateName(withoutAccount, MaxBackupBucketNameLen-9) + "-" + h[:8],
		"hana-backup-" + h[:16],
	}
	for _, c := range candidates {
		if len(c) <= MaxBackupBucketNameLen && ValidateBucketName(c) == nil {
			return c
		}
	}
	return candidates[len(candidates)-1]
}

// nameComponent lowercases s and turns every run of characters other than
// a-z and 0-9 into a single hyphen, trimming hyphens at both ends, so the
// result can be part of a bucket name or alias.
func nameComponent(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(c)
			continue
		}
		dash = true
	}
	return b.String()
}

// truncateName cuts s to at most n bytes and trims trailing hyphens.
func truncateName(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.TrimRight(s, "-")
}

func joinNonEmpty(sep string, parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// ApplyDefaults trims spaces around every name and fills zero options with
// their defaults:
//   - log buckets <bucket>-logs (only once the backup bucket is named);
//   - replicationRoleName hanavault-<SID>-replication (once the SID is set);
//   - lifecycle: storageClass GLACIER and, while storageClass was unset,
//     transitionDays 7; archiveDays 365 (current versions therefore expire
//     at day 372); noncurrentExpirationDays 30; abortIncompleteMultipartDays 7;
//   - logRetentionDays 365 and kmsDeletionWindowDays 30.
//
// KMS aliases get the alias/ prefix when it is missing. The SID is not
// upper-cased: Validate reports a lowercase SID instead. Tags are copied,
// not shared, and an empty tag map becomes nil.
//
// TransitionDays 0 is a valid setting (archive at once), so it is only
// taken as "unset" while StorageClass is unset too; Parse resolves this
// from the keys present in the file.
func (l *Landscape) ApplyDefaults() {
	for _, p := range []*string{
		&l.SID, &l.SourceRegion, &l.ReplicationRegion,
		&l.OriginalBucketName, &l.OriginalCMKAlias, &l.ReplicationBucketName, &l.ReplicationCMKAlias,
		&l.EC2RoleToRunBackup, &l.KMSAdminRole, &l.BucketNameForLambdaCode,
		&l.OriginalLogBucketName, &l.ReplicationLogBucketName, &l.ReplicationRoleName,
		&l.Lifecycle.StorageClass,
	} {
		*p = strings.TrimSpace(*p)
	}
	l.OriginalCMKAlias = normalizeAlias(l.OriginalCMKAlias)
	l.ReplicationCMKAlias = normalizeAlias(l.ReplicationCMKAlias)
	if l.OriginalLogBucketName == "" && l.OriginalBucketName != "" {
		l.OriginalLogBucketName = l.OriginalBucketName + LogBucketSuffix
	}
	if l.ReplicationLogBucketName == "" && l.ReplicationBucketName != "" {
		l.ReplicationLogBucketName = l.ReplicationBucketName + LogBucketSuffix
	}
	if l.ReplicationRoleName == "" && l.SID != "" {
		l.ReplicationRoleName = DefaultReplicationRoleName(l.SID)
	}
	lc := &l.Lifecycle
	if lc.StorageClass == "" {
		lc.StorageClass = DefaultStorageClass
		if lc.TransitionDays == 0 {
			lc.TransitionDays = DefaultTransitionDays
		}
	}
	setDefault(&lc.ArchiveDays, DefaultArchiveDays)
	setDefault(&lc.NoncurrentExpirationDays, DefaultNoncurrentExpirationDays)
	setDefault(&lc.AbortIncompleteMultipartDays, DefaultAbortIncompleteMultipartDays)
	setDefault(&l.LogRetentionDays, DefaultLogRetentionDays)
	setDefault(&l.KMSDeletionWindowDays, DefaultKMSDeletionWindowDays)
	if len(l.Tags) == 0 {
		l.Tags = nil
	} else {
		l.Tags = maps.Clone(l.Tags)
	}
}

func setDefault(p *int, v int) {
	if *p == 0 {
		*p = v
	}
}

// DefaultReplicationRoleName is the replication role's name for sid:
// hanavault-<SID>-replication.
func DefaultReplicationRoleName(sid string) string {
	return "hanavault-" + sid + "-replication"
}

// MaxReplicationLag returns the landscape's DR lag threshold in minutes
// (the default when unset; 0 = not checked).
func (l Landscape) MaxReplicationLag() int {
	if l.MaxReplicationLagMinutes == nil {
		return DefaultMaxReplicationLagMinutes
	}
	return *l.MaxReplicationLagMinutes
}

// normalizeAlias trims a and adds the alias/ prefix when it is missing.
// An empty alias stays empty.
func normalizeAlias(a string) string {
	a = strings.TrimSpace(a)
	if a == "" || strings.HasPrefix(a, AliasPrefix) {
		return a
	}
	return AliasPrefix + a
}

// Normalized returns a copy of l with ApplyDefaults applied; l is not
// changed (its tag map is not shared with the copy).
func (l Landscape) Normalized() Landscape {
	l.ApplyDefaults()
	return l
}

// RoleName returns the role name in ref, which is a role name or a role
// ARN; an ARN's path is dropped (arn:aws:iam::111122223333:role/ops/Admin
// gives Admin).
func RoleName(ref string) string {
	ref = strings.TrimSpace(ref)
	if !strings.HasPrefix(ref, "arn:") {
		return ref
	}
	parts := strings.SplitN(ref, ":", 6)
	res := parts[len(parts)-1]
	return res[strings.LastIndexByte(res, '/')+1:]
}
