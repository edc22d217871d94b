package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseValid(t *testing.T) {
	src := `# a landscape
sid: HAN
sourceRegion: eu-central-1
replicationRegion: "eu-west-1"
originalBucketName: hana-backup-han
originalCMKAlias: alias/han
replicationBucketName: 'hana-backup-han-dr'
replicationCMKAlias: han-dr
ec2RoleToRunBackup: arn:aws:iam::123456789012:role/HanaBackupRole
kmsAdminRole: KeyAdmin
bucketNameForLambdaCode: legacy-lambda-code
lifecycle:
  storageClass: DEEP_ARCHIVE
  archiveDays: 200
logRetentionDays: 90
recoveryWindowDays: 0
replicationTimeControl: true
tags:
  CostCenter: 4711
  Owner: Basis Team
  Critical: true
  Note: |
    two
    lines
`
	got, err := Parse([]byte(src), "landscape.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := Landscape{
		SID: "HAN", SourceRegion: "eu-central-1", ReplicationRegion: "eu-west-1",
		OriginalBucketName: "hana-backup-han", OriginalCMKAlias: "alias/han",
		ReplicationBucketName: "hana-backup-han-dr", ReplicationCMKAlias: "han-dr",
		EC2RoleToRunBackup:      "arn:aws:iam::123456789012:role/HanaBackupRole",
		KMSAdminRole:            "KeyAdmin",
		BucketNameForLambdaCode: "legacy-lambda-code",
		// storageClass without transitionDays: the default 7 is filled in.
		Lifecycle:              Lifecycle{TransitionDays: 7, StorageClass: "DEEP_ARCHIVE", ArchiveDays: 200},
		LogRetentionDays:       90,
		ReplicationTimeControl: true,
		Tags:                   map[string]string{"CostCenter": "4711", "Owner": "Basis Team", "Critical": "true", "Note": "two\nlines\n"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Parse (-want +got):\n%s", d)
	}
}

func TestParseTransitionDaysZero(t *testing.T) {
	tests := []struct {
		name, src string
		want      Lifecycle
	}{
		{"explicit 0 without storageClass sticks", "lifecycle:\n  transitionDays: 0\n", Lifecycle{TransitionDays: 0, StorageClass: "GLACIER"}},
		{"explicit 0 with storageClass", "lifecycle:\n  transitionDays: 0\n  storageClass: GLACIER_IR\n", Lifecycle{StorageClass: "GLACIER_IR"}},
		{"null transitionDays is the default", "lifecycle:\n  transitionDays:\n", Lifecycle{}},
		{"no lifecycle", "sid: HAN\n", Lifecycle{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Parse([]byte(tt.src), "x.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if l.Lifecycle != tt.want {
				t.Errorf("lifecycle %+v, want %+v", l.Lifecycle, tt.want)
			}
		})
	}
	l, _ := Parse([]byte("lifecycle:\n  transitionDays: 0\n"), "x.yaml")
	if got := l.Normalized().Lifecycle.TransitionDays; got != 0 {
		t.Errorf("normalised transitionDays %d, want 0 (immediate transition)", got)
	}
	l, _ = Parse([]byte("sid: HAN\n"), "x.yaml")
	if got := l.Normalized().Lifecycle.TransitionDays; got != 7 {
		t.Errorf("normalised transitionDays %d, want the default 7", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"unknown key with suggestion", "sid: HAN\nsourceRegion: eu-central-1\nreplicationRegion: eu-west-1\nsourceRegon: x\n",
			[]string{`landscape.yaml:4:1: unknown key "sourceRegon" (did you mean "sourceRegion"?)`}},
		{"all unknown keys at once", "SID: HAN\nfoo: 1\nlifecycle:\n  transitionDayz: 3\n  logRetentionDays: 5\ntransitionDays: 3\n", []string{
			`landscape.yaml:1:1: unknown key "SID" (did you mean "sid"?)`,
			`landscape.yaml:2:1: unknown key "foo"`,
			`landscape.yaml:4:3: unknown key "transitionDayz" in lifecycle (did you mean "transitionDays"?)`,
			`landscape.yaml:5:3: unknown key "logRetentionDays" in lifecycle (it belongs at the top level, not under lifecycle)`,
			`landscape.yaml:6:1: unknown key "transitionDays" (it belongs under "lifecycle:")`,
		}},
		{"string for a number", "lifecycle:\n  transitionDays: seven\n",
			[]string{`landscape.yaml:2:19: lifecycle.transitionDays: want a whole number of days, got the text "seven"`}},
		{"quoted number", "logRetentionDays: \"90\"\n",
			[]string{`landscape.yaml:1:19: logRetentionDays: want a whole number of days, got the text "90" (remove the quotes)`}},
		{"fraction", "logRetentionDays: 1.5\n",
			[]string{`landscape.yaml:1:19: logRetentionDays: want a whole number of days, got the number 1.5`}},
		{"octal-looking number", "logRetentionDays: 010\n",
			[]string{`landscape.yaml:1:19: logRetentionDays: write whole numbers in plain decimal without leading zeros, got 010`}},
		{"hex number", "kmsDeletionWindowDays: 0x10\n",
			[]string{`landscape.yaml:1:24: kmsDeletionWindowDays: write whole numbers in plain decimal without leading zeros, got 0x10`}},
		{"huge number", "recoveryWindowDays: 99999999999999999999\n",
			[]string{`landscape.yaml:1:21: recoveryWindowDays: 99999999999999999999 is too large`}},
		{"explicit zero where not allowed", "lifecycle:\n  archiveDays: 0\nkmsDeletionWindowDays: 0\n", []string{
			`landscape.yaml:2:16: lifecycle.archiveDays: 0 is not allowed (1 to 3650); remove the key to use the default (365)`,
			`landscape.yaml:3:24: kmsDeletionWindowDays: 0 is not allowed (7 to 30); remove the key to use the default (30)`,
		}},
		{"yes is not a boolean", "replicationTimeControl: yes\n",
			[]string{`landscape.yaml:1:25: replicationTimeControl: want true or false, got the text "yes"`}},
		{"number for a boolean", "deleteMarkerReplication: 1\n",
			[]string{`landscape.yaml:1:26: deleteMarkerReplication: want true or false, got the number 1`}},
		{"list for a string", "sid: [HAN]\n",
			[]string{`landscape.yaml:1:6: sid: want text, got a list`}},
		{"number YAML would change", "sid: 0123\noriginalBucketName: 1.50\nkmsAdminRole: True\n", []string{
			`landscape.yaml:1:6: sid: YAML reads 0123 as the number 83, not as the text "0123"; quote it: "0123"`,
			`landscape.yaml:2:21: originalBucketName: YAML reads 1.50 as the number 1.5, not as the text "1.50"; quote it: "1.50"`,
			`landscape.yaml:3:15: kmsAdminRole: YAML reads True as the boolean true, not as the text "True"; quote it: "True"`,
		}},
		{"scalar for lifecycle", "lifecycle: 3\n",
			[]string{`landscape.yaml:1:12: lifecycle: want a mapping of lifecycle settings (indented key: value lines), got the number 3`}},
		{"list for tags", "tags: [a, b]\n",
			[]string{`landscape.yaml:1:7: tags: want a mapping of tag keys to values, got a list`}},
		{"bad tag value and key", "tags:\n  a: [1]\n  1.5: x\n  b: 007\n", []string{
			`landscape.yaml:2:6: tags.a: want text, got a list`,
			`landscape.yaml:3:3: tags: tag keys are text; quote this key`,
			`landscape.yaml:4:6: tags.b: YAML reads 007 as the number 7, not as the text "007"; quote it: "007"`,
		}},
		{"top level not a mapping", "- sid: HAN\n",
			[]string{`landscape.yaml:1:1: want a mapping of landscape keys (key: value lines), got a list`}},
		{"two documents", "sid: HAN\n---\nsid: QAS\n",
			[]string{`landscape.yaml:3:1: a landscape file holds one YAML document; remove this one or the --- before it`}},
		{"anchors and aliases", "sid: &s HAN\nkmsAdminRole: *s\n", []string{
			`landscape.yaml:1:6: sid: anchors and aliases (&, *) are not supported in landscape files`,
			`landscape.yaml:2:15: kmsAdminRole: anchors and aliases (&, *) are not supported in landscape files`,
		}},
		{"yaml tag", "sid: !!str HAN\n",
			[]string{`landscape.yaml:1:6: sid: YAML tags (!!type) are not supported in landscape files`}},
		{"merge key", "<<: {sid: HAN}\n",
			[]string{`landscape.yaml:1:1: merge keys (<<) are not supported in landscape files`}},
		{"odd keys", "? sid\n: HAN\n~: x\n1: y\n", []string{
			`landscape.yaml:1:1: explicit keys (? key) are not supported in landscape files`,
			`landscape.yaml:3:1: empty key`,
			`landscape.yaml:4:1: unknown key "1"`,
		}},
		{"every zero-less option", "lifecycle:\n  noncurrentExpirationDays: 0\n  abortIncompleteMultipartDays: 0\nlogRetentionDays: 0\n", []string{
			`landscape.yaml:2:29: lifecycle.noncurrentExpirationDays: 0 is not allowed (1 to 3650); remove the key to use the default (30)`,
			`landscape.yaml:3:33: lifecycle.abortIncompleteMultipartDays: 0 is not allowed (1 to 365); remove the key to use the default (7)`,
			`landscape.yaml:4:19: logRetentionDays: 0 is not allowed (1 to 3650); remove the key to use the default (365)`,
		}},
		{"more wrong types", "sid: {a: b}\nreplicationTimeControl: 1.5\nrequireEncryptionHeader: ~x\ntags:\n  ~: v\n  k: &a v\n", []string{
			`landscape.yaml:1:6: sid: want text, got a mapping`,
			`landscape.yaml:2:25: replicationTimeControl: want true or false, got the number 1.5`,
			`landscape.yaml:3:26: requireEncryptionHeader: want true or false, got the text "~x"`,
			`landscape.yaml:5:3: tags: tag keys are text; quote this key`,
			`landscape.yaml:6:6: tags.k: anchors, aliases and YAML tags are not supported in landscape files`,
		}},
		{"duplicate key", "sid: HAN\nsid: QAS\n",
			[]string{`landscape.yaml:2:1: mapping key "sid" already defined at [1:1]`}},
		{"syntax error", "sid: \"HAN\n",
			[]string{`landscape.yaml:1:6: could not find end character of double-quoted text`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), "landscape.yaml")
			var pes ParseErrors
			if !errors.As(err, &pes) {
				t.Fatalf("Parse error %v (%T), want ParseErrors", err, err)
			}
			var got []string
			for _, e := range pes {
				got = append(got, e.Error())
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("errors (-want +got):\n%s", d)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe != pes[0] {
				t.Errorf("errors.As(*ParseError) did not find the first error")
			}
			if err.Error() != strings.Join(tt.want, "\n") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

func TestParseEdgeCases(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n", "---\n", "...\n", "~\n"} {
		l, err := Parse([]byte(src), "x.yaml")
		if err != nil || !cmp.Equal(l, Landscape{}) {
			t.Errorf("Parse(%q) = %+v, %v; want the empty landscape", src, l, err)
		}
	}
	// A UTF-8 byte order mark, as some Windows editors write, is ignored.
	l, err := Parse([]byte("\ufeffsid: HAN\n"), "x.yaml")
	if err != nil || l.SID != "HAN" {
		t.Errorf("BOM: %+v, %v", l, err)
	}
	// A %YAML directive opens the one document.
	l, err = Parse([]byte("%YAML 1.2\n---\nsid: HAN\n"), "x.yaml")
	if err != nil || l.SID != "HAN" {
		t.Errorf("directive: %+v, %v", l, err)
	}
	// Flow style and quoted keys are plain YAML and fine.
	l, err = Parse([]byte(`{"sid": HAN, lifecycle: {archiveDays: 30}}`), "x.yaml")
	if err != nil || l.SID != "HAN" || l.Lifecycle.ArchiveDays != 30 {
		t.Errorf("flow style: %+v, %v", l, err)
	}
	// Numbers and booleans that read back unchanged are fine as tag keys.
	l, err = Parse([]byte("tags:\n  1: a\n  true: b\n  -7: c\n"), "x.yaml")
	if d := cmp.Diff(map[string]string{"1": "a", "true": "b", "-7": "c"}, l.Tags); err != nil || d != "" {
		t.Errorf("numeric tag keys: %v %s", err, d)
	}
	// Negative numbers parse; Validate reports the range.
	l, err = Parse([]byte("recoveryWindowDays: -3\n"), "x.yaml")
	if err != nil || l.RecoveryWindowDays != -3 {
		t.Errorf("negative: %+v, %v", l, err)
	}
}

func TestParseErrorFormat(t *testing.T) {
	tests := []struct {
		e    ParseError
		want string
	}{
		{ParseError{File: "a.yaml", Line: 2, Col: 3, Msg: "m"}, "a.yaml:2:3: m"},
		{ParseError{Line: 2, Col: 3, Msg: "m"}, "2:3: m"},
		{ParseError{File: "a.yaml", Msg: "m"}, "a.yaml: m"},
		{ParseError{Msg: "m"}, "m"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.e, got, tt.want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "landscape.yaml")
	if err := os.WriteFile(path, Marshal(validLandscape()), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(validLandscape().Normalized(), l); d != "" {
		t.Errorf("Load (-want +got):\n%s", d)
	}
	if err := os.WriteFile(path, []byte("sid: HAN\nsidd: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	if err == nil || err.Error() != path+`:2:1: unknown key "sidd" (did you mean "sid"?)` {
		t.Errorf("Load error %v", err)
	}
	_, err = Load(filepath.Join(dir, "missing.yaml"))
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("Load(missing) = %v, want a wrapped not-exist error naming the file", err)
	}
}

func TestSchemaCoversEveryField(t *testing.T) {
	// The parser's schema is read from the struct tags; make sure nested
	// and map fields got the right shape.
	for _, key := range []string{"sid", "bucketNameForLambdaCode", "tags", "lifecycle", "requireEncryptionHeader"} {
		if _, ok := topSchema[key]; !ok {
			t.Errorf("schema lacks %q", key)
		}
	}
	if len(topSchema["lifecycle"].sub) != 5 {
		t.Errorf("lifecycle schema has %d keys, want 5", len(topSchema["lifecycle"].sub))
	}
}
