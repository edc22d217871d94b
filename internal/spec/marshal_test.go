package spec

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, d)
	}
}

func TestMarshalGolden(t *testing.T) {
	l := Defaults("PRD", "123456789012", "eu-central-1", "eu-west-1")
	l.EC2RoleToRunBackup = "HanaBackupRole"
	l.KMSAdminRole = "arn:aws:iam::123456789012:role/ops/KeyAdmin"
	l.RecoveryWindowDays = 14
	l.ReplicationTimeControl = true
	l.Tags = map[string]string{"CostCenter": "4711", "Owner": "SAP Basis", "Environment": "production"}
	golden(t, "landscape.golden", Marshal(l))

	// The template `hanavault init` prints for a fresh account: roles empty,
	// no tags (a commented example instead).
	golden(t, "init.golden", Marshal(Defaults("HAN", "123456789012", "us-east-1", "us-west-2")))
}

func TestMarshalRoundTrip(t *testing.T) {
	full := validLandscape()
	full.BucketNameForLambdaCode = "legacy-code"
	full.Lifecycle = Lifecycle{TransitionDays: 0, StorageClass: StorageClassDeepArchive, ArchiveDays: 180, NoncurrentExpirationDays: 1, AbortIncompleteMultipartDays: 2}
	full.RequireEncryptionHeader, full.DeleteMarkerReplication = true, true
	full.Tags = map[string]string{
		"Owner": "Basis Team", "Number": "0123", "Bool": "true", "yes": "no", "x:y": "a:b:", "empty": "",
		"Quote\"d": `back\slash`, "Unicode ü": "Grüße 😀", "ctrl": "a\x00b\x7f\u0085\u2028\ufeff",
		" lead": "trail ", "#hash": "- dash", "null": "~", "Multi": "line\nbreak\r\n\ttab",
	}
	tests := map[string]Landscape{
		"empty":             {},
		"defaults":          Defaults("HAN", "123456789012", "eu-central-1", "eu-west-1"),
		"full":              full,
		"zero options only": {SID: "han", OriginalCMKAlias: "key", Lifecycle: Lifecycle{StorageClass: "GLACIER_IR"}},
		"odd strings": {
			SID: "12", SourceRegion: "true", ReplicationRegion: "null", OriginalBucketName: "1.5",
			OriginalCMKAlias: "alias/: x", ReplicationBucketName: "a #b", ReplicationCMKAlias: "'q'",
			EC2RoleToRunBackup: "[x]", KMSAdminRole: "{y}", ReplicationRoleName: "&anchor",
			OriginalLogBucketName: "*alias", ReplicationLogBucketName: "!tag", Lifecycle: Lifecycle{StorageClass: "%x"},
			LogRetentionDays: -4, KMSDeletionWindowDays: 99999, RecoveryWindowDays: -1,
		},
	}
	for name, l := range tests {
		t.Run(name, func(t *testing.T) {
			out := Marshal(l)
			got, err := Parse(out, "landscape.yaml")
			if err != nil {
				t.Fatalf("Parse(Marshal(l)): %v\n%s", err, out)
			}
			if d := cmp.Diff(l.Normalized(), got); d != "" {
				t.Errorf("Parse(Marshal(l)) != l.Normalized() (-want +got):\n%s\n%s", d, out)
			}
			if again := Marshal(got); !bytes.Equal(again, out) {
				t.Errorf("Marshal is not stable across a round trip:\n%s\n----\n%s", out, again)
			}
		})
	}
}

func TestMarshalCommentsNeverCarryInvalidValues(t *testing.T) {
	l := validLandscape()
	l.SID = "X\nsid: injected"
	l.Lifecycle.StorageClass = "GLACIER\nfoo: bar"
	out := string(Marshal(l))
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "sid:") && line != `sid: "X\nsid: injected"` {
			t.Errorf("unexpected sid line %q", line)
		}
		if strings.HasPrefix(line, "foo:") {
			t.Errorf("storage class escaped its value: %q", line)
		}
	}
	if !strings.Contains(out, "for one SAP HANA system.") {
		t.Error("an invalid SID reached the header comment")
	}
	if !strings.Contains(out, "# Lifecycle of both backup buckets. A backup moves to storageClass after transitionDays") {
		t.Error("an invalid lifecycle got a computed timeline")
	}
}

func TestQuoteYAML(t *testing.T) {
	tests := []struct {
		in   string
		key  bool
		want string
	}{
		{"hana-backup", false, "hana-backup"},
		{"arn:aws:iam::123456789012:role/x", false, "arn:aws:iam::123456789012:role/x"},
		{"a:b", true, `"a:b"`},
		{"ends:", false, `"ends:"`},
		{"", false, `""`},
		{"Yes", false, `"Yes"`},
		{"NULL", false, `"NULL"`},
		{"4711", false, `"4711"`},
		{"two words", false, `"two words"`},
		{`q"b\`, false, `"q\"b\\"`},
		{"tab\there", false, `"tab\there"`},
		{"nbsp\u00a0", false, `"nbsp\u00a0"`},
		{"é", false, `"é"`},
		{"\U000e0001", false, `"\U000e0001"`},
	}
	for _, tt := range tests {
		if got := quoteYAML(tt.in, tt.key); got != tt.want {
			t.Errorf("quoteYAML(%q, %v) = %s, want %s", tt.in, tt.key, got, tt.want)
		}
	}
}
