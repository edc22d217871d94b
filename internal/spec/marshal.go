package spec

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Marshal renders l with its defaults applied (see Normalized) as the
// commented landscape.yaml that `hanavault init` prints and the wizard
// saves: a header, every key with a comment saying what it is and its
// rule, and the options with their effective values. Parse(Marshal(l))
// equals l.Normalized() for every landscape whose strings are valid UTF-8.
// User values never reach the comments unless they are valid, so no value
// can break the file's structure.
func Marshal(l Landscape) []byte {
	n := l.Normalized()
	w := &yamlWriter{}

	system := "one SAP HANA system"
	if ValidateSID(n.SID) == nil {
		system = "SAP HANA system " + n.SID
	}
	w.comment(
		"hanavault landscape: encrypted offsite backup storage on AWS for "+system+".",
		"",
		"In each of two regions hanavault keeps a customer-managed KMS key, a versioned",
		"SSE-KMS backup bucket and an SSE-S3 access-log bucket; the backup bucket",
		"replicates to the other region, re-encrypted with that region's key.",
		"Review with `hanavault plan -f <file>`, create or update with `hanavault apply -f <file>`.",
		"Keys are case-sensitive and unknown keys are errors. Quote values that",
		"YAML would read as numbers or booleans (\"0123\", \"true\").",
	)
	w.blank()
	w.comment("SAP system ID: 3 characters, an uppercase letter then uppercase letters or digits; not an SID SAP reserves.")
	w.str(0, "sid", n.SID)
	w.comment("AWS region of the HANA system and its backup bucket (a region code like eu-central-1).")
	w.str(0, "sourceRegion", n.SourceRegion)
	w.comment("Region the backups are replicated to: a different region in the same partition.")
	w.str(0, "replicationRegion", n.ReplicationRegion)
	w.blank()
	w.comment("Backup bucket in sourceRegion. Bucket names: 3-63 characters of a-z 0-9 . -, starting and",
		fmt.Sprintf("ending with a letter or digit, unique in the partition; at most %d leaves room for %q.", MaxBackupBucketNameLen, LogBucketSuffix))
	w.str(0, "originalBucketName", n.OriginalBucketName)
	w.comment("KMS key alias in sourceRegion: alias/ then up to 250 of A-Z a-z 0-9 / _ -; alias/aws/ is reserved.")
	w.str(0, "originalCMKAlias", n.OriginalCMKAlias)
	w.comment("Backup bucket in replicationRegion; same rules, and all four bucket names differ.")
	w.str(0, "replicationBucketName", n.ReplicationBucketName)
	w.comment("KMS key alias in replicationRegion (aliases are per region, so it may equal originalCMKAlias).")
	w.str(0, "replicationCMKAlias", n.ReplicationCMKAlias)
	w.blank()
	w.comment("Existing IAM role of the HANA EC2 instance (role name or role ARN), required: it writes",
		"and reads the backups and may encrypt and decrypt with both keys.")
	w.str(0, "ec2RoleToRunBackup", n.EC2RoleToRunBackup)
	w.comment("Existing IAM role that administers both KMS keys (role name or role ARN), required.")
	w.str(0, "kmsAdminRole", n.KMSAdminRole)
	if n.BucketNameForLambdaCode != "" {
		w.comment("Accepted for compatibility with the CloudFormation design; hanavault ignores it.")
		w.str(0, "bucketNameForLambdaCode", n.BucketNameForLambdaCode)
	}

	w.blank()
	w.comment(strings.Repeat("-", 78),
		"Options. The values shown are in effect; an empty value or a removed key means the default.",
		"")
	w.comment("Access-log buckets (SSE-S3: S3 cannot deliver access logs to SSE-KMS buckets).",
		"Default: <backup bucket>"+LogBucketSuffix+".")
	w.str(0, "originalLogBucketName", n.OriginalLogBucketName)
	w.str(0, "replicationLogBucketName", n.ReplicationLogBucketName)
	w.comment("IAM role S3 assumes to replicate; hanavault creates and deletes it. Default: hanavault-<sid>-replication.")
	w.str(0, "replicationRoleName", n.ReplicationRoleName)
	w.blank()
	w.comment(lifecycleTimeline(n.Lifecycle)...)
	w.line(0, "lifecycle:")
	lc := n.Lifecycle
	w.comment2(2, fmt.Sprintf("Days from upload until a backup moves to storageClass; 0 moves it at once. 0-3650, default %d.", DefaultTransitionDays))
	w.int(2, "transitionDays", lc.TransitionDays)
	w.comment2(2, "GLACIER (default; restore takes hours), DEEP_ARCHIVE (cheapest; restore up to 12 hours)",
		"or GLACIER_IR (instant reads, higher storage price). HANA Backint cannot read archived",
		"backups until they are restored, except from GLACIER_IR.")
	w.str(2, "storageClass", lc.StorageClass)
	w.comment2(2, fmt.Sprintf("Days a backup stays in storageClass before it expires. 1-3650, default %d.", DefaultArchiveDays))
	w.int(2, "archiveDays", lc.ArchiveDays)
	w.comment2(2, "Days a replaced, deleted or expired backup version is kept before it is removed for good.",
		fmt.Sprintf("1-3650, default %d.", DefaultNoncurrentExpirationDays))
	w.int(2, "noncurrentExpirationDays", lc.NoncurrentExpirationDays)
	w.comment2(2, fmt.Sprintf("Days before S3 aborts an unfinished multipart upload and frees its parts. 1-365, default %d.", DefaultAbortIncompleteMultipartDays))
	w.int(2, "abortIncompleteMultipartDays", lc.AbortIncompleteMultipartDays)
	w.comment(fmt.Sprintf("Days access logs are kept. 1-3650, default %d.", DefaultLogRetentionDays))
	w.int(0, "logRetentionDays", n.LogRetentionDays)
	w.comment("Days KMS waits before deleting a key that destroy scheduled for deletion (cancellable",
		fmt.Sprintf("meanwhile; backups encrypted with it are unreadable once it is gone). 7-30, default %d.", DefaultKMSDeletionWindowDays))
	w.int(0, "kmsDeletionWindowDays", n.KMSDeletionWindowDays)
	w.comment("How many days back you need point-in-time recovery; 0 = not stated. Only used to warn",
		"when the lifecycle archives or expires backups inside that window. 0-3650.")
	w.int(0, "recoveryWindowDays", n.RecoveryWindowDays)
	w.comment("Minutes the DR copy may lag behind (now minus the newest backup replicated) before",
		fmt.Sprintf("status reports the recovery point at risk; 0 = not checked. 0-10080, default %d.", DefaultMaxReplicationLagMinutes))
	if n.MaxReplicationLagMinutes == nil {
		w.comment(fmt.Sprintf("maxReplicationLagMinutes: %d", DefaultMaxReplicationLagMinutes))
	} else {
		w.int(0, "maxReplicationLagMinutes", *n.MaxReplicationLagMinutes)
	}
	w.comment("S3 Replication Time Control: 99.99% of objects replicated within 15 minutes, at extra cost.")
	w.bool(0, "replicationTimeControl", n.ReplicationTimeControl)
	w.comment("Replicate delete markers, so backups HANA deletes also disappear from the replica's current view.")
	w.bool(0, "deleteMarkerReplication", n.DeleteMarkerReplication)
	w.comment("Also deny uploads that carry no encryption header. Off by default: multipart UploadPart",
		"requests carry no encryption header, so turning this on denies HANA Backint multipart",
		"backups and uploads that rely on the bucket's default encryption. Uploads with a",
		"header other than aws:kms are always denied.")
	w.bool(0, "requireEncryptionHeader", n.RequireEncryptionHeader)
	w.comment(fmt.Sprintf("Extra tags on every resource (cost centre, owner...), at most %d: keys of 1-128 and values", MaxUserTags),
		"of up to 256 letters, digits, spaces and _ . : / = + - @; aws: and hanavault: keys are reserved.")
	if len(n.Tags) == 0 {
		w.comment("tags:", "  CostCenter: \"4711\"")
	} else {
		w.line(0, "tags:")
		for _, k := range sortedKeys(n.Tags) {
			w.line(2, quoteYAML(k, true)+": "+quoteYAML(n.Tags[k], false))
		}
	}
	return []byte(w.b.String())
}

