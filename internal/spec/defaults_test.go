package spec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDefaults(t *testing.T) {
	got := Defaults(" HAN ", "123456789012", "eu-central-1", "eu-west-1")
	want := Landscape{
		SID:                      "HAN",
		SourceRegion:             "eu-central-1",
		ReplicationRegion:        "eu-west-1",
		OriginalBucketName:       "hana-backup-han-123456789012-eu-central-1",
		OriginalCMKAlias:         "alias/hana-backup-han",
		ReplicationBucketName:    "hana-backup-han-123456789012-eu-west-1",
		ReplicationCMKAlias:      "alias/hana-backup-han-replica",
		OriginalLogBucketName:    "hana-backup-han-123456789012-eu-central-1-logs",
		ReplicationLogBucketName: "hana-backup-han-123456789012-eu-west-1-logs",
		ReplicationRoleName:      "hanavault-HAN-replication",
		Lifecycle: Lifecycle{
			TransitionDays: 7, StorageClass: "GLACIER", ArchiveDays: 365,
			NoncurrentExpirationDays: 30, AbortIncompleteMultipartDays: 7,
		},
		LogRetentionDays:      365,
		KMSDeletionWindowDays: 30,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Defaults (-want +got):\n%s", d)
	}
	if got.Lifecycle.ExpirationDays() != 372 {
		t.Errorf("ExpirationDays = %d, want 372", got.Lifecycle.ExpirationDays())
	}
	// With the roles filled in, the derived landscape is valid.
	got.EC2RoleToRunBackup, got.KMSAdminRole = "Backup", "Admin"
	if err := got.Validate(); err != nil {
		t.Errorf("Defaults + roles: %v", err)
	}
}

func TestDefaultsKeepsLowercaseSID(t *testing.T) {
	l := Defaults("han", "123456789012", "eu-central-1", "eu-west-1")
	if l.SID != "han" || l.ReplicationRoleName != "hanavault-han-replication" {
		t.Errorf("SID %q, role %q: the SID must not be changed", l.SID, l.ReplicationRoleName)
	}
	if l.OriginalBucketName != "hana-backup-han-123456789012-eu-central-1" {
		t.Errorf("bucket %q", l.OriginalBucketName)
	}
}

func TestDefaultsShortensLongNames(t *testing.T) {
	tests := []struct {
		name                   string
		sid, account, src, dst string
	}{
		{"every region with a 12-digit account fits", "HAN", "123456789012", "ap-southeast-7", "eusc-de-east-1"},
		{"long account", "HAN", strings.Repeat("9", 40), "eu-central-1", "eu-west-1"},
		{"long sid", strings.Repeat("S", 70), "123456789012", "eu-central-1", "eu-west-1"},
		{"odd characters", "H_N!", "1234 5678", "EU Central 1", "eu-west-1"},
		{"empty inputs", "", "", "", ""},
		{"reserved suffix", "HAN", "123456789012", "s3alias", "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Defaults(tt.sid, tt.account, tt.src, tt.dst)
			b := Defaults(tt.sid, tt.account, tt.src, tt.dst)
			for _, name := range []string{a.OriginalBucketName, a.ReplicationBucketName} {
				if len(name) > MaxBackupBucketNameLen {
					t.Errorf("%q is %d characters, want at most %d", name, len(name), MaxBackupBucketNameLen)
				}
				if err := ValidateBucketName(name); err != nil {
					t.Errorf("%q: %v", name, err)
				}
				if err := ValidateBucketName(name + LogBucketSuffix); err != nil {
					t.Errorf("log bucket of %q: %v", name, err)
				}
			}
			if a.OriginalBucketName != b.OriginalBucketName {
				t.Errorf("not deterministic: %q vs %q", a.OriginalBucketName, b.OriginalBucketName)
			}
			if tt.src != tt.dst && a.OriginalBucketName == a.ReplicationBucketName {
				t.Errorf("both regions got bucket %q", a.OriginalBucketName)
			}
		})
	}
	// Dropping the account keeps a hash of it: two accounts never share a name.
	long1 := Defaults("HAN", strings.Repeat("1", 40), "eu-central-1", "eu-west-1")
	long2 := Defaults("HAN", strings.Repeat("2", 40), "eu-central-1", "eu-west-1")
	if long1.OriginalBucketName == long2.OriginalBucketName {
		t.Errorf("different accounts share %q", long1.OriginalBucketName)
	}
	if !strings.HasPrefix(long1.OriginalBucketName, "hana-backup-han-eu-central-1-") {
		t.Errorf("shortened name %q does not keep sid and region", long1.OriginalBucketName)
	}
}