// lifecycleTimeline explains, as comment lines, what happens to one backup
// under lc. Invalid lifecycles get a generic explanation instead.
func lifecycleTimeline(lc Lifecycle) []string {
	head := "Lifecycle of both backup buckets."
	valid := ValidateStorageClass(lc.StorageClass) == nil
	for field, v := range map[string]int{
		"lifecycle.transitionDays":           lc.TransitionDays,
		"lifecycle.archiveDays":              lc.ArchiveDays,
		"lifecycle.noncurrentExpirationDays": lc.NoncurrentExpirationDays,
	} {
		valid = valid && ValidateNumber(field, v) == nil
	}
	if !valid {
		return []string{head + " A backup moves to storageClass after transitionDays, expires",
			"archiveDays later and is removed noncurrentExpirationDays after that."}
	}
	t, e, nc := lc.TransitionDays, lc.ExpirationDays(), lc.NoncurrentExpirationDays
	return []string{
		head + " One backup with these values:",
		fmt.Sprintf("  day %-5d uploaded (STANDARD)", 0),
		fmt.Sprintf("  day %-5d moves to %s", t, lc.StorageClass),
		fmt.Sprintf("  day %-5d expires: S3 adds a delete marker and the backup becomes a noncurrent version", e),
		fmt.Sprintf("  day %-5d the noncurrent version is removed for good", e+nc),
		fmt.Sprintf("A backup HANA deletes earlier becomes noncurrent at once and is removed %d days later.", nc),
		fmt.Sprintf("%s bills at least %d days per object: removing it sooner costs an early-deletion fee.",
			lc.StorageClass, MinStorageDays(lc.StorageClass)),
	}
}

// yamlWriter accumulates the landscape file.
type yamlWriter struct{ b strings.Builder }

func (w *yamlWriter) line(indent int, s string) {
	w.b.WriteString(strings.Repeat(" ", indent))
	w.b.WriteString(s)
	w.b.WriteByte('\n')
}

func (w *yamlWriter) blank() { w.b.WriteByte('\n') }

// comment writes top-level comment lines; "" gives a bare "#".
func (w *yamlWriter) comment(lines ...string) { w.comment2(0, lines...) }

func (w *yamlWriter) comment2(indent int, lines ...string) {
	for _, l := range lines {
		if l == "" {
			w.line(indent, "#")
		} else {
			w.line(indent, "# "+l)
		}
	}
}

func (w *yamlWriter) str(indent int, key, v string) { w.line(indent, key+": "+quoteYAML(v, false)) }
func (w *yamlWriter) int(indent int, key string, v int) {
	w.line(indent, key+": "+strconv.Itoa(v))
}
func (w *yamlWriter) bool(indent int, key string, v bool) {
	w.line(indent, key+": "+strconv.FormatBool(v))
}

// quoteYAML returns s as a YAML scalar: plain when that is unambiguous
// (it starts with a letter, uses only characters without special meaning
// and is no YAML keyword), double-quoted with escapes otherwise. Keys are
// never left plain when they contain a colon.
func quoteYAML(s string, key bool) string {
	if plainSafe(s, key) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i]) // not representable: YAML reads it back as U+00xx
			i++
			continue
		}
		i += size
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			switch {
			case r < 0x20 || r == 0x7f:
				fmt.Fprintf(&b, `\x%02x`, r)
			case r > 0x7f && (!unicode.IsPrint(r) || unicode.IsSpace(r)):
				if r > 0xffff {
					fmt.Fprintf(&b, `\U%08x`, r)
				} else {
					fmt.Fprintf(&b, `\u%04x`, r)
				}
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// yamlKeywords are plain scalars YAML reads as something other than text
// (compared in lower case).
var yamlKeywords = []string{"true", "false", "yes", "no", "on", "off", "y", "n", "null"}

func plainSafe(s string, key bool) bool {
	if s == "" || !isLower(s[0]) && !isUpper(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isLower(c), isUpper(c), isDigit(c), strings.IndexByte("._/@+=,-", c) >= 0:
		case c == ':' && !key && i < len(s)-1:
		default:
			return false
		}
	}
	lower := strings.ToLower(s)
	for _, k := range yamlKeywords {
		if lower == k {
			return false
		}
	}
	return true
}