func TestApplyDefaults(t *testing.T) {
	l := Landscape{
		SID:                 " HAN\t",
		OriginalBucketName:  " my-bucket ",
		OriginalCMKAlias:    "my-key",
		ReplicationCMKAlias: "alias/dr-key",
		Lifecycle:           Lifecycle{StorageClass: "DEEP_ARCHIVE"},
		LogRetentionDays:    90,
		Tags:                map[string]string{},
	}
	l.ApplyDefaults()
	want := Landscape{
		SID:                   "HAN",
		OriginalBucketName:    "my-bucket",
		OriginalCMKAlias:      "alias/my-key",
		ReplicationCMKAlias:   "alias/dr-key",
		OriginalLogBucketName: "my-bucket-logs",
		ReplicationRoleName:   "hanavault-HAN-replication",
		// StorageClass was set, so TransitionDays 0 means "at once".
		Lifecycle: Lifecycle{
			TransitionDays: 0, StorageClass: "DEEP_ARCHIVE", ArchiveDays: 365,
			NoncurrentExpirationDays: 30, AbortIncompleteMultipartDays: 7,
		},
		LogRetentionDays:      90,
		KMSDeletionWindowDays: 30,
	}
	if d := cmp.Diff(want, l); d != "" {
		t.Errorf("ApplyDefaults (-want +got):\n%s", d)
	}
}

func TestNormalizedCopiesAndIsIdempotent(t *testing.T) {
	l := Landscape{SID: "HAN", OriginalCMKAlias: "k", Tags: map[string]string{"a": "1"}}
	n := l.Normalized()
	n.Tags["a"] = "changed"
	if l.Tags["a"] != "1" || l.OriginalCMKAlias != "k" || l.Lifecycle.ArchiveDays != 0 {
		t.Errorf("Normalized changed its receiver: %+v", l)
	}
	if d := cmp.Diff(n, n.Normalized()); d != "" {
		t.Errorf("Normalized is not idempotent:\n%s", d)
	}
}

func TestRoleName(t *testing.T) {
	tests := []struct{ ref, name string }{
		{"HanaBackupRole", "HanaBackupRole"},
		{" Admin ", "Admin"},
		{"arn:aws:iam::111122223333:role/Admin", "Admin"},
		{"arn:aws:iam::111122223333:role/ops/team/Admin", "Admin"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := RoleName(tt.ref); got != tt.name {
			t.Errorf("RoleName(%q) = %q, want %q", tt.ref, got, tt.name)
		}
	}
}

func TestRegions(t *testing.T) {
	rs := Regions()
	seen := map[string]bool{}
	for _, r := range rs {
		if seen[r.Name] {
			t.Errorf("region %s listed twice", r.Name)
		}
		seen[r.Name] = true
		if r.Description == "" || r.Partition == "" {
			t.Errorf("region %+v lacks a description or partition", r)
		}
		got, ok := LookupRegion(r.Name)
		if !ok || got != r {
			t.Errorf("LookupRegion(%s) = %+v, %v", r.Name, got, ok)
		}
	}
	for name, partition := range map[string]string{
		"eu-central-1": "aws", "us-east-1": "aws", "cn-northwest-1": "aws-cn", "us-gov-west-1": "aws-us-gov",
	} {
		if r, ok := LookupRegion(name); !ok || r.Partition != partition {
			t.Errorf("LookupRegion(%s) = %+v, %v; want partition %s", name, r, ok, partition)
		}
	}
	if _, ok := LookupRegion("aws-global"); ok {
		t.Error("aws-global is a pseudo-region, not a deployment target")
	}
	rs[0].Name = "changed"
	if Regions()[0].Name == "changed" {
		t.Error("Regions returns the package's own slice")
	}
}

func TestClosest(t *testing.T) {
	cands := []string{"sourceRegion", "replicationRegion", "sid"}
	for in, want := range map[string]string{
		"sourceRegon": "sourceRegion", "SourceRegion": "sourceRegion", "SID": "sid",
		"replicatoinRegion": "replicationRegion", "tags": "", "": "",
	} {
		if got := closest(in, cands); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaxReplicationLag(t *testing.T) {
	for _, tc := range []struct {
		yaml string
		want int
		err  string
	}{
		{"", DefaultMaxReplicationLagMinutes, ""},
		{"maxReplicationLagMinutes: 0\n", 0, ""},
		{"maxReplicationLagMinutes: 15\n", 15, ""},
		{"maxReplicationLagMinutes: 20000\n", 0, "maxReplicationLagMinutes 20000: must be 0 to 10080 minutes (0 = not checked)"},
	} {
		doc := "sid: PRD\nsourceRegion: eu-central-1\nreplicationRegion: eu-west-1\nec2RoleToRunBackup: b\nkmsAdminRole: a\n" +
			"originalBucketName: hana-backup-prd-src\nreplicationBucketName: hana-backup-prd-dst\n" +
			"originalCMKAlias: alias/a\nreplicationCMKAlias: alias/b\n" + tc.yaml
		l, err := Parse([]byte(doc), "t.yaml")
		if err != nil {
			t.Fatalf("%q: %v", tc.yaml, err)
		}
		err = l.Normalized().Validate()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.yaml, err, tc.err)
			}
			continue
		}
		if err != nil || l.MaxReplicationLag() != tc.want {
			t.Errorf("%q: %d %v, want %d", tc.yaml, l.MaxReplicationLag(), err, tc.want)
		}
	}
}
